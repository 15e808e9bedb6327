"""The deployment of the README on this machine: nginx (deploy/nginx.conf) in front of two gunicorn
nodes on one PostgreSQL database and one Redis. Whatever node a request lands on, the answer is the
same: sessions, logouts, login limits, charts, reminder jobs, and a node that dies mid-check-in.

Needs nginx, Redis (REDIS_URL, default 127.0.0.1:6379) and PostgreSQL (TEST_DATABASE_URL's server, or
127.0.0.1:5432); skipped with the reason when one is missing, except in CI (env CI), where it fails.
"""

import os
import re
import signal
import threading
import time
from email.utils import parseaddr

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from deploy.localcluster import Browser, Cluster, free_port, missing_services

PASSWORD = "een-lang-wachtwoord-voor-de-test"
TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
ADMIN_URL = TEST_URL if TEST_URL.startswith("postgresql") else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
WAIT_TEXT = "verkeerd wachtwoord getypt. Wacht"


class Inbox(Message):
    """A real SMTP server's mailbox (aiosmtpd): every message the nodes sent."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture(scope="module")
def inbox():
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    yield handler, server.port
    server.stop()


@pytest.fixture(scope="module")
def cluster(inbox, tmp_path_factory):
    missing = missing_services(ADMIN_URL, REDIS_URL)
    if missing:
        if os.environ.get("CI"):
            pytest.fail("CI must run the cluster test, but this machine lacks: " + "; ".join(missing))
        pytest.skip("the two-node set-up needs " + "; ".join(missing))
    _handler, smtp_port = inbox
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), ADMIN_URL, REDIS_URL, nodes=2, workers=1, extra_env={
        "CHART_JOBS": "1",  # a chart runner may run on each node (see the chart runner test)
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_DEFAULT_SENDER": "Veerkracht <test@localhost>"})
    try:
        cluster.start()
        cluster.world = cluster.seed(residents=8, password=PASSWORD, checkins=2, due_reminders=True)
        cluster.start_servers()
        yield cluster
    finally:
        cluster.stop()


def _resident(cluster, n: int) -> dict:
    return cluster.world["residents"][n]


def _logged_in(cluster, n: int, base: str | None = None) -> Browser:
    browser = Browser(cluster.url)
    reply = browser.log_in(_resident(cluster, n)["username"], PASSWORD, base=base)
    assert reply.status == 302 and reply.location == "/", (reply.status, reply.text[:300])
    return browser


def _logged_in_on(browser: Browser, base: str) -> bool:
    """Whether this browser's session counts on that node (the account page, or the login form)."""
    reply = browser.get("/account", base=base)
    assert reply.status in (200, 302), reply.status
    return reply.status == 200


def test_a_session_made_on_one_node_counts_on_the_other_and_through_the_proxy(cluster):
    node_a, node_b = (node.url for node in cluster.nodes)
    browser = _logged_in(cluster, 0, base=node_a)
    assert _logged_in_on(browser, node_b)
    assert _logged_in_on(browser, node_a)
    for _ in range(4):  # the proxy sends these to both nodes in turn
        assert _logged_in_on(browser, cluster.url)
    assert not _logged_in_on(Browser(cluster.url), node_b)  # and nobody else is


def test_logout_on_one_node_ends_the_session_on_both(cluster):
    node_a, node_b = (node.url for node in cluster.nodes)
    browser = _logged_in(cluster, 1, base=node_a)
    stolen = browser.copy()  # the same cookie, kept elsewhere
    assert _logged_in_on(stolen, node_a) and _logged_in_on(stolen, node_b)
    reply = browser.post_form("/uitloggen", base=node_b)
    assert reply.status == 302
    assert not _logged_in_on(browser, node_a)
    assert not _logged_in_on(stolen, node_a)
    assert not _logged_in_on(stolen, node_b)
    assert not _logged_in_on(stolen, cluster.url)


def test_wrong_passwords_through_both_nodes_count_once_against_the_login_limit(cluster):
    """Five free wrong passwords per account, then a wait; ten tries per 15 minutes per account and
    address. Split over two nodes, the attempts add up: neither node alone saw five or ten."""
    nodes = [node.url for node in cluster.nodes]
    username = _resident(cluster, 2)["username"]
    for attempt in range(5):  # A, B, A, B, A: node A saw three failures, node B two
        reply = Browser(cluster.url).log_in(username, "niet-het-wachtwoord", base=nodes[attempt % 2])
        assert reply.status == 400 and "horen niet bij elkaar" in reply.text, attempt
    # The sixth, on node B, even with the right password: wait first.
    sixth = Browser(cluster.url).log_in(username, PASSWORD, base=nodes[1])
    assert sixth.status == 400 and WAIT_TEXT in sixth.text
    for attempt in range(6, 10):
        assert Browser(cluster.url).log_in(username, "niet-het-wachtwoord", base=nodes[attempt % 2]).status == 400
    # The eleventh attempt from this address for this account is refused outright, on either node.
    assert Browser(cluster.url).log_in(username, PASSWORD, base=nodes[0]).status == 429
    assert Browser(cluster.url).log_in(username, PASSWORD, base=nodes[1]).status == 429
    assert Browser(cluster.url).log_in(username, PASSWORD).status == 429


def _charts_drawn(cluster) -> float:
    return sum(cluster.metric(i, "veerkracht_charts_drawn_total") for i in range(len(cluster.nodes)))


def test_a_chart_asked_for_on_both_nodes_at_once_is_drawn_once(cluster):
    resident = _resident(cluster, 3)
    browser = _logged_in(cluster, 3)
    node_a, node_b = (node.url for node in cluster.nodes)
    older, newer = resident["checkins"]
    before = _charts_drawn(cluster)
    paths = [f"/grafiek/{newer}.svg", f"/grafiek/{newer}.svg?vs={older}", f"/grafiek/{older}.svg"]
    for path in paths:
        start = threading.Barrier(2)
        replies = {}

        def fetch(base, path=path, start=start, replies=replies):
            start.wait()
            replies[base] = browser.get(path, base=base)

        threads = [threading.Thread(target=fetch, args=(base,)) for base in (node_a, node_b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [r.status for r in replies.values()] == [200, 200], path
        assert replies[node_a].text == replies[node_b].text and replies[node_a].text.lstrip().startswith("<?xml")
    rows = cluster.sql("SELECT count(*) FROM chart_image c JOIN measurement m ON m.id = c.measurement_id "
                       "WHERE m.public_id IN (%s, %s)", older, newer)
    assert rows == [(len(paths),)]  # one row per chart
    assert _charts_drawn(cluster) - before == len(paths)  # and each was drawn once, on one node


def test_the_reminder_job_on_both_nodes_at_once_sends_each_reminder_once(cluster, inbox):
    handler, _port = inbox
    handler.messages.clear()
    runs = [cluster.flask_async("send-reminders", node=i) for i in (0, 1, 0, 1)]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], [err[-2000:] for _out, err in outputs]
    expected = sorted(f"{r['username']}@example.org" for r in cluster.world["residents"])
    assert sorted(parseaddr(m["To"])[1] for m in handler.messages) == expected
    sent = sum(int(out.split(" verzonden")[0].split()[-1]) for out, _err in outputs)
    assert sent == len(expected)
    assert cluster.sql("SELECT status, count(*) FROM reminder_sent GROUP BY status") == [("verzonden", len(expected))]
    # Later runs (cron, every hour, on every node) find nothing left to send.
    assert "0 verzonden" in cluster.flask("send-reminders", node=1).stdout
    assert len(handler.messages) == len(expected)


def test_chart_runners_on_both_nodes_draw_a_sent_checkins_chart_once_before_it_is_asked(cluster):
    """`flask draw-charts --follow` on each node: the chart of a check-in sent through the proxy is drawn
    by one runner, outside the web requests, and the result page's chart is served as stored. (After the
    reminder test: this resident's new check-in makes their reminder no longer due.)"""
    runners = [cluster.flask_async("draw-charts", "--follow", node=i) for i in (0, 1)]
    try:
        # Both runners listening: they have started (matplotlib loaded) and stop calmly on SIGTERM. One
        # still starting when the test ends would be killed by it (-15), which tells nothing.
        listening = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND query ILIKE 'LISTEN %%'")
        deadline = time.monotonic() + 60
        while cluster.sql(listening) != [(2,)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cluster.sql(listening) == [(2,)], "the chart runners did not start within a minute"
        drawn_by_nodes = _charts_drawn(cluster)
        pillars = list(cluster.world["items"].values())
        browser = _logged_in(cluster, 6)
        draft, token = _start_checkin(browser, "verhuizing")
        for step, items in enumerate(pillars, start=1):
            assert browser.post_form(f"/checkin/{draft}/stap/{step}", _step_data(token, items, 6)).status == 302
        done = browser.post_form(f"/checkin/{draft}/versturen")
        assert done.status == 302 and done.location.startswith("/uitslag/")
        checkin = done.location.rsplit("/", 1)[1]
        stored = ("SELECT count(*) FROM chart_image c JOIN measurement m ON m.id = c.measurement_id "
                  "WHERE m.public_id = %s")
        deadline = time.monotonic() + 60  # the runners' start-up (matplotlib) included
        while cluster.sql(stored, checkin) == [(0,)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cluster.sql(stored, checkin) == [(1,)] and cluster.sql("SELECT count(*) FROM chart_job") == [(0,)]
        page = browser.get(done.location)
        chart = browser.get(re.search(r'src="(/grafiek/[^"]+)"', page.text).group(1).replace("&amp;", "&"))
        assert chart.status == 200 and chart.text.lstrip().startswith("<?xml")
        assert _charts_drawn(cluster) == drawn_by_nodes  # no web worker drew it
        assert cluster.sql(stored, checkin) == [(1,)]
    finally:
        for runner in runners:
            runner.send_signal(signal.SIGTERM)
        outputs = [runner.communicate(timeout=60) for runner in runners]
    assert [runner.returncode for runner in runners] == [0, 0], [err[-2000:] for _out, err in outputs]
    drawn = [int(n) for out, _err in outputs for n in re.findall(r"Grafieken getekend: (\d+)", out)]
    assert sum(drawn) == 1, outputs


def _start_checkin(browser: Browser, life_event: str) -> tuple[str, str]:
    """Start a check-in and answer the life-event question; returns the draft id and the CSRF token."""
    started = browser.post_form("/checkin/start")
    assert started.status == 302
    draft = started.location.split("/")[2]
    token = browser.csrf_token()
    event = browser.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": life_event, "csrf_token": token})
    assert event.status == 302
    return draft, token


def _status(access_line: str) -> int:
    """The status nginx answered, from a line of deploy/nginx.conf's access log format."""
    return int(access_line.split("] ", 1)[1].split()[2])


def _step_data(token: str, items: list[str], score: int) -> dict:
    return {"action": "next", "csrf_token": token, **{item: str(score) for item in items}}


def test_killing_a_node_mid_checkin_loses_nothing(cluster):
    """SIGKILL one node (master and workers) halfway: the proxy sends the rest to the other node, the
    draft's answers from before are all there and the check-in is stored once."""
    resident = _resident(cluster, 4)
    pillars = list(cluster.world["items"].values())
    browser = _logged_in(cluster, 4)
    draft, token = _start_checkin(browser, "verhuizing")
    # Step 1 saved by node A, step 2 by node B, step 3 by whichever the proxy picks.
    for step, base in ((1, cluster.nodes[0].url), (2, cluster.nodes[1].url), (3, None)):
        data = _step_data(token, pillars[step - 1], step)
        reply = browser.post_form(f"/checkin/{draft}/stap/{step}", data, base=base)
        assert reply.status == 302, reply.text[:300]
    node_a, node_b = (f"127.0.0.1:{node.port}" for node in cluster.nodes)

    cluster.kill_node(0, signal.SIGKILL)
    try:
        resumed = browser.get(f"/checkin/{draft}")
        assert resumed.status == 302 and resumed.location.endswith("/stap/4")
        for step, items in enumerate(pillars[3:], start=4):
            page = browser.get(f"/checkin/{draft}/stap/{step}")
            assert page.status == 200
            reply = browser.post_form(f"/checkin/{draft}/stap/{step}", _step_data(token, items, step))
            assert reply.status == 302, reply.text[:300]
        assert browser.get(f"/checkin/{draft}/klaar").status == 200
        done = browser.post_form(f"/checkin/{draft}/versturen")
        assert done.status == 302 and done.location.startswith("/uitslag/")
        assert browser.get(done.location).status == 200
        # Sent again, as after an error page: the finished draft leads to its one result.
        again = browser.post_form(f"/checkin/{draft}/versturen")
        assert (again.status, again.location) == (302, done.location)
        checkins = cluster.sql(
            "SELECT m.id FROM measurement m JOIN resident r ON r.id = m.resident_id "
            "WHERE r.public_id = %s AND m.life_event = 'verhuizing'", resident["resident"])
        assert len(checkins) == 1
        answers = dict(cluster.sql("SELECT item_id, score FROM answer WHERE measurement_id = %s", checkins[0][0]))
        expected = {item: step for step, items in enumerate(pillars, start=1) for item in items}
        assert answers == expected
        assert cluster.sql("SELECT count(*) FROM measurement m JOIN draft d ON d.id = m.draft_id "
                           "WHERE d.public_id = %s", draft) == [(1,)]
        assert "Traceback" not in cluster.node_log(1)
        after = [line for line in cluster.access_log() if f"/checkin/{draft}" in line or "/uitslag/" in line]
        assert after and all(_status(line) < 500 for line in after)  # no error page reached the browser
        # nginx tried the dead node once, then sent it (and everything after) to node B.
        assert any(f"upstream={node_a}, {node_b}" in line for line in cluster.access_log())
    finally:  # node A back, as after a restart (nginx tries it again after fail_timeout)
        cluster.start_node(0)
        cluster.wait_healthy(cluster.nodes[0].url, process=cluster.nodes[0].process)


def _until_the_proxy_uses(cluster, node, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        Browser(cluster.url).get("/healthz")
        if cluster.access_log()[-1].split("upstream=")[1].split()[0] == f"127.0.0.1:{node.port}":
            return
        time.sleep(0.5)
    raise AssertionError(f"nginx sent nothing to {node.url} in {seconds} s")


def test_a_node_that_dies_while_saving_a_step_costs_only_that_step(cluster):
    """A node frozen and then killed with a step's POST in its hands: nginx does not send a POST twice
    (it might have been saved), so the resident gets the calm page from deploy/, sends the step again,
    and every answer, from before and after, ends up in one check-in."""
    resident = _resident(cluster, 5)
    pillars = list(cluster.world["items"].values())
    browser = _logged_in(cluster, 5)
    draft, token = _start_checkin(browser, "pensioen")
    assert browser.post_form(f"/checkin/{draft}/stap/1", _step_data(token, pillars[0], 1)).status == 302
    step_2 = _step_data(token, pillars[1], 2)
    node_a = cluster.nodes[0]
    _until_the_proxy_uses(cluster, node_a)  # after the test above, nginx skips node A for fail_timeout
    os.killpg(node_a.process.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        in_flight = None
        for _ in range(4):  # the proxy takes the nodes in turn: one of these lands on node A
            replies = []
            sender = threading.Thread(target=lambda replies=replies: replies.append(
                browser.post_form(f"/checkin/{draft}/stap/2", step_2)))
            sender.start()
            sender.join(timeout=3)
            if sender.is_alive():
                in_flight = (sender, replies)
                break
            assert replies[0].status == 302  # node B saved step 2
        assert in_flight is not None, "no request reached the frozen node"
        cluster.kill_node(0, signal.SIGKILL)
        sender, replies = in_flight
        sender.join(timeout=30)
        assert replies[0].status == 502 and "Dat lukte even niet" in replies[0].text
    finally:
        if node_a.process.poll() is None:
            cluster.kill_node(0, signal.SIGKILL)
        cluster.start_node(0)
        cluster.wait_healthy(node_a.url, process=node_a.process)
    # The resident goes back and sends step 2 again; the rest goes as usual.
    for step, items in enumerate(pillars[1:], start=2):
        reply = browser.post_form(f"/checkin/{draft}/stap/{step}", _step_data(token, items, step))
        assert reply.status == 302, (step, reply.status)
    done = browser.post_form(f"/checkin/{draft}/versturen")
    assert done.status == 302 and done.location.startswith("/uitslag/")
    checkins = cluster.sql("SELECT m.id FROM measurement m JOIN draft d ON d.id = m.draft_id WHERE d.public_id = %s",
                           draft)
    assert len(checkins) == 1
    answers = dict(cluster.sql("SELECT item_id, score FROM answer WHERE measurement_id = %s", checkins[0][0]))
    assert answers == {item: step for step, items in enumerate(pillars, start=1) for item in items}
    assert cluster.sql("SELECT count(*) FROM measurement m JOIN resident r ON r.id = m.resident_id "
                       "WHERE r.public_id = %s AND m.life_event = 'pensioen'", resident["resident"]) == [(1,)]
