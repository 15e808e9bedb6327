"""Veerkracht: a resilience check-in for residents after a life-event."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import BASE_DIR, load_config

MIGRATIONS_DIR = str(BASE_DIR / "migrations")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config, extensions, data files, blueprints, errors, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, need_secret="SECRET_KEY" not in (config or {})))
    if config:
        app.config.update(config)
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    from webapp import cli, errors
    from webapp.core import extensions, i18n, security
    from webapp.core.questionnaires import load_definitions

    extensions.db.init_app(app)
    # Batch mode: SQLite can only alter tables by copying them.
    extensions.migrate.init_app(app, extensions.db, directory=MIGRATIONS_DIR, render_as_batch=True)
    security.limit_body_size(app)  # before CSRF, which would read an oversized body first
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    app.extensions["veerkracht_definitions"] = load_definitions(app.config["QUESTIONNAIRE_DIR"])

    from webapp.account.views import bp as account_bp
    from webapp.admin.views import bp as admin_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.catalogue_pages.views import bp as activities_bp
    from webapp.checkin.views import bp as checkin_bp
    from webapp.coach.views import bp as coach_bp
    from webapp.main.views import bp as main_bp

    for blueprint in (main_bp, auth_bp, checkin_bp, account_bp, coach_bp, admin_bp, activities_bp):
        app.register_blueprint(blueprint)

    errors.init_app(app)
    cli.init_app(app)
    return app
