"""A home visit without network on a tablet (1024x768 and 768x1024), with Chromium's offline emulation:
prepare, go offline, answer all 24 questions through a reload and a closed page, see the badge, go
online, and find exactly one new check-in."""

import random
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.conftest import log_out, staff_log_in
from tests.e2e.test_checkin_browser import assert_no_axe_violations, assert_no_horizontal_scroll
from webapp.accounts import service as people
from webapp.core import scoring
from webapp.core.extensions import db
from webapp.core.models import Checkin, Draft, OfflineVisit, Referral

pytestmark = pytest.mark.e2e
COACH_PASSWORD = "coach-wachtwoord-lang"
NAME = "dhr. P. Smit"


@pytest.fixture
def enrolled(app, kort_items):
    from tests.conftest import all_answers, new_checkin

    with app.test_request_context():
        coach = people.create_staff("ineke", COACH_PASSWORD, ["ouderencoach"], "Ineke de Boer")
        resident = people.enrol_resident(coach, NAME, 1938, "Centrum", date(2026, 11, 2), "mondeling")
        db.session.commit()
        ids = {"coach": coach.username, "resident": resident.public_id}
    new_checkin(app, ids["resident"], all_answers(kort_items, 5), days_ago=60)
    with app.test_request_context():  # an activity the resident wanted to try: asked about at the visit
        from webapp.core.models import Activity, Resident, User
        from webapp.referrals import service as referrals

        resident = db.session.scalar(select(Resident).where(Resident.public_id == ids["resident"]))
        activity = Activity(name="Wandelgroep De Beemden", organisation="Welzijn", description="Samen wandelen.",
                            pillars=["lichaam"], last_verified_on=date.today())
        db.session.add(activity)
        db.session.flush()
        coach = db.session.scalar(select(User).where(User.username == ids["coach"]))
        ids["referral"] = referrals.propose(resident, activity, None, coach).public_id
        db.session.commit()
    return ids


def _checkins(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Checkin))


def _prepare(page, resident_id: str) -> None:
    page.goto(f"/coach/bewoner/{resident_id}")
    page.get_by_role("link", name="Bezoek voorbereiden").click()
    expect(page.get_by_role("heading", name=f"Bezoek voorbereiden: {NAME}")).to_be_visible()
    page.get_by_role("button", name="Bezoek voorbereiden").click()
    expect(page.get_by_text("Klaar. Dit bezoek staat op dit apparaat.")).to_be_visible()


def _open_visit(page) -> None:
    page.goto("/bezoek-zonder-internet")
    page.get_by_role("button", name=f"Check-in doen met {NAME}").click()


def _stored(page, with_data: bool = False) -> dict:
    """How many keys and visits the device keeps (with_data: only visits that still hold answers)."""
    return page.evaluate("""onlyData => new Promise(done => {
        const open = indexedDB.open("veerkracht-offline");
        open.onupgradeneeded = () => {
            open.result.createObjectStore("keys", {keyPath: "visit"});
            open.result.createObjectStore("visits", {keyPath: "visit"});
        };
        open.onsuccess = () => {
            const t = open.result.transaction(["keys", "visits"]);
            const keys = t.objectStore("keys").count(), visits = t.objectStore("visits").getAll();
            t.oncomplete = () => {
                done({keys: keys.result, visits: visits.result.filter(v => !onlyData || v.data).length});
                open.result.close();
            };
        };
    })""", with_data)


def _answer_screen(page, step: int) -> None:
    expect(page.get_by_text(f"Stap {step + 1} van 8", exact=True)).to_be_visible()
    items = page.locator("fieldset.item")
    expect(items).to_have_count(4)
    for index in range(4):
        items.nth(index).locator("label.score").nth((index + step) % 11).click()


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, {"width": 768, "height": 1024}],
                         ids=["landscape", "portrait"])
def test_visit_without_network_is_sent_once_when_it_returns(new_page, enrolled, viewport, app, artifacts_dir):
    page = new_page(viewport=viewport, has_touch=True)
    context = page.context
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    _prepare(page, enrolled["resident"])
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Naar het bezoek").click()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    before = _checkins(app)

    context.set_offline(True)
    page.goto("/coach")  # really no network: any page is the kept visit page now
    expect(page.get_by_role("heading", name="Voorbereide bezoeken")).to_be_visible()
    assert_no_axe_violations(page)
    assert page.evaluate("fetch('/healthz').then(() => 'online', () => 'offline')") == "offline"
    _open_visit(page)  # the kept page, from the service worker
    expect(page.get_by_role("heading", name="Wat is er gebeurd?")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_text("Kies wat er is gebeurd.")).to_be_visible()
    page.get_by_label("Ik ben verhuisd", exact=True).check()
    page.get_by_label("Maand", exact=True).select_option(label="oktober")
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_text("Kies de maand én het jaar.")).to_be_visible()  # half a date, as online
    page.screenshot(path=artifacts_dir / f"offline-event-{viewport['width']}.png", full_page=True)
    page.get_by_label("Jaar", exact=True).select_option(str(date.today().year - 1))
    page.get_by_role("button", name="Volgende").click()
    expected = {}
    for step in range(1, 7):
        _answer_screen(page, step)
        if step == 1:
            assert_no_axe_violations(page)
            page.screenshot(path=artifacts_dir / f"offline-step-{viewport['width']}.png")
        if step == 3:
            expect(page.locator("[data-offline-app]")).to_have_attribute("data-unsaved", "0")
            page.reload()  # in the middle: the screen and its answers are still there
            expect(page.get_by_text("Stap 4 van 8", exact=True)).to_be_visible()
            expect(page.locator("fieldset.item input[type=radio]:checked")).to_have_count(4)
        if step == 5:  # the tablet's page is closed and opened again (once the last tap is stored)
            expect(page.locator("[data-offline-app]")).to_have_attribute("data-unsaved", "0")
            page.close()
            page = context.new_page()
            _open_visit(page)
            expect(page.get_by_text("Stap 6 van 8", exact=True)).to_be_visible()
            expect(page.locator("fieldset.item input[type=radio]:checked")).to_have_count(4)
        page.get_by_role("button", name="Volgende").click()
        expected[step] = [(index + step) % 11 for index in range(4)]

    expect(page.get_by_role("heading", name="U bent klaar")).to_be_visible()
    expect(page.get_by_text("U heeft 24 van de 24 vragen beantwoord.")).to_be_visible()
    followup = page.get_by_role("group", name="Bent u naar Wandelgroep De Beemden geweest? Hoe was het?")
    followup.locator("label.score").nth(3).click()
    followup.get_by_label("Wilt u er iets over vertellen? (mag leeg)").fill("Gezellig, wel moe.")
    page.screenshot(path=artifacts_dir / f"offline-done-{viewport['width']}.png", full_page=True)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Klaar").click()
    expect(page.get_by_role("heading", name=f"Spinnenweb van {NAME}")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("^Spinnenweb met de cijfers"))
    expect(chart).to_be_visible()
    expect(chart.locator("polygon")).to_have_count(7)  # five rings, last time, now
    scores = [sum(expected[step]) / 4 for step in range(1, 7)]
    cells = page.get_by_role("table").locator("tbody tr td:nth-child(2)")
    expect(cells).to_have_text([f"{s:.1f}".replace(".", ",") for s in scores])
    page.get_by_label("Aantekeningen van de coach").fill("Loopt weer met de rollator.")
    page.reload()  # notes typed are kept too
    expect(page.get_by_label("Aantekeningen van de coach")).to_have_value("Loopt weer met de rollator.")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, viewport["width"])
    page.set_viewport_size(viewport)
    page.screenshot(path=artifacts_dir / f"offline-result-{viewport['width']}.png", full_page=True)
    page.get_by_role("button", name="Opslaan en versturen").click()

    badge = page.locator("[data-offline-badge]")
    expect(badge).to_have_text("Nog niet verstuurd: 1 check-in")
    page.reload()
    expect(badge).to_have_text("Nog niet verstuurd: 1 check-in")
    assert_no_axe_violations(page)
    assert _checkins(app) == before  # nothing went while offline

    context.set_offline(False)
    expect(badge).to_have_text(re.compile(r"^Verstuurd om \d\d:\d\d$"), timeout=20_000)
    assert _checkins(app) == before + 1
    # Reload, a second tab: still one, and nothing is left on the device.
    page.reload()
    other = context.new_page()
    other.goto("/coach")
    expect(other.locator("[data-offline-badge]")).to_have_text(re.compile(r"^Verstuurd om"))
    assert _checkins(app) == before + 1
    assert _stored(page, with_data=True) == {"keys": 0, "visits": 0}
    with app.app_context():
        visit = db.session.scalar(select(OfflineVisit))
        checkin = db.session.get(Checkin, visit.checkin_id)
        assert checkin.coach_notes == "Loopt weer met de rollator." and checkin.form == "uitgebreid"
        assert len(checkin.answers) == 24
        draft = db.session.get(Draft, checkin.draft_id)
        assert (draft.life_event, draft.life_event_on) == ("verhuizing", date(date.today().year - 1, 10, 1))
        referral = db.session.scalar(select(Referral).where(Referral.public_id == enrolled["referral"]))
        assert (referral.followup_rating, referral.followup_text) == (4, "Gezellig, wel moe.")


def test_answers_on_the_device_are_encrypted_and_the_key_cannot_be_read(new_page, enrolled):
    page = new_page(viewport={"width": 1024, "height": 768})
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    _prepare(page, enrolled["resident"])
    found = page.evaluate("""() => new Promise(done => {
        const open = indexedDB.open("veerkracht-offline");
        open.onsuccess = () => {
            const t = open.result.transaction(["keys", "visits"]);
            const keys = t.objectStore("keys").getAll(), visits = t.objectStore("visits").getAll();
            t.oncomplete = () => {
                const text = new TextDecoder().decode(visits.result[0].data);
                crypto.subtle.exportKey("raw", keys.result[0].key).then(
                    () => done({text, exported: true}), () => done({text, exported: false,
                    extractable: keys.result[0].key.extractable, algorithm: keys.result[0].key.algorithm.name}));
            };
        };
    })""")
    assert found["exported"] is False and found["extractable"] is False and found["algorithm"] == "AES-GCM"
    assert "Smit" not in found["text"] and "lichaam" not in found["text"]


def test_logging_out_wipes_the_prepared_visit(new_page, enrolled):
    page = new_page(viewport={"width": 768, "height": 1024})
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    _prepare(page, enrolled["resident"])
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    log_out(page)
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()
    assert messages and "niet verstuurd" in messages[0]
    assert _stored(page) == {"keys": 0, "visits": 0}


def test_device_scores_equal_the_servers_for_the_same_answers(new_page, enrolled, app):
    page = new_page()
    page.goto("/")
    with app.app_context():
        from webapp.core.definitions import current_questionnaire
        from webapp.offline.rules import scoring_definition

        form_items = current_questionnaire().form_item_ids("uitgebreid")
    definition = scoring_definition(form_items)
    chooser = random.Random(13)
    cases = []
    for _ in range(300):
        answers = {item: chooser.choice([None, *range(11)]) if chooser.random() < 0.9 else None
                   for items in form_items.values() for item in items}
        cases.append(answers)
    device = page.evaluate("([d, cases]) => cases.map(a => window.VeerkrachtScores(d, a))", [definition, cases])
    assert device == [scoring.pillar_scores(form_items, answers) for answers in cases]


def test_without_javascript_the_offline_pages_say_so(new_page, enrolled):
    page = new_page(viewport={"width": 768, "height": 1024}, java_script_enabled=False)
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    page.get_by_role("link", name="Bezoek voorbereiden").click()
    # Chromium with scripts switched off by Playwright still parses <noscript> as if scripts ran, so
    # the message is checked in the page's source; the button that needs a script stays hidden.
    noscript = "<noscript>" + '<p class="flash flash-info">Zonder internet werkt Veerkracht alleen met JavaScript aan.'
    assert noscript in page.content()
    expect(page.get_by_role("button", name="Bezoek voorbereiden")).to_be_hidden()
    page.goto("/bezoek-zonder-internet")
    assert noscript in page.content()
    expect(page.get_by_role("heading", name="Bezoek zonder internet")).to_be_visible()  # (axe needs scripts)
    # Online, the check-in together still works without JavaScript.
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    page.get_by_role("button", name="Check-in samen doen").click()
    expect(page.get_by_role("heading", name=f"Geef de tablet nu aan {NAME}")).to_be_visible()


def test_a_refused_upload_says_why_and_can_be_thrown_away(new_page, enrolled, app, artifacts_dir):
    """The coach stopped following the resident before the visit was sent: the server refuses it,
    the device keeps it and says why, and the coach can throw it away (after a question)."""
    page = new_page(viewport={"width": 1024, "height": 768})
    context = page.context
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    _prepare(page, enrolled["resident"])
    page.get_by_role("link", name="Naar het bezoek").click()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    _open_visit(page)
    page.get_by_label("Er is niets bijzonders gebeurd", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    for step in range(1, 7):
        _answer_screen(page, step)
        page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Klaar").click()
    page.get_by_role("button", name="Opslaan en versturen").click()
    expect(page.locator("[data-offline-badge]")).to_have_text("Nog niet verstuurd: 1 check-in")
    with app.app_context():  # meanwhile the relation ended (e.g. closed by the coach on their phone)
        from webapp.core.models import CoachRelation

        for relation in db.session.scalars(select(CoachRelation)):
            relation.ended_at = relation.started_at
        db.session.commit()
    before = _checkins(app)

    context.set_offline(False)
    badge = page.locator("[data-offline-badge]")
    expect(badge).to_have_text(re.compile("^Niet verstuurd: U begeleidt deze bewoner niet meer."), timeout=20_000)
    assert _checkins(app) == before
    page.goto("/bezoek-zonder-internet")
    expect(page.get_by_text(f"De check-in met {NAME} is niet verstuurd. U begeleidt deze bewoner niet meer.")
           ).to_be_visible()
    assert_no_axe_violations(page)
    page.screenshot(path=artifacts_dir / "offline-refused-1024.png")
    discard = page.get_by_role("button", name="Weggooien")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Nee": it stays
    discard.click()
    expect(discard).to_be_visible()
    assert _stored(page, with_data=True) == {"keys": 1, "visits": 1}
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    discard.click()
    expect(page.get_by_text("Er is geen bezoek voorbereid op dit apparaat.")).to_be_visible()
    assert "Als u hem weggooit, is hij weg." in messages[0]
    expect(badge).to_be_hidden()
    assert _stored(page) == {"keys": 0, "visits": 0}
    assert _checkins(app) == before


def test_an_easy_read_visit_without_network_shows_faces_and_pictures(new_page, enrolled, app, artifacts_dir):
    """The coach chose the easy-read form for this resident: the visit without network asks the same
    twelve short statements with five faces as the online screen, pictures and all."""
    from webapp.checkin import service as drafts
    from webapp.core.models import Resident

    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == enrolled["resident"]))
        drafts.set_preferred_form(resident, "eenvoudig")
        db.session.commit()
    page = new_page(viewport={"width": 768, "height": 1024}, has_touch=True)
    context = page.context
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    _prepare(page, enrolled["resident"])
    page.get_by_role("link", name="Naar het bezoek").click()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    before = _checkins(app)

    context.set_offline(True)
    page.goto("/coach")
    _open_visit(page)
    page.get_by_label("Er is niets bijzonders gebeurd", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    faces = [0, 3, 5, 7, 10]
    chosen = {}
    for step in range(1, 7):
        expect(page.get_by_text(f"Stap {step + 1} van 8", exact=True)).to_be_visible()
        expect(page.get_by_text("Kies bij elke zin een gezichtje.", exact=False)).to_be_visible()
        items = page.locator("fieldset.face-item")
        expect(items).to_have_count(2)
        expect(items.first.locator("label.face")).to_have_count(5)
        expect(items.first.get_by_label("Vaak wel", exact=True)).to_be_visible()
        # Every picture (the pillar's, each statement's, every face) came from the kept copies.
        expect(page.locator("img")).to_have_count(1 + 2 + 2 * 5)
        page.wait_for_function("[...document.images].every(i => i.complete)")
        assert page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.src)") == []
        if step == 1:
            assert_no_axe_violations(page)
            assert_no_horizontal_scroll(page, 768)
            page.screenshot(path=artifacts_dir / "offline-faces-768.png", full_page=True)
        chosen[step] = [faces[(index + step) % 5] for index in range(2)]
        for index in range(2):
            items.nth(index).locator("label.face").nth((index + step) % 5).click()
        page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_text("U heeft 12 van de 12 vragen beantwoord.")).to_be_visible()
    page.get_by_role("button", name="Klaar").click()
    cells = page.get_by_role("table").locator("tbody tr td:nth-child(2)")
    expect(cells).to_have_text([f"{sum(chosen[step]) / 2:.1f}".replace(".", ",") for step in range(1, 7)])
    page.get_by_role("button", name="Opslaan en versturen").click()
    badge = page.locator("[data-offline-badge]")
    expect(badge).to_have_text("Nog niet verstuurd: 1 check-in")

    context.set_offline(False)
    expect(badge).to_have_text(re.compile(r"^Verstuurd om \d\d:\d\d$"), timeout=20_000)
    assert _checkins(app) == before + 1
    with app.app_context():
        checkin = db.session.get(Checkin, db.session.scalar(select(OfflineVisit.checkin_id)))
        assert checkin.form == "eenvoudig"
        assert sorted(a.score for a in checkin.answers) == sorted(v for values in chosen.values() for v in values)
