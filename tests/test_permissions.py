"""Every route x every role: a new route without a rule here fails the suite."""

import pytest

from tests.checkin_helpers import answer_steps, start_checkin
from tests.conftest import _HASH, all_answers
from webapp.extensions import db
from webapp.models import ROLES, User

ROLES_UNDER_TEST = ("anonymous", "owner", "other_resident", "ouderencoach", "welzijnscoach", "beheerder")
LOGIN = "login"  # redirect to the login page

# endpoint -> (method, url template, {role: expected status}); "*" is every role not named.
MATRIX = {
    "main.home": ("GET", "/", {"*": 200}),
    "main.healthz": ("GET", "/healthz", {"*": 200}),
    "main.set_language": ("POST", "/taal", {"*": 302}),
    "auth.login": ("GET", "/inloggen", {"anonymous": 200, "*": 302}),
    "auth.register": ("GET", "/registreren", {"anonymous": 200, "*": 302}),
    "auth.logout": ("POST", "/uitloggen", {"anonymous": LOGIN, "*": 302}),
    "checkin.start": ("POST", "/checkin/start", {"anonymous": LOGIN, "owner": 302, "other_resident": 302, "*": 403}),
    "checkin.resume": ("GET", "/checkin/{draft}", {"anonymous": LOGIN, "owner": 302, "other_resident": 404, "*": 403}),
    "checkin.life_event": ("GET", "/checkin/{draft}/gebeurtenis",
                           {"anonymous": LOGIN, "owner": 200, "other_resident": 404, "*": 403}),
    "checkin.step": ("GET", "/checkin/{draft}/stap/1",
                     {"anonymous": LOGIN, "owner": 200, "other_resident": 404, "*": 403}),
    "checkin.review": ("GET", "/checkin/{draft}/klaar",
                       {"anonymous": LOGIN, "owner": 200, "other_resident": 404, "*": 403}),
    "checkin.submit": ("POST", "/checkin/{draft}/versturen",
                       {"anonymous": LOGIN, "owner": 302, "other_resident": 404, "*": 403}),
    "checkin.discard": ("POST", "/checkin/{draft}/weggooien",
                        {"anonymous": LOGIN, "owner": 302, "other_resident": 404, "*": 403}),
    "checkin.result": ("GET", "/uitslag/{measurement}",
                       {"anonymous": LOGIN, "owner": 200, "other_resident": 404, "*": 403}),
    "checkin.history": ("GET", "/geschiedenis", {"anonymous": LOGIN, "owner": 200, "other_resident": 200, "*": 403}),
    "checkin.compare": ("GET", "/geschiedenis/vergelijken?a={measurement}&b={earlier}",
                        {"anonymous": LOGIN, "owner": 200, "other_resident": 404, "*": 403}),
    "checkin.chart": ("GET", "/grafiek/{measurement}.svg?vs={earlier}",
                      {"anonymous": LOGIN, "owner": 200, "other_resident": 404, "*": 403}),
}


def test_every_route_has_a_rule_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(MATRIX), "add the new route to MATRIX with the expected outcome for every role"


def test_admin_roles_exist():
    assert set(ROLES) == {"bewoner", "ouderencoach", "welzijnscoach", "beheerder"}


@pytest.fixture
def world(app, client, make_resident, make_measurement, login_as, kort_items):
    """An owner with a finished check-in, an earlier one and a draft at the review step."""
    owner = make_resident()
    other = make_resident()
    earlier = make_measurement(owner["resident"], all_answers(kort_items, 4), days_ago=30)
    measurement = make_measurement(owner["resident"], all_answers(kort_items, 6))
    login_as(client, owner["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    users = {"owner": owner["user"], "other_resident": other["user"]}
    with app.app_context():
        for role in ("ouderencoach", "welzijnscoach", "beheerder"):
            user = User(username=f"test-{role}", password_hash=_HASH, role=role)
            db.session.add(user)
            db.session.commit()
            users[role] = user.public_id
    return {"users": users, "ids": {"draft": draft, "measurement": measurement, "earlier": earlier}}


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_each_role_as_expected(app, world, login_as, endpoint):
    method, template, expected = MATRIX[endpoint]
    url = template.format(**world["ids"])
    for role in ROLES_UNDER_TEST:
        client = app.test_client()
        if role != "anonymous":
            login_as(client, world["users"][role])
        want = expected.get(role, expected["*"])
        if method == "POST":
            response = client.post_form(url, {"lang": "nl"})
        else:
            response = client.get(url)
        if want == LOGIN:
            assert response.status_code == 302, (endpoint, role)
            assert response.location.startswith("/inloggen"), (endpoint, role)
        else:
            assert response.status_code == want, (endpoint, role, response.status_code)
