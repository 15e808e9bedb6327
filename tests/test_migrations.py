"""The migrations are the schema: empty database -> head matches the models, and back down."""

import json
import os
import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webapp import create_app
from webapp.core.extensions import db

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _check_round_trip(url: str) -> None:
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == ["alembic_version"]
        flask_migrate.upgrade()  # and up again, as a re-deploy would
        db.engine.dispose()


def test_sqlite_upgrade_matches_models_and_downgrades(tmp_path):
    _check_round_trip(f"sqlite:///{tmp_path / 'migrations.sqlite'}")


@pytest.fixture
def postgres_database():
    """A throw-away PostgreSQL database, so the test database used by the suite is untouched."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must be reachable in CI at {POSTGRES_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    name = f"veerkracht_migrations_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_upgrade_matches_models_and_downgrades(postgres_database):
    _check_round_trip(postgres_database)


def test_sqlite_upgrade_keeps_existing_data_and_links(tmp_path):
    """Upgrading a database that holds data keeps every row and every link (batch rebuilds)."""
    app = create_app({"SECRET_KEY": "x", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'data.sqlite'}"})
    with app.app_context():
        flask_migrate.upgrade(revision="20261124_0001")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO user (id, public_id, username, password_hash, role, is_enabled, created_at) "
                "VALUES (1, 'u1', 'anna', 'x', 'bewoner', 1, '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO resident (id, public_id, user_id, created_at) VALUES (1, 'r1', 1, '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO measurement (id, public_id, resident_id, questionnaire_id, questionnaire_version, "
                "form, mode, started_at, completed_at) VALUES (1, 'm1', 1, 'veerkracht', 1, 'kort', 'zelf', "
                "'2026-01-01', '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO answer (measurement_id, item_id, score, wants_to_talk) VALUES (1, 'lichaam_fit', 7, 0)")
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT user_id FROM resident").scalar() == 1
            assert connection.exec_driver_sql("SELECT count(*) FROM answer").scalar() == 1
            assert connection.exec_driver_sql("SELECT count(*) FROM login_session").scalar() == 0
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def _check_scores_backfill(url: str) -> None:
    """Existing check-ins get the pillar scores the app's own scoring gives; unknown versions stay unscored."""
    from webapp.core import scoring
    from webapp.core.definitions import definitions

    app = create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade(revision="20261203_0017")
        items = definitions().get("veerkracht", 1).form_item_ids("kort")
        flat = [item for group in items.values() for item in group]
        answers = {item: (None if number % 5 == 0 else number % 11) for number, item in enumerate(flat)}
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO resident (id, public_id, created_at, reminder) VALUES (1, 'r1', '2026-01-01', 'geen')"))
            for checkin_id, version in ((1, 1), (2, 99)):
                connection.execute(sa.text(
                    "INSERT INTO measurement (id, public_id, resident_id, questionnaire_id, questionnaire_version, "
                    "form, mode, started_at, completed_at) VALUES (:id, :public, 1, 'veerkracht', :version, "
                    "'kort', 'zelf', '2026-01-01', '2026-01-01')"), {"id": checkin_id, "public": f"m{checkin_id}",
                                                                     "version": version})
                connection.execute(sa.text(
                    "INSERT INTO answer (measurement_id, item_id, score, wants_to_talk) VALUES (:m, :item, :score, "
                    ":talk)"), [{"m": checkin_id, "item": item, "score": score, "talk": False}
                                for item, score in answers.items()])
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            stored = dict(connection.execute(sa.text("SELECT id, scores FROM measurement ORDER BY id")).all())
        stored = {key: (value if value is None or isinstance(value, dict) else json.loads(value))
                  for key, value in stored.items()}
        assert stored[1] == scoring.pillar_scores(items, answers)
        assert any(score is not None for score in stored[1].values())
        assert stored[2] is None
        flask_migrate.downgrade(revision="20261203_0017")
        db.engine.dispose()


def test_sqlite_upgrade_scores_existing_checkins(tmp_path):
    _check_scores_backfill(f"sqlite:///{tmp_path / 'scores.sqlite'}")


def test_postgresql_upgrade_scores_existing_checkins(postgres_database):
    _check_scores_backfill(postgres_database)
