"""The web interface: server-rendered pages. Sessions live here; the API never reads them."""
from __future__ import annotations

from flask import Flask

from .. import limits
from ..services.plan import glossary
from . import helpers, i18n, inplace
from .htmx import add_vary
from .live import live_meta, note_where_pages_begin


def register_web(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .assessment import bp as assessment_bp
    from .work import bp as work_bp
    from .auth import bp as auth_bp
    from .boards import bp as board_bp
    from .bulk_pages import bp as bulk_bp
    from .bulk_pages import action_label as bulk_action_label, offered as bulk_actions
    from .bulletin_pages import bp as bulletins_bp
    from .dashboard import bp as dashboard_bp
    from .digest_pages import bp as digests_bp
    from .home import bp as home_bp
    from .indicator_pages import bp as indicators_bp
    from .cards import bp as items_bp
    from .language import bp as language_bp
    from .live import bp as live_bp
    from .wall import bp as wall_bp
    from .ledger import bp as ledger_bp
    from .inbox import bp as notifications_bp
    from .hooks import bp as webhooks_bp
    from .office import bp as office_bp
    from .oidc import bp as oidc_bp, init_oidc
    from .periodic import bp as reporting_bp
    from .reach import bp as reach_bp
    from .review import bp as review_bp
    from .sessions import init_sessions
    from .todo import bp as todo_bp
    from .two_factor import bp as two_factor_bp

    i18n.init_app(app)
    helpers.init_app(app)
    for blueprint in (admin_bp, auth_bp, home_bp, language_bp, board_bp, items_bp, office_bp, dashboard_bp,
                      ledger_bp, digests_bp, notifications_bp, webhooks_bp, work_bp, indicators_bp,
                      bulletins_bp, assessment_bp, reporting_bp, todo_bp, review_bp, two_factor_bp, bulk_bp,
                      reach_bp, oidc_bp, live_bp, wall_bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals["role_label"] = lambda user: glossary.role_label(user.role, i18n.current_lang())
    app.jinja_env.globals["role_name"] = lambda role: glossary.role_label(role, i18n.current_lang())
    app.jinja_env.globals["who_line"] = lambda user: helpers.who_line(
        user, glossary.role_label(user.role, i18n.current_lang()))
    app.jinja_env.globals.update(row_refusals=inplace.row_refusals, row_notes=inplace.row_notes)
    app.jinja_env.globals.update(bulk_actions=bulk_actions, bulk_action_label=bulk_action_label)
    app.jinja_env.globals["live_meta"] = live_meta
    app.jinja_env.globals["limits"] = limits  # every maxlength is the limit the schema checks
    app.after_request(add_vary)
    init_sessions(app)
    init_oidc(app)
    app.before_request(note_where_pages_begin)

