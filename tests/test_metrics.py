"""/metrics: refused without the token or an allowed address, Prometheus' format with it, no people in it."""

from prometheus_client.parser import text_string_to_metric_families

from tests.checkin_helpers import complete_checkin
from tests.conftest import METRICS_TOKEN
from tests.test_email import inbox  # noqa: F401  (the local SMTP server fixture)
from webapp.ops.rules import may_read_metrics

BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def _families(response) -> dict:
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {family.name: family for family in text_string_to_metric_families(response.get_data(as_text=True))}


def _value(families, name, sample_name, **labels) -> float:
    family = families.get(name)
    if family is None:
        return 0.0
    return sum(s.value for s in family.samples
               if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items()))


def test_metrics_are_refused_without_the_token(client):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer fout"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"}).status_code == 403


def test_metrics_are_off_when_neither_a_token_nor_addresses_are_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert client.get("/metrics", headers=BEARER).status_code == 404


def test_metrics_are_open_to_configured_addresses_only(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    monkeypatch.setitem(app.config, "METRICS_ALLOW", ("10.1.2.0/24", "127.0.0.1"))
    inside = app.test_client()
    inside.environ_base["REMOTE_ADDR"] = "10.1.2.30"
    outside = app.test_client()
    outside.environ_base["REMOTE_ADDR"] = "10.1.3.30"
    assert inside.get("/metrics").status_code == 200
    assert outside.get("/metrics").status_code == 403


def test_the_access_rule():
    assert may_read_metrics("Bearer s3cret", None, "s3cret", ())
    assert may_read_metrics("bearer  s3cret", None, "s3cret", ())
    assert not may_read_metrics("Bearer s3cre", None, "s3cret", ())
    assert not may_read_metrics(None, "127.0.0.1", "s3cret", ())
    assert may_read_metrics(None, "::1", None, ("::1",))
    assert not may_read_metrics(None, "geen-adres", None, ("127.0.0.1",))
    assert not may_read_metrics(None, "127.0.0.1", None, ("geen-net", "10.0.0.0/8"))


def test_metrics_count_requests_latency_checkins_and_database_connections(app, client, make_resident, login_as,
                                                                           kort_items):
    before = _families(client.get("/metrics", headers=BEARER))
    owner = make_resident()
    login_as(client, owner["user"])
    complete_checkin(client, kort_items)
    client.get("/geschiedenis")
    client.get("/bestaat-niet")
    after = _families(client.get("/metrics", headers=BEARER))

    def grew(name, sample, **labels):
        return _value(after, name, sample, **labels) - _value(before, name, sample, **labels)

    assert grew("veerkracht_http_requests", "veerkracht_http_requests_total",
                endpoint="results.history", method="GET", status="200") == 1
    assert grew("veerkracht_http_requests", "veerkracht_http_requests_total", endpoint="none", status="404") >= 1
    assert grew("veerkracht_http_request_duration_seconds", "veerkracht_http_request_duration_seconds_count",
                endpoint="checkin.submit") == 1
    assert grew("veerkracht_http_request_duration_seconds", "veerkracht_http_request_duration_seconds_bucket",
                endpoint="checkin.submit", le="+Inf") == 1
    assert grew("veerkracht_checkins_submitted", "veerkracht_checkins_submitted_total", mode="zelf") == 1
    assert "veerkracht_db_connections_in_use" in after and "veerkracht_db_pool_capacity" in after
    assert _value(after, "veerkracht_db_pool_capacity", "veerkracht_db_pool_capacity") >= 1
    text = client.get("/metrics", headers=BEARER).get_data(as_text=True)
    assert owner["resident"] not in text and owner["username"] not in text and "/geschiedenis" not in text


def test_metrics_count_reminders_by_status_from_the_database(app, client, make_resident):
    """The cron job sends reminders in another process: /metrics counts them in the database."""
    from datetime import date

    from webapp.core.extensions import db
    from webapp.core.models import ReminderSent, Resident

    first, second = make_resident(), make_resident()
    with app.app_context():
        for public_id, status in ((first["resident"], "verzonden"), (second["resident"], "mislukt")):
            resident = db.session.scalar(db.select(Resident).where(Resident.public_id == public_id))
            db.session.add(ReminderSent(resident_id=resident.id, due_on=date(2026, 12, 3), channel="email",
                                        status=status))
        db.session.commit()
    text = client.get("/metrics", headers=BEARER).get_data(as_text=True)
    assert 'veerkracht_reminders{status="verzonden"} 1.0' in text
    assert 'veerkracht_reminders{status="mislukt"} 1.0' in text


def _wants_mail(app, person: dict, verified: bool = True) -> None:
    from datetime import UTC, datetime

    from webapp.core.extensions import db
    from webapp.core.models import Resident, User

    with app.app_context():
        resident = db.session.scalar(db.select(Resident).where(Resident.public_id == person["resident"]))
        resident.reminder = "email"
        user = db.session.get(User, resident.user_id)
        user.email = f"{person['username']}@example.org"
        user.email_verified_at = datetime.now(UTC) if verified else None
        db.session.commit()


def _queue(client) -> dict[str, float]:
    family = _families(client.get("/metrics", headers=BEARER))["veerkracht_job_queue_length"]
    assert family.type == "gauge"
    return {sample.labels["state"]: sample.value for sample in family.samples}


def test_the_job_queue_length_counts_due_reminders_not_sent_yet_by_state(app, client, make_resident, make_checkin,
                                                                         kort_items, inbox):  # noqa: F811
    """Fixture: nine residents who want e-mail reminders, in every state a reminder can be in."""
    from datetime import timedelta

    from tests.conftest import all_answers
    from webapp.core import clock
    from webapp.core.extensions import db
    from webapp.core.models import ReminderSent, Resident
    from webapp.reminders import job
    from webapp.reminders.rules import MAX_ATTEMPTS

    people = {}
    for name, days_ago in (("anna", 49), ("bram", 49), ("cor", 49), ("dirk", 49), ("eva", 49), ("hans", 49),
                           ("ilse", 49), ("fatima", 5)):
        people[name] = make_resident(username=name)
        make_checkin(people[name]["resident"], all_answers(kort_items), days_ago=days_ago,
                     life_event="overlijden_naaste")  # due six weeks later: 7 days ago, or in 37 days
        _wants_mail(app, people[name], verified=name != "ilse")
    without_checkin = make_resident(username="gijs")  # due six weeks after the account began: not yet
    _wants_mail(app, without_checkin)
    with app.app_context():
        today = clock.today()
        due = {d.resident_public_id: d for d in job.due_reminders(today)}
        assert set(due) == {people[n]["resident"] for n in ("anna", "bram", "cor", "dirk", "eva", "hans")}
        ids = dict(db.session.execute(db.select(Resident.public_id, Resident.id)).all())
        for name, status, attempts, on in (
                ("bram", "mislukt", 1, None),              # failed once: tried again at the next run
                ("cor", "mislukt", MAX_ATTEMPTS, None),    # failed too often: given up, not queued
                ("dirk", "verzonden", 1, None),            # sent
                ("eva", "bezig", 1, None),                 # a run is sending it just now
                ("hans", "verzonden", 1, timedelta(days=-42))):  # sent for an earlier date: the new one waits
            public_id = people[name]["resident"]
            db.session.add(ReminderSent(resident_id=ids[public_id], due_on=due[public_id].on + (on or timedelta()),
                                        channel="email", status=status, attempts=attempts, claimed_at=clock.now()))
        db.session.commit()
    assert _queue(client) == {"wachtend": 2, "opnieuw": 1, "bezig": 1}  # anna and hans; bram; eva

    # The job agrees: it sends exactly those it may (eva's fresh claim is another run's), and the queue empties.
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "3 verzonden" in result.output, result.output
    assert sorted(m["To"] for m in inbox.messages) == ["anna@example.org", "bram@example.org", "hans@example.org"]
    assert _queue(client) == {"wachtend": 0, "opnieuw": 0, "bezig": 1}


def test_the_pool_gauge_counts_a_connection_held_elsewhere(app, client):
    from webapp.core.extensions import db

    def in_use() -> float:
        return _value(_families(client.get("/metrics", headers=BEARER)), "veerkracht_db_connections_in_use",
                      "veerkracht_db_connections_in_use")

    before = in_use()
    with app.app_context(), db.engine.connect():
        assert in_use() == before + 1
    assert in_use() == before
