"""Plan Tracker (督办看板): the application factory."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from . import database  # noqa: F401 - registers the engine listeners
from .config import Config, from_environment, instance_secret_key
from .extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build an app. Starts no threads and no scheduler: those run in their own process (see cli.py)."""
    app = Flask(__name__, instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or str(ROOT / "instance"),
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
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    from . import models  # noqa: F401 - every table on the metadata before Alembic looks
    from .services.accounts import make_hasher

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    app.extensions["password_hasher"] = make_hasher(fast=app.config.get("TRACKER_PASSWORD_HASH_FAST", False))

    from .api import register_api
    from .cli import tracker_cli
    from .web import register_web

    register_web(app)
    register_api(app)  # after the web: its error handlers hand non-API paths back to the web's
    app.cli.add_command(tracker_cli)
    return app
