"""Every page that shows a resident's data leaves a row in that resident's access log. The test walks
every GET route of the route x role matrix: a new page must either write one or be named below."""

import pytest
from sqlalchemy import func, select

from tests.conftest import log_in
from tests.test_permissions import MATRIX, ROLES_UNDER_TEST, build_world
from webapp.core.extensions import db
from webapp.core.models import AuditEvent

ALL = frozenset(ROLES_UNDER_TEST)
# Pages that show no resident's data to these roles, and why.
SHOWS_NO_RESIDENT_DATA = {
    "main.home": ALL - {"owner", "other_resident"},      # staff and visitors: links only
    "main.healthz": ALL,
    "main.help_page": ALL,                               # the same explanation for everyone
    "paper_form.blank": ALL,                             # a blank form: empty name and date lines
    "accounts.login": ALL, "accounts.register": ALL, "accounts.activate": ALL, "accounts.reset_password": ALL,
    "accounts.change_password": ALL,                     # a form; nothing about the person
    "accounts.two_factor": ALL,                          # a QR code or a form; no personal data
    "passkeys.manage": ALL,                              # devices and dates; no personal data
    "rights.delete_account": ALL,                        # a confirmation form
    "rights.erase_by_number": ALL,                       # the beheerder types a number; sees nothing
    "accounts.reset_code_by_number": ALL,                # idem
    "accounts.enrol": ALL,                               # an empty form
    "accounts.staff": ALL, "accounts.new_staff": ALL, "accounts.edit_staff": ALL,  # staff accounts
    "accounts.move_residents": ALL,                      # a count, never names
    "caseload.home": {"coach_other"},                    # a coach with nobody to follow sees no one
    "caseload.referrals": {"coach_other"},               # idem
    # Nobody was closed in this world: an empty list (a listed resident is audited: test_close_relation).
    "accounts.closed": ALL,
    "impact.page": ALL, "impact.csv": ALL,               # aggregates with suppression
    "wor.figures": ALL, "wor.figures_csv": ALL,          # idem (Rendementsmeter)
    "wor.prices": ALL,                                   # a price list; nobody's data
    "ops.metrics": ALL,                                  # counts per route name; for Prometheus only
    "wor.new": ALL,                                      # an empty form
    "practices.admin": ALL,                              # practices and dates; nobody's data
    "practices.refer": ALL,                              # an empty form; after sending only a reference
    "wor.mine": {"verwijzer_other"},                     # a verwijzer who referred nobody sees no one
    # Before the first conversation a referral has no resident yet: audited by the referral's id.
    "wor.enrol": ALL,
    "wor.link": ALL,                                     # idem; coach_other follows nobody, so finds no one
    "sociale_kaart.index": ALL, "sociale_kaart.detail": ALL, "sociale_kaart.admin_list": ALL,
    "sociale_kaart.admin_new": ALL, "sociale_kaart.admin_edit": ALL, "sociale_kaart.admin_export": ALL,
    # Offline visits: the manifest, the service worker, the kept visit page (drawn from the device, never
    # from the server) and a form token. The bundle is a POST, audited as offline.bundle.
    "offline.manifest": ALL, "offline.service_worker": ALL, "offline.visit": ALL, "offline.token": ALL,
}


def _audited(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.resident_public_id.is_not(None)))


@pytest.fixture(scope="module")
def world(app):
    from tests.conftest import empty_tables

    empty_tables(app)
    yield build_world(app)
    empty_tables(app)


GET_ROUTES = sorted(e for e, (method, _url, _expected) in MATRIX.items() if method == "GET")


@pytest.mark.shared_world
@pytest.mark.parametrize("endpoint", GET_ROUTES)
def test_every_page_with_a_residents_data_is_audited(app, world, endpoint):
    _method, template, expected = MATRIX[endpoint]
    url = template.format(**world["ids"])
    exempt = SHOWS_NO_RESIDENT_DATA.get(endpoint, frozenset())
    for role in ROLES_UNDER_TEST:
        if expected.get(role, expected.get("*")) != 200 or role in exempt:
            continue
        client = app.test_client()
        if role != "anonymous":
            log_in(client, world["users"][role])
        before = _audited(app)
        assert client.get(url).status_code == 200
        assert _audited(app) > before, f"{endpoint} shows a resident's data to {role} without an audit row"


def test_the_exemptions_name_only_real_routes():
    assert set(SHOWS_NO_RESIDENT_DATA) <= set(MATRIX)


def test_the_hand_over_screen_is_audited(app, client, make_resident, make_staff, login_as):
    resident = make_resident("gerrit")
    coach = make_staff("ouderencoach", share_with=(resident["resident"],))
    login_as(client, coach["user"])
    started = client.post_form(f"/coach/bewoner/{resident['resident']}/samen")
    draft = started.location.split("/")[2]  # /checkin/<draft>/...
    before = _audited(app)
    assert client.get(f"/checkin/{draft}/overdragen").status_code == 200
    assert _audited(app) == before + 1


def test_the_mail_page_is_audited_where_mail_is_configured(app, make_resident, login_as):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    try:
        client = app.test_client()
        login_as(client, make_resident("gerrit")["user"])
        before = _audited(app)
        assert client.get("/account/e-mail").status_code == 200
        assert _audited(app) == before + 1
    finally:
        app.config["MAIL_SERVER"] = None


def test_one_and_many_events_are_written_in_one_insert_of_the_same_columns(app, make_resident):
    """Audit rows go into the table with one Core insert, which takes every row's keys from the first:
    record() and record_many() must give the same keys, and they must be the table's columns."""
    from webapp.core import audit
    from webapp.core.models import Resident

    first, second = make_resident()["resident"], make_resident()["resident"]
    with app.test_request_context("/"):
        resident = db.session.scalar(select(Resident).where(Resident.public_id == first))
        audit.record("resident.view", resident)
        audit.record_many("caseload.view", [first, second])
        pending = list(db.session().info[audit.PENDING])
        assert len({frozenset(row) for row in pending}) == 1
        assert set(pending[0]) <= {column.name for column in AuditEvent.__table__.columns}
        db.session.commit()
        written = db.session.scalars(select(AuditEvent).where(AuditEvent.resident_public_id.in_([first, second]))
                                     .order_by(AuditEvent.id)).all()
        assert [(e.action, e.resident_public_id, e.object_type) for e in written] == [
            ("resident.view", first, None), ("caseload.view", first, "resident"),
            ("caseload.view", second, "resident")]
        assert all(e.at is not None for e in written) and len({e.ip for e in written}) == 1
