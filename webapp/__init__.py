"""Veerkracht: a resilience check-in for residents after a life-event."""

import os
from importlib import import_module

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import BASE_DIR, load_config, per_worker_limits_warning

MIGRATIONS_DIR = str(BASE_DIR / "migrations")
WEB_WORKER = "VEERKRACHT_WEB_WORKER"  # set by gunicorn.conf.py: this process only serves requests
# One package per feature, each with a blueprint in views.py (see "How it is built" in the README).
FEATURES = ("main", "accounts", "checkin", "visits", "results", "sociale_kaart", "referrals", "caseload",
            "impact", "rights", "fhir", "passkeys", "ops", "reminders", "wor", "practices", "offline",
            "paper_entry", "paper_form")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config, extensions, data files, blueprints, errors, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, need_secret="SECRET_KEY" not in (config or {})))
    if config:
        app.config.update(config)
    if app.config["PROXY_FIX"]:
        hops = app.config.get("PROXY_FIX_HOPS") or 1
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if warning := per_worker_limits_warning(app.config["WEB_CONCURRENCY"], app.config["RATELIMIT_STORAGE_URI"]):
        app.logger.warning(warning)
    if app.config.get("RATELIMIT_ENABLED") is False:
        app.logger.warning("RATELIMIT_ENABLED is off: no rate limits, and wrong passwords no longer make an "
                           "account wait. Only for a load test, never for residents.")

    from webapp import cli, errors
    from webapp.core import assets, edge, extensions, i18n, requestlog, security, transactions
    from webapp.core.questionnaires import load_definitions

    requestlog.init_app(app)  # first: its line is written last, with the final status
    extensions.db.init_app(app)
    with app.app_context():
        for engine in extensions.db.engines.values():
            extensions.ping_after_idle(engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
    if not os.environ.get(WEB_WORKER):
        # `flask db`, backups and tests migrate; gunicorn's workers never do, and so skip Flask-Migrate
        # and alembic (about 11 MB each). Batch mode: SQLite can only alter tables by copying them.
        from flask_migrate import Migrate

        Migrate(app, extensions.db, directory=MIGRATIONS_DIR, render_as_batch=True)
    security.limit_body_size(app)  # before CSRF, which would read an oversized body first
    edge.init_app(app)  # control characters: after the size limit, before CSRF reads the form
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)  # compression and fingerprinted static files
    app.extensions["veerkracht_definitions"] = load_definitions(app.config["QUESTIONNAIRE_DIR"])

    for feature in FEATURES:
        app.register_blueprint(import_module(f"webapp.{feature}.views").bp)

    errors.init_app(app)
    transactions.init_app(app)
    cli.init_app(app)
    return app
