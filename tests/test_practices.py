"""Practice codes: the beheerder makes a practice and its code (shown once, kept as a hash); someone at the
practice refers on the public page with that code; the coaches see it as the practice's; bad input and
guessing store nothing, a double submit stores one referral."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.test_logs import captured_log  # noqa: F401 - a fixture
from tests.test_wor_rendement import pinned_prices  # noqa: F401 - a fixture
from webapp.accounts import service as people
from webapp.config import BASE_DIR
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Resident, WorPractice, WorReferral
from webapp.practices import service as practices
from webapp.wor import rules
from webapp.wor import service as wor

REFERRAL = {"patient_name": "mevr. T. Bakker", "contact": "06 5555 1234",
            "reason": "Na de verhuizing naar het verzorgingshuis eenzaam, zegt weinig mensen te kennen.",
            "life_event": "", "urgency": "gewoon", "patient_agreed": "y"}
CODE = re.compile(r'id="practice-code">([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})<')
SENT = "Verstuurd. De welzijnscoach neemt contact op."


def _count(app, model=WorReferral) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [(e.action, e.actor_role) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.fixture
def beheerder(app, make_staff, login_as):
    client = app.test_client()
    login_as(client, make_staff("beheerder", name="Bea Beheer")["user"])
    return client


def _make_practice(beheerder, name="Huisartsenpraktijk De Linde", kind="huisartsenpraktijk") -> str:
    response = beheerder.post_form("/beheer/praktijken/nieuw", {"name": name, "kind": kind})
    assert response.status_code == 200, response.get_data(as_text=True)
    return CODE.search(response.get_data(as_text=True)).group(1)


def _practice(app, name="Huisartsenpraktijk De Linde") -> WorPractice:
    with app.app_context():
        return db.session.scalar(select(WorPractice).where(WorPractice.name == name))


def _send(app, code, address="10.1.1.1", **changes):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, client.post_form("/verwijzen", {**REFERRAL, "practice_code": code, **changes})


# --- the beheerder's practices ---

def test_the_beheerder_makes_a_practice_and_sees_its_code_once(app, beheerder):
    code = _make_practice(beheerder)
    practice = _practice(app)
    assert practice.is_active and practice.kind == "huisartsenpraktijk"
    assert practice.code_hash == people.hash_code(code) and code not in practice.code_hash
    assert len(people.normalise_code(code)) == 16  # 31^16, about 2^79: not to be guessed
    listing = beheerder.get("/beheer/praktijken").get_data(as_text=True)
    assert "Huisartsenpraktijk De Linde" in listing and code not in listing
    assert ("wor.practice_create", "beheerder") in _actions(app)


def test_a_second_practice_with_the_same_name_is_refused(app, beheerder):
    _make_practice(beheerder)
    response = beheerder.post_form("/beheer/praktijken/nieuw", {"name": "huisartsenpraktijk de linde",
                                                                "kind": "wijkteam"})
    assert response.status_code == 400
    assert "Er is al een praktijk met deze naam" in response.get_data(as_text=True)
    assert _count(app, WorPractice) == 1


@pytest.mark.parametrize("form, message", [
    ({"name": "", "kind": "wijkteam"}, "Vul de naam in."),
    ({"name": "x" * 101, "kind": "wijkteam"}, "Gebruik hoogstens 100 tekens."),
    ({"name": "Wijkteam Noord", "kind": "ziekenhuis"}, "Ongeldige keuze."),
])
def test_a_broken_practice_form_stores_nothing(app, beheerder, form, message):
    response = beheerder.post_form("/beheer/praktijken/nieuw", form)
    assert response.status_code == 400
    assert _count(app, WorPractice) == 0
    assert message in response.get_data(as_text=True)


def test_a_new_code_replaces_the_old_one_at_once(app, beheerder):
    old = _make_practice(beheerder)
    renewed = beheerder.post_form(f"/beheer/praktijken/{_practice(app).public_id}/nieuwe-code")
    assert renewed.status_code == 200 and "De vorige code van deze praktijk werkt nu niet meer." in renewed.text
    new = CODE.search(renewed.get_data(as_text=True)).group(1)
    assert new != old
    assert _send(app, old)[1].status_code == 400
    assert _send(app, new)[1].status_code == 302
    assert ("wor.practice_code", "beheerder") in _actions(app)


def test_a_switched_off_code_refers_nothing_until_it_is_on_again(app, beheerder):
    code = _make_practice(beheerder)
    url = f"/beheer/praktijken/{_practice(app).public_id}/aan-uit"
    assert beheerder.post_form(url, {"actief": "nee"}).status_code == 302
    assert not _practice(app).is_active
    _client, refused = _send(app, code)
    assert refused.status_code == 400 and "Deze praktijkcode werkt niet." in refused.get_data(as_text=True)
    assert _count(app) == 0
    assert beheerder.post_form(url, {"actief": "ja"}).status_code == 302
    assert _send(app, code)[1].status_code == 302
    actions = _actions(app)
    assert ("wor.practice_off", "beheerder") in actions and ("wor.practice_on", "beheerder") in actions


def test_a_tampered_switch_changes_nothing(app, beheerder):
    _make_practice(beheerder)
    url = f"/beheer/praktijken/{_practice(app).public_id}/aan-uit"
    response = beheerder.post_form(url, {"actief": "misschien"})
    assert response.status_code == 400 and "Kies of de praktijkcode aan of uit moet." in response.text
    assert _practice(app).is_active
    assert beheerder.post_form("/beheer/praktijken/bestaat-niet/aan-uit", {"actief": "nee"}).status_code == 404
    assert beheerder.post_form("/beheer/praktijken/bestaat-niet/nieuwe-code").status_code == 404


# --- the public referral link ---

def test_a_practice_refers_with_its_code_and_the_coach_sees_it_as_the_practices(app, beheerder, make_staff,
                                                                               login_as):
    code = _make_practice(beheerder)
    client, response = _send(app, code.lower().replace("-", " "))  # typed in lower case, with spaces
    assert response.status_code == 302
    after = client.get(response.location).get_data(as_text=True)
    with app.app_context():
        referral = db.session.scalar(select(WorReferral))
        assert referral.practice_id == _practice(app).id and referral.referrer_id is None
        assert (referral.patient_name, referral.urgency, referral.status) == ("mevr. T. Bakker", "gewoon", "ontvangen")
        assert re.fullmatch(r"WOR-[A-Z2-9]{4}-[A-Z2-9]{4}", referral.reference)
    # Only that it was sent and the reference; nothing of the patient, and the code is not filled in again.
    assert SENT in after and referral.reference in after
    for personal in ("Bakker", "06 5555 1234", "verzorgingshuis", code):
        assert personal not in after
    assert ("wor.create", None) in _actions(app)

    coach = app.test_client()
    login_as(coach, make_staff("welzijnscoach")["user"])
    queue = coach.get("/coach/welzijn-op-recept").get_data(as_text=True)
    assert "mevr. T. Bakker" in queue and "Huisartsenpraktijk De Linde (via praktijkcode)" in queue
    page = coach.get(f"/coach/welzijn-op-recept/{referral.public_id}").get_data(as_text=True)
    assert referral.reference in page and "De praktijk leest in Veerkracht niets terug." in page


def test_no_verwijzer_sees_a_referral_sent_with_a_practice_code(app, beheerder, make_staff, login_as):
    _send(app, _make_practice(beheerder))
    verwijzer = app.test_client()
    login_as(verwijzer, make_staff("verwijzer", name="Dokter Bos")["user"])
    assert "Bakker" not in verwijzer.get("/verwijzer").get_data(as_text=True)
    with app.app_context():
        public_id = db.session.scalar(select(WorReferral.public_id))
    assert verwijzer.get(f"/verwijzer/{public_id}/terugkoppeling.pdf").status_code == 404


@pytest.mark.parametrize("changes, message", [
    ({"practice_code": "ABCD-EFGH-JKMN-PQRS"}, "Deze praktijkcode werkt niet."),
    ({"practice_code": "ABCD"}, "Deze praktijkcode werkt niet."),
    ({"practice_code": ""}, "Vul de praktijkcode in."),
    ({"practice_code": "A" * 41}, "Een praktijkcode heeft 16 letters en cijfers."),
    ({"patient_agreed": ""}, "Verwijs alleen als de patiënt dat goed vindt."),
    ({"patient_name": ""}, "Vul een naam of initialen in."),
    ({"patient_name": "x" * 101}, "Gebruik hoogstens 100 tekens."),
    ({"contact": "0" * 101}, "Gebruik hoogstens 100 tekens."),
    ({"reason": "x" * 1001}, "Gebruik hoogstens 1000 tekens."),
    ({"urgency": "gisteren"}, "Ongeldige keuze."),
    ({"life_event": "verzonnen"}, "Ongeldige keuze."),
])
def test_bad_input_gives_a_clear_message_and_stores_nothing(app, beheerder, changes, message):
    code = _make_practice(beheerder)
    _client, response = _send(app, code, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_a_double_submit_makes_one_referral_with_one_reference(app, beheerder):
    code = _make_practice(beheerder)
    first = _send(app, code)[0]
    again = first.post_form("/verwijzen", {**REFERRAL, "practice_code": code})
    assert again.status_code == 302
    assert _count(app) == 1
    with app.app_context():
        reference = db.session.scalar(select(WorReferral.reference))
    assert reference in first.get("/verwijzen").get_data(as_text=True)
    # Another patient from the same practice is a second referral.
    assert first.post_form("/verwijzen", {**REFERRAL, "practice_code": code, "patient_name": "dhr. K."}).status_code \
        == 302
    assert _count(app) == 2


def test_guessing_codes_is_rate_limited_per_address(app, beheerder):
    code = _make_practice(beheerder)
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    statuses = [guesser.post_form("/verwijzen", {**REFERRAL, "practice_code": people.new_code(4)}).status_code
                for _n in range(31)]
    assert statuses == [400] * 30 + [429]
    # Even the right code is refused from that address now; from another address it works.
    assert guesser.post_form("/verwijzen", {**REFERRAL, "practice_code": code}).status_code == 429
    assert _send(app, code, address="10.1.1.2")[1].status_code == 302
    assert _count(app) == 1


def test_one_code_is_rate_limited_from_every_address_together(app, beheerder):
    code = _make_practice(beheerder)
    statuses = [_send(app, code, address=f"10.2.0.{n}", patient_name=f"P{n}")[1].status_code for n in range(11)]
    assert statuses == [302] * 10 + [429]
    assert _count(app) == 10


def test_every_active_practice_is_compared_in_constant_time(app, beheerder, monkeypatch):
    codes = [_make_practice(beheerder, f"Praktijk {n}") for n in range(3)]
    beheerder.post_form(f"/beheer/praktijken/{_practice(app, 'Praktijk 2').public_id}/aan-uit", {"actief": "nee"})
    calls = []
    real = practices.hmac.compare_digest
    monkeypatch.setattr(practices.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    with app.app_context():
        assert practices.by_code(codes[0]).name == "Praktijk 0"  # the first one found: the other is compared too
        assert practices.by_code(codes[2]) is None  # switched off
        assert practices.by_code("nonsense") is None  # the wrong length: no comparison at all
    assert len(calls) == 4


def test_nothing_of_the_referral_or_the_code_is_logged(app, beheerder, captured_log):  # noqa: F811
    code = _make_practice(beheerder)
    _send(app, code)
    _send(app, "ABCD-EFGH-JKMN-PQRS", patient_agreed="")
    logged = captured_log.getvalue()
    assert "practices.refer" in logged
    for secret in ("Bakker", "5555", "verzorgingshuis", code, "ABCD-EFGH"):
        assert secret not in logged


# --- figures: grouped by practice like the verwijzers' referrals ---

def _closed(practice_id=None, referrer_id=None, hours=10, avoided=("huisarts",)):
    resident = Resident(display_name="x")
    db.session.add(resident)
    db.session.flush()
    db.session.add(WorReferral(practice_id=practice_id, referrer_id=referrer_id, patient_name="x", contact="x",
                               reason="x", urgency="gewoon", status="afgerond", resident_id=resident.id,
                               sharing="geen", improved="beter", coaching_hours=hours, avoided=list(avoided),
                               closed_at=datetime(2026, 8, 15, 10, 0, tzinfo=UTC)))


@pytest.mark.usefixtures("pinned_prices")
def test_figures_group_practice_code_referrals_by_practice_with_small_groups_hidden(app, beheerder):
    with app.test_request_context():
        linde, _code = practices.create("Praktijk De Linde", "huisartsenpraktijk")
        noord, _code = practices.create("Wijkteam Noord", "wijkteam")
        dokter = people.create_staff("huisarts-linde", "een-lang-wachtwoord-1", ["verwijzer"], "Dokter A",
                                     "Praktijk De Linde")
        for _n in range(6):  # 6 through the code of De Linde, 4 by its huisarts with an account: one group of 10
            _closed(practice_id=linde.id, hours=10, avoided=("huisarts",))
        for _n in range(4):
            _closed(referrer_id=dokter.id, hours=5, avoided=("huisarts", "poh_ggz"))
        for _n in range(9):  # 9 through the code of Wijkteam Noord: hidden
            _closed(practice_id=noord.id, hours=2, avoided=("dagbesteding",))
        db.session.commit()
    with app.app_context():
        from webapp.core import clock

        rows = rules.rendement_figures(wor.closed_cases(clock.timezone()), wor.prices())
    # Test prices: huisarts 120-200, poh_ggz 250-450, the coach 60-80 an hour.
    # Hours: 6*10 + 4*5 = 80. Avoided low = 6*120 + 4*(120+250) = 720 + 1480 = 2200;
    # high = 6*200 + 4*(200+450) = 1200 + 2600 = 3800. Coaching 80*60 = 4800 ... 80*80 = 6400.
    assert rows == [rules.FigureRow("2026-K3", "Praktijk De Linde", 10, 80, 2200, 3800, 4800, 6400),
                    rules.FigureRow("2026-K3", "Wijkteam Noord", None)]
    page = beheerder.get("/beheer/rendement").get_data(as_text=True)
    assert "Praktijk De Linde" in page and "Wijkteam Noord" in page
    csv_text = beheerder.get("/beheer/rendement.csv").get_data(as_text=True)
    assert "Praktijk De Linde" in csv_text and "2200" in csv_text


def test_the_residents_download_holds_the_reference_of_a_practice_referral(app, beheerder):
    from webapp.rights import service as rights

    _send(app, _make_practice(beheerder))
    with app.test_request_context():
        referral = db.session.scalar(select(WorReferral))
        resident = Resident(display_name="T. Bakker")
        db.session.add(resident)
        db.session.flush()
        referral.resident_id = resident.id
        db.session.flush()
        [held] = rights.export(resident, with_fhir=False)["gp_referrals"]
    assert held["reference"] == referral.reference and held["name"] == "mevr. T. Bakker"


def test_the_demo_practice_refers_with_the_code_in_the_readme(app):
    from webapp import demo

    with app.test_request_context():
        demo.seed_demo()
        db.session.commit()
        assert practices.by_code(demo.DEMO_PRACTICE_CODE).name == "Wijkteam Havenkwartier"
    assert demo.DEMO_PRACTICE_CODE in (BASE_DIR / "README.md").read_text(encoding="utf-8")
    _client, response = _send(app, demo.DEMO_PRACTICE_CODE)
    assert response.status_code == 302
    assert _count(app) == 2 + 1 + 1  # the GP's two, the wijkteam's one, and this one
