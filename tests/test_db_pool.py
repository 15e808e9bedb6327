"""A pooled database connection is checked before use only after it sat unused for a while
(extensions.ping_after_idle): a busy worker sends no extra round trip, and a connection that died
meanwhile (a database restart) is replaced instead of failing the request that draws it."""

import os
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from webapp.core import extensions, metrics
from webapp.core.extensions import db


@pytest.fixture
def engine(app):
    """The app's engine with an empty pool, emptied again afterwards: these tests close connections
    and move the clock on, and no connection they touched may reach another test."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        yield db.engine
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch):
    """The checks the pool sends, counted (the real check still runs)."""
    sent = []
    dialect = engine.dialect
    original = dialect.do_ping

    def counted(dbapi_connection):
        sent.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return sent


def _use(engine) -> int:
    """Draw a connection, use it, give it back; the connection's server-side identity where there is one."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        connection.execute(text("SELECT 1"))
        return id(connection.connection.dbapi_connection)


def test_the_app_checks_connections_only_after_they_sat_idle(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert app.config["DB_PING_AFTER_IDLE_SECONDS"] == 1.0


def test_a_connection_in_use_a_moment_ago_is_not_checked(engine, pings):
    first = _use(engine)
    for _ in range(5):  # a busy worker: each request draws the connection the last one returned
        assert _use(engine) == first
    assert pings == []


def test_an_idle_connection_is_checked_before_use(engine, pings, monkeypatch):
    _use(engine)
    monkeypatch.setattr(time, "monotonic", lambda real=time.monotonic: real() + 2.0)  # two seconds later
    _use(engine)
    assert pings == [1]


def test_a_connection_that_died_while_idle_is_replaced_not_failed(engine, monkeypatch):
    with engine.connect() as connection:
        dead = connection.connection.dbapi_connection
    dead.close()  # behind the pool's back, as a database restart would leave it
    monkeypatch.setattr(time, "monotonic", lambda real=time.monotonic: real() + 2.0)
    in_use = metrics.DB_IN_USE._value.get()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
        assert connection.connection.dbapi_connection is not dead
        assert metrics.DB_IN_USE._value.get() == in_use + 1  # counted once, not once per try
    assert metrics.DB_IN_USE._value.get() == in_use


POSTGRES_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test_a_postgresql_backend_ended_by_the_server_is_replaced(monkeypatch):
    engine = create_engine(POSTGRES_URL)
    extensions.ping_after_idle(engine, 1.0)
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        try:
            pid = _use(engine)
        except OperationalError as error:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL must be reachable in CI at {POSTGRES_URL}: {error}")
            pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
        unchecked = create_engine(POSTGRES_URL)  # first, what happens without the check
        try:
            for victim in (pid, _use(unchecked)):  # what a restart or an administrator does to a backend
                with admin.connect() as connection:
                    assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim}).scalar_one()
            with pytest.raises(OperationalError):
                _use(unchecked)  # the request that draws the dead connection fails
        finally:
            unchecked.dispose()
        monkeypatch.setattr(time, "monotonic", lambda real=time.monotonic: real() + 2.0)  # idle since
        assert _use(engine) != pid  # a new backend, and no error
    finally:
        admin.dispose()
        engine.dispose()
