"""Plan Tracker (督办看板): the application factory."""
from __future__ import annotations

import importlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import converters, database, error_handlers, transaction
from .config import ROOT, Config, from_environment, instance_secret_key
from .extensions import csrf, db, login_manager, migrate



def create_app(test_config: dict[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build an app. Starts no threads and no scheduler: those run in their own process (see cli.py).

    `instance_path` lets the demo build a second app on its own database beside the real one's instance folder.
    """
    instance_path = instance_path or os.environ.get("TRACKER_INSTANCE_PATH") or str(ROOT / "instance")
    app = transaction.TrackerFlask(__name__, instance_path=instance_path,
                instance_relative_config=True, template_folder=str(ROOT / "templates"))
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'tracker.db'}")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["TRACKER_SQLITE_BUSY_TIMEOUT_MS"],
        app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    app.config.setdefault("TRACKER_UPLOAD_DIR", str(Path(app.instance_path) / "files"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    importlib.import_module(f"{__name__}.models")  # every table on the metadata before Alembic looks
    from . import settings
    from .services.trust.accounts import make_hasher

    # Read and checked once, here: a broken ladder, zone or rubric stops the start with words naming the setting.
    settings.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    database.receive_uploads_first(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.extensions["password_hasher"] = make_hasher(fast=app.config.get("TRACKER_PASSWORD_HASH_FAST", False))

    from .api import register_api
    from .cli import tracker_cli
    from .demo.cli import demo_command
    from .demo.web import init_demo_banner
    from .headers import init_headers
    from .serving import init_serving
    from .web import register_web

    _cookies_and_proxy(app)
    converters.init_app(app)
    error_handlers.init_app(app)
    init_headers(app)
    init_serving(app)
    register_web(app)
    init_demo_banner(app)
    register_api(app)
    demo_command(create_app)  # `flask tracker demo`, which builds apps of its own with this factory
    app.cli.add_command(tracker_cli)
    return app


def _cookies_and_proxy(app: Flask) -> None:
    """Cookies are Secure behind HTTPS; behind a proxy the client address comes from X-Forwarded-For."""
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["TRACKER_HTTPS"])
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config["TRACKER_HTTPS"])
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(app.config["TRACKER_SESSION_MAX_HOURS"]))
    if app.config["TRACKER_PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]  # Werkzeug's documented way
