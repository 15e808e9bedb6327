"""Health check, security headers, language switch and the demo data command."""

from sqlalchemy import func, select

from webapp import create_app
from webapp.core.extensions import db
from webapp.core.models import Checkin, Resident, User
from webapp.core.models._base import as_utc


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({
        "SECRET_KEY": "x", "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/none.sqlite",
    })
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_security_headers_on_every_page(client, make_resident, login_as):
    login_as(client, make_resident()["user"])
    for url in ("/", "/geschiedenis", "/bestaat-niet"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/")
    response = client.post_form("/taal", {"lang": "en"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_switch_to_english_and_back(client):
    response = client.post_form("/taal", {"lang": "en", "next": "/inloggen"})
    assert response.location == "/inloggen"
    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page
    client.post_form("/taal", {"lang": "nl"})
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post_form("/taal", {"lang": "xx", "next": "//evil.example"})
    assert response.location == "/"
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)


def test_seed_demo_creates_fictional_residents_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "anna" in result.output
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "al gegevens" in again.output
    with app.app_context():
        # 3 residents, coach, beheerder, verwijzer
        assert db.session.scalar(select(func.count()).select_from(User)) == 6
        named = select(Resident.id).where(Resident.user_id.is_not(None) | Resident.display_name.is_not(None))
        # 3 residents and the enrolled resident with four check-ins each
        assert db.session.scalar(select(func.count()).where(Checkin.resident_id.in_(named))) == 16
        # nameless residents without a login, only there so the Impact figures show numbers
        unnamed = db.session.scalars(select(Resident).where(Resident.id.not_in(named))).all()
        assert len(unnamed) >= 100 and not any(r.user_id or r.display_name for r in unnamed)


def test_every_demo_person_tells_one_story(app):
    """A demo resident without a login (mevr. Bakker, no phone) cannot have filled anything in alone:
    every check-in was done together with the coach who enrolled her, after she agreed to it."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        from webapp.core.models import CoachRelation

        people = db.session.scalars(select(Resident).where(Resident.user_id.is_(None),
                                                           Resident.display_name.is_not(None))).all()
        assert people, "the demo has an enrolled resident without a login"
        for person in people:
            relation = db.session.scalar(select(CoachRelation).where(CoachRelation.resident_id == person.id))
            checkins = db.session.scalars(select(Checkin).where(Checkin.resident_id == person.id)).all()
            assert checkins
            for checkin in checkins:
                assert checkin.mode == "samen" and checkin.coach_id == relation.coach_id, person.display_name
                assert checkin.completed_at.date() >= relation.consent_date
                assert as_utc(checkin.completed_at) >= as_utc(relation.started_at)


def test_demo_resident_sees_history_over_months(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    client.post_form("/inloggen", {"username": "anna", "password": "veerkracht-demo"})
    page = client.get("/geschiedenis").get_data(as_text=True)
    assert page.count('<li class="card">') == 4


def test_demo_activities_import_cleanly_and_cover_every_pillar_and_life_event(app):
    from datetime import date

    from webapp.core.definitions import life_events
    from webapp.core.questionnaires import PILLAR_IDS
    from webapp.sociale_kaart import service as activities

    with app.app_context():
        assert activities.seed_demo_activities() >= 35
        current = activities.current_activities(date(2026, 11, 24))
        for pillar in PILLAR_IDS:
            assert sum(pillar in a.pillars for a in current) >= 5, pillar
        for event in life_events().events:
            if event.id != "geen":
                assert sum(event.id in a.life_events for a in current) >= 2, event.id
        assert activities.seed_demo_activities() == 0  # only into an empty catalogue


def test_demo_staff_log_in_with_the_published_demo_key(app, client):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    assert client.post_form("/inloggen", {"username": "marieke", "password": "veerkracht-demo"}).location \
        == "/inloggen/tweede-stap"
    code = runner.invoke(args=["demo-code", "marieke"]).output.strip()
    assert len(code) == 6 and code.isdigit()
    assert client.post_form("/inloggen/tweede-stap", {"code": code}).status_code == 302
    assert client.get("/coach").status_code == 200
    refused = runner.invoke(args=["demo-code", "anna"])  # not a demo staff key: nothing printed
    assert refused.exit_code != 0 and "geen demo-account" in refused.output
