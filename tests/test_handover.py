"""The hand-over lock: while the resident holds the coach's tablet, only the check-in can be reached."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests import test_visits
from tests.checkin_helpers import draft_id_from
from tests.test_visits import _answer_all, _start_visit, _take_back, _uitgebreid_items
from webapp.visits.rules import ALWAYS, DRAFT_SCREENS, RESULT_SCREENS

UNLOCK = "/overdracht/terug"
visit = test_visits.visit  # the coach with an enrolled resident, logged in on the tablet


class _Targets(HTMLParser):
    """Every place a page can lead to: links, form actions and buttons' formaction."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "form":
            self.forms.append((attrs.get("method", "get").lower(), attrs.get("action") or ""))
        if tag == "button" and attrs.get("formaction"):
            self.forms.append(("post", attrs["formaction"]))


def _targets(html: str) -> _Targets:
    parser = _Targets()
    parser.feed(html)
    return parser


def _inside(url: str, page: str, draft: str, checkin: str | None) -> bool:
    """Whether a link or form target stays inside this check-in (or is the way back to the coach)."""
    if url.startswith("#") or url.startswith("tel:"):
        return True
    parts = urlsplit(url or page)
    if parts.scheme or parts.netloc:
        return False  # another site
    path = parts.path
    allowed = [rf"/checkin/{draft}(/.*)?", re.escape(UNLOCK), "/taal", r"/static/.*"]
    if checkin:
        allowed += [rf"/uitslag/{checkin}", rf"/grafiek/{checkin}\.svg"]
    return any(re.fullmatch(pattern, path) for pattern in allowed)


def _walk(client, page: str, draft: str, checkin: str | None, seen: dict) -> None:
    """Open a page, check where everything on it leads, and follow each link (not yet seen)."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    html = response.get_data(as_text=True)
    assert "Mijn bewoners" not in html and "Uitloggen" not in html, page
    found = _targets(html)
    for link in found.links:
        assert _inside(link, page, draft, checkin), (page, link)
    for _method, action in found.forms:
        assert _inside(action, page, draft, checkin), (page, action)
    seen[page] = html
    for link in found.links:
        target = urlsplit(link)
        if link.startswith(("#", "tel:")) or target.path in seen or target.path.startswith("/static/"):
            continue
        opened = client.get(link)
        if opened.status_code == 302:  # e.g. "Toch niet: verder met de check-in" -> the current screen
            assert opened.location != UNLOCK, (page, link)
            continue
        _walk(client, target.path, draft, checkin, seen)


def test_every_link_and_form_on_the_handover_pages_stays_inside_the_checkin(app, client, visit):
    items = _uitgebreid_items(app)
    draft = _start_visit(client, visit["resident"])
    seen: dict = {}
    # Before any answer: the hand-over page, the life-event screen, the unlock page, a missing page.
    for page in (f"/checkin/{draft}/overdragen", f"/checkin/{draft}/gebeurtenis", UNLOCK, "/geen-pagina"):
        if page == "/geen-pagina":
            html = client.get(page).get_data(as_text=True)
            assert all(_inside(link, page, draft, None) for link in _targets(html).links)
            continue
        _walk(client, page, draft, None, seen)
    _answer_all(client, draft, items)
    for step in range(1, 7):
        _walk(client, f"/checkin/{draft}/stap/{step}", draft, None, seen)
    _walk(client, f"/checkin/{draft}/klaar", draft, None, seen)
    result = client.post_form(f"/checkin/{draft}/versturen").location
    checkin = urlsplit(result).path.rsplit("/", 1)[-1]
    _walk(client, result, draft, checkin, seen)
    result_page = seen[result]
    assert "Terug naar de coach" in result_page and "Het gesprek" not in result_page
    assert "Wat kan helpen?" not in result_page  # activities come later, with the coach
    assert len(seen) >= 11


def test_the_language_switch_stays_on_the_checkin(app, client, visit):
    draft = _start_visit(client, visit["resident"])
    response = client.post_form("/taal", {"lang": "en", "next": f"/checkin/{draft}/gebeurtenis"})
    assert response.location == f"/checkin/{draft}/gebeurtenis"
    page = client.get(response.location).get_data(as_text=True)
    assert "Back to the coach" in page and "My residents" not in page


def _dummy_url(rule) -> str:
    values = {arg: 1 if type(rule._converters[arg]).__name__ == "IntegerConverter" else "x" for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_every_other_route_leads_to_the_unlock_page_during_a_handover(app, client, visit):
    """Enforced on the server for every route, not only by hiding links."""
    draft = _start_visit(client, visit["resident"])
    token = client.csrf_token()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ALWAYS or rule.endpoint in DRAFT_SCREENS or rule.endpoint in RESULT_SCREENS:
            continue
        url = _dummy_url(rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 302 and response.location == UNLOCK, (rule.endpoint, method, url)
            checked += 1
    assert checked > 80
    # The coach's own pages by their real addresses too.
    for url in ("/coach", f"/coach/bewoner/{visit['resident']}", "/", "/wat-is-er-te-doen", "/coach/verwijzingen"):
        assert client.get(url).location == UNLOCK, url
    # Another draft's screens, and this check-in's conversation (a POST on the result), stay shut.
    assert client.get("/checkin/anders/stap/1").location == UNLOCK
    assert client.post_form("/uitloggen").location == UNLOCK
    assert client.get(f"/checkin/{draft}/stap/1").status_code in (200, 302)


def test_only_the_coachs_password_opens_the_coachs_screens(app, client, visit):
    items = _uitgebreid_items(app)
    draft = _start_visit(client, visit["resident"])
    _answer_all(client, draft, items)
    result = client.post_form(f"/checkin/{draft}/versturen").location
    page = client.get(UNLOCK).get_data(as_text=True)
    assert "Wachtwoord van de coach" in page
    wrong = _take_back(client, "raden-maar")
    assert wrong.status_code == 400
    assert "Dit wachtwoord klopt niet" in wrong.get_data(as_text=True)
    assert client.get("/coach").location == UNLOCK
    assert client.post_form(result, {"coach_notes": "x"}).location == UNLOCK  # the conversation is locked too
    assert _take_back(client).location == result + "#plan"
    assert client.get("/coach").status_code == 200
    assert "Het gesprek" in client.get(result).get_data(as_text=True)


def test_taking_back_before_klaar_leads_to_the_resident(app, client, visit):
    draft = _start_visit(client, visit["resident"])
    assert _take_back(client).location == f"/coach/bewoner/{visit['resident']}"
    # The coach may hand the tablet over again and the resident goes on where they were.
    assert client.get(f"/checkin/{draft}/overdragen").status_code == 200
    assert client.get("/coach").location == UNLOCK
    assert draft_id_from(f"/checkin/{draft}") == draft


def test_unlock_without_a_handover_goes_to_the_caseload(app, client, visit):
    assert client.get(UNLOCK).location == "/coach"


def test_a_residents_own_checkin_has_no_lock(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    response = client.post_form("/checkin/start")
    page = client.get(response.location).get_data(as_text=True)
    assert "Terug naar de coach" not in page and "Mijn check-ins" in page


@pytest.mark.parametrize("endpoint", sorted(ALWAYS - {None, "static"}))
def test_always_reachable_routes_exist(app, endpoint):
    assert endpoint in {rule.endpoint for rule in app.url_map.iter_rules()}


def test_the_coachs_own_passkey_also_unlocks(app, client, visit, make_resident, login_as):
    from tests.soft_authenticator import SoftAuthenticator
    from tests.test_passkeys import add_passkey

    coach_phone = SoftAuthenticator()
    assert add_passkey(client, coach_phone, password=test_visits.COACH_PASSWORD).status_code == 200
    resident_phone = SoftAuthenticator()
    other = app.test_client()
    login_as(other, make_resident("anna")["user"])
    assert add_passkey(other, resident_phone).status_code == 200

    _start_visit(client, visit["resident"])
    page = client.get(UNLOCK).get_data(as_text=True)
    assert "Ontgrendelen met inlogsleutel" in page and "/overdracht/terug/inlogsleutel/opties" in page
    options = client.post_json("/overdracht/terug/inlogsleutel/opties").get_json()
    assert len(options["allowCredentials"]) == 1  # only the coach's own passkeys
    # The resident's own passkey (on their phone, in the same room) does not unlock the coach's screens.
    foreign = client.post_json("/overdracht/terug/inlogsleutel", resident_phone.sign(options))
    assert foreign.status_code == 400
    assert client.get("/coach").location == UNLOCK
    options = client.post_json("/overdracht/terug/inlogsleutel/opties").get_json()
    done = client.post_json("/overdracht/terug/inlogsleutel", coach_phone.sign(options))
    assert done.status_code == 200 and done.get_json()["redirect"] == f"/coach/bewoner/{visit['resident']}"
    assert client.get("/coach").status_code == 200


def test_any_screen_of_the_visit_locks_the_tablet_not_only_the_handover_page(app, client, visit):
    response = client.post_form(f"/coach/bewoner/{visit['resident']}/samen")
    draft = draft_id_from(response.location)
    assert client.get(f"/checkin/{draft}/gebeurtenis").status_code == 200  # straight to the first screen
    assert client.get("/coach").location == UNLOCK
