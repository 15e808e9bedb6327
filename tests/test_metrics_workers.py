"""/metrics under gunicorn with two workers (issue 22): the counts of both workers add up.

Starts the documented production command (`gunicorn -w 2 --preload 'webapp:create_app()'`, which
reads ./gunicorn.conf.py) on a fresh SQLite database with PROMETHEUS_MULTIPROC_DIR set, sends
requests until both workers have answered some, and reads /metrics once: the request counter must
be the sum over the workers, exactly the number of requests sent.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "metrics-token-for-the-worker-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a local test server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def two_workers(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'metrics.sqlite'}", SECRET_KEY="metrics-test-secret",
               METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"), PYTHONUNBUFFERED="1")
    migrated = subprocess.run([str(BIN / "flask"), "--app", "webapp", "db", "upgrade"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "--preload", "-b", f"127.0.0.1:{port}",
                                "webapp:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            if process.poll() is not None:
                pytest.fail((tmp_path / "gunicorn.log").read_text())
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield port, tmp_path / "prometheus"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _healthz_count(text: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "veerkracht_http_requests_total" and sample.labels.get("endpoint") == "main.healthz")


def test_metrics_add_up_over_both_workers(two_workers):
    port, folder = two_workers
    status, before = _get(port, "/metrics", TOKEN)
    assert status == 200
    start = _healthz_count(before)
    sent = 0
    # Keep-alive-free requests land on either worker; send until both have written their counts.
    while sent < 400:
        for _ in range(20):
            assert _get(port, "/healthz")[0] == 200
            sent += 1
        if len({path.name.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}) >= 2:
            break
    workers = {path.name.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}
    assert len(workers) >= 2, f"only one worker answered {sent} requests"
    status, after = _get(port, "/metrics", TOKEN)
    assert status == 200 and _healthz_count(after) - start == sent
    assert _get(port, "/metrics")[0] == 403  # still closed without the token
