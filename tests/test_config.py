"""Deployment settings: the trusted proxy hops and the warning about rate limits per worker."""

import logging
import runpy
from types import SimpleNamespace

import pytest
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import create_app
from webapp.config import BASE_DIR, load_config, per_worker_limits_warning


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """load_config with a clean set of the variables under test."""
    for name in ("PROXY_FIX", "PROXY_FIX_HOPS", "WEB_CONCURRENCY", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)

    def load(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return load_config(str(tmp_path), need_secret=False)

    return load


def test_no_proxy_is_trusted_unless_asked_for(environment):
    config = environment()
    assert config["PROXY_FIX"] is False and config["PROXY_FIX_HOPS"] == 0
    assert environment(PROXY_FIX_HOPS="2")["PROXY_FIX_HOPS"] == 0  # hops alone trust nothing


def test_one_proxy_hop_by_default_and_more_when_configured(environment):
    assert environment(PROXY_FIX="1")["PROXY_FIX_HOPS"] == 1
    assert environment(PROXY_FIX="1", PROXY_FIX_HOPS="2")["PROXY_FIX_HOPS"] == 2


@pytest.mark.parametrize("hops", ["0", "-1", "twee", ""])
def test_a_wrong_hop_count_stops_the_start(environment, hops):
    with pytest.raises(ValueError, match="PROXY_FIX_HOPS"):
        environment(PROXY_FIX="1", PROXY_FIX_HOPS=hops)


def _app_seeing_addresses(**config):
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})
    app.add_url_rule("/_adres", "adres", lambda: f"{request.remote_addr} {request.scheme}")
    return app.test_client()


FORWARDED = {"X-Forwarded-For": "6.6.6.6, 10.0.0.1, 10.0.0.2", "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize(("config", "seen"), [
    ({}, "127.0.0.1 http"),  # no proxy: the headers are ignored, a client cannot choose its address
    ({"PROXY_FIX": True}, "10.0.0.2 https"),  # one hop: the address the proxy saw, not what the client wrote
    ({"PROXY_FIX": True, "PROXY_FIX_HOPS": 2}, "10.0.0.1 http"),  # two hops: one further back
])
def test_the_app_trusts_exactly_the_configured_hops(config, seen):
    client = _app_seeing_addresses(**config)
    assert client.get("/_adres", headers=FORWARDED).get_data(as_text=True) == seen


def test_proxy_fix_wraps_the_app_with_the_hop_count():
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PROXY_FIX": True, "PROXY_FIX_HOPS": 3})
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_for == 3


def test_the_warning_about_limits_per_worker():
    assert per_worker_limits_warning(1, "memory://") is None
    assert per_worker_limits_warning(4, "redis://127.0.0.1:6379/0") is None
    warning = per_worker_limits_warning(2, "memory://")
    assert "REDIS_URL" in warning and "2 times" in warning


def test_create_app_warns_when_several_workers_count_on_their_own(caplog):
    with caplog.at_level(logging.WARNING):
        create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "WEB_CONCURRENCY": 2, "RATELIMIT_STORAGE_URI": "memory://"})
    assert "without REDIS_URL" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "WEB_CONCURRENCY": 2, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/3"})
    assert "without REDIS_URL" not in caplog.text


def test_create_app_warns_when_every_limit_is_off(caplog, monkeypatch):
    from webapp.core.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # one limiter for every app in this process
    with caplog.at_level(logging.WARNING):
        create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "RATELIMIT_ENABLED": False})
    assert "RATELIMIT_ENABLED is off" in caplog.text and "wrong passwords" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "RATELIMIT_ENABLED" not in caplog.text


@pytest.mark.parametrize(("workers", "redis_url", "warned"), [(2, None, True), (1, None, False),
                                                                (2, "redis://127.0.0.1:6379/3", False)])
def test_gunicorn_warns_at_start_up_without_redis(monkeypatch, workers, redis_url, warned):
    if redis_url:
        monkeypatch.setenv("REDIS_URL", redis_url)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("VEERKRACHT_WEB_WORKER", "")  # the file marks its process; not this test run's
    hooks = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    logged = []
    server = SimpleNamespace(cfg=SimpleNamespace(workers=workers), log=SimpleNamespace(warning=logged.append))
    hooks["on_starting"](server)
    assert bool(logged) is warned
