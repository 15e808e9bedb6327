"""bench/wrkload.py: the wrk runner the HTTP benchmark measures with. Against a small real server
(werkzeug, threaded) it must send every call as given, count every unexpected status and return a
latency per finished request.

Needs Debian's wrk; skipped with the reason when it is missing, except in CI (env CI), where it fails.
"""

import os
import threading
import time

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from bench.harness import Call, SetupError, free_port
from bench.wrkload import QUANTILES, lua_script, parse_output, run_wrk, wrk_path


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        pass


@pytest.fixture
def server():
    if wrk_path() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test the benchmark's wrk runner, but wrk is not installed")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    seen = []
    lock = threading.Lock()

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with lock:
            seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"],
                         environ.get("HTTP_COOKIE"), environ.get("HTTP_ACCEPT_ENCODING"), body))
        if environ["REQUEST_METHOD"] == "POST":
            status = "302 Found"
        elif environ["PATH_INFO"] == "/weg":
            status = "404 Not Found"
        else:
            status = "200 OK"
        start_response(status, [("Content-Type", "text/plain"), ("Location", "/")])
        return [b"ok"]

    port = free_port()
    httpd = make_server("127.0.0.1", port, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield port, seen
    httpd.shutdown()
    thread.join(timeout=10)


def _later() -> float:
    return time.monotonic() + 120


def test_every_call_is_sent_as_given_and_every_answer_timed(server):
    port, seen = server
    calls = [Call("/a?x=1&y=%C3%A9", 'sessie=een; ander="twee"'), Call("/b", "sessie=twee")]
    result = run_wrk("mix", port, calls, concurrency=4, seconds=1, deadline=_later())
    assert result.errors == 0, result.error_samples
    assert result.done > 50 and result.wall == pytest.approx(1.0, abs=0.5)
    assert len(result.latencies) == result.done
    assert 0 < result.percentile(0.5) <= result.percentile(0.95) < 1000  # ms
    sent = {entry[:5] for entry in seen}
    assert sent == {("GET", "/a", "x=1&y=%C3%A9", 'sessie=een; ander="twee"', "gzip, br"),
                    ("GET", "/b", "", "sessie=twee", "gzip, br")}
    assert result.done <= len(seen) <= result.done + 4  # at most one unanswered request per connection


def test_a_form_post_goes_out_encoded_and_its_redirect_is_the_good_answer(server):
    port, seen = server
    call = Call("/stap", "s=1", "POST", {"antwoord": "6 of 7", "csrf_token": "a/b+c="}, expect=302)
    result = run_wrk("post", port, [call], concurrency=2, seconds=1, deadline=_later())
    assert result.errors == 0 and result.done > 10
    assert {entry[5] for entry in seen} == {b"antwoord=6+of+7&csrf_token=a%2Fb%2Bc%3D"}


def test_an_unexpected_status_counts_as_an_error(server):
    port, seen = server
    result = run_wrk("half wrong", port, [Call("/weg"), Call("/goed")], concurrency=2, seconds=1,
                     deadline=_later())
    wrong = sum(1 for entry in seen if entry[1] == "/weg")
    assert 0 < result.errors <= wrong and result.errors >= result.done // 2 - 2
    assert "status 404" in result.error_samples[0]


def test_no_time_left_sends_nothing(server):
    port, seen = server
    result = run_wrk("late", port, [Call("/a")], concurrency=2, seconds=5, deadline=time.monotonic() + 1)
    assert result.cut_short and result.done == 0 and seen == []


def test_a_scenario_has_one_expected_status_and_at_least_one_call():
    with pytest.raises(SetupError):
        lua_script([Call("/a"), Call("/b", expect=302)])
    with pytest.raises(SetupError):
        lua_script([])


def test_quantiles_become_one_latency_per_request():
    lines = ["VKB summary 1000 2000000 3 1 0 0 0 500,404"]
    lines += [f"VKB quantile {1000 + k}" for k in range(QUANTILES)]
    result = parse_output("x", 1, "\n".join(lines))
    assert result.done == 1000 and result.rate == pytest.approx(500)
    assert result.errors == 4 and result.error_samples == ["3 responses with status 500,404", "1 connect errors"]
    assert result.percentile(0.5) == pytest.approx(1.199, abs=0.002)  # ms: the 200th of 400 quantiles
    assert result.percentile(0.95) == pytest.approx(1.379, abs=0.002)
    with pytest.raises(SetupError):
        parse_output("x", 1, "wrk crashed")
