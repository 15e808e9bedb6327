"""Offline home visits: the installable app, the visit bundle, and an upload that counts once."""

import base64
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import all_answers
from webapp.accounts import service as people
from webapp.core import history, scoring
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Checkin, CoachRelation, OfflineVisit, Resident
from webapp.offline import rules
from webapp.offline.rules import UploadError, UploadSpec, parse_upload

COACH_PASSWORD = "coach-wachtwoord-lang"


@pytest.fixture
def visit_world(app, client, login_as, kort_items):
    """A coach with an enrolled resident who did one short check-in before; the coach is logged in."""
    with app.test_request_context():
        coach = people.create_staff("coach-o", COACH_PASSWORD, ["ouderencoach"], "Marieke Jansen")
        other = people.create_staff("coach-p", COACH_PASSWORD, ["ouderencoach"], "Piet de Vries")
        resident = people.enrol_resident(coach, "mevr. T. Bakker", 1941, "Oosterflank", date(2026, 11, 1),
                                         "schriftelijk")
        db.session.commit()
        ids = {"coach": coach.public_id, "other": other.public_id, "resident": resident.public_id}
    from tests.conftest import new_checkin

    ids["earlier"] = new_checkin(app, ids["resident"], all_answers(kort_items, 4), days_ago=40)
    login_as(client, ids["coach"])
    return ids


def _bundle(client, resident_id) -> dict:
    response = client.post_form(f"/coach/bewoner/{resident_id}/bezoekpakket")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def _upload_body(bundle: dict, score=6, **changes) -> dict:
    items = [i["id"] for p in bundle["questionnaire"]["pillars"] for i in p["items"]]
    body = {
        "visit": bundle["visit"], "questionnaire": bundle["questionnaire"]["id"],
        "version": bundle["questionnaire"]["version"], "form": bundle["questionnaire"]["form"],
        "life_event": "verhuizing", "answers": {item: score for item in items}, "talk": [items[0]],
        "conversation": {"coach_notes": "Loopt weer met de rollator.", "plan_step": "Elke dag een rondje"},
        "finished_at": datetime.now(UTC).isoformat(),
    }
    body.update(changes)
    return body


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ---- The installable app ---------------------------------------------------------------------------

def test_manifest_names_the_app_in_dutch_with_png_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "Veerkracht" and manifest["lang"] == "nl" and manifest["display"] == "standalone"
    assert manifest["scope"] == "/" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
            width, height = int.from_bytes(image.data[16:20], "big"), int.from_bytes(image.data[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


def test_service_worker_is_served_from_the_root_for_the_whole_site(client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert response.headers["Cache-Control"] == "no-cache"
        assert b"/bezoek-zonder-internet" in response.data


def test_every_page_links_the_manifest_and_the_offline_script(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert "/static/offline.js" in page and "Nog niet verstuurd: 1 check-in" in page


def test_offline_visit_page_keeps_nothing_personal_and_says_it_needs_javascript(app, client, visit_world):
    page = client.get("/bezoek-zonder-internet").get_data(as_text=True)
    assert "<noscript>" in page and "alleen met JavaScript" in page
    assert "csrf_token" not in page and "Bakker" not in page and "Marieke" not in page
    assert "<a href" not in page.replace('<a class="skip-link" href="#inhoud">', "")  # no way out of the visit


# ---- Preparing a visit -------------------------------------------------------------------------------

def test_resident_page_offers_to_prepare_a_visit(client, visit_world):
    page = client.get(f"/coach/bewoner/{visit_world['resident']}").get_data(as_text=True)
    assert f"/coach/bewoner/{visit_world['resident']}/bezoek-voorbereiden" in page


def test_prepare_page_is_audited_and_needs_javascript(app, client, visit_world):
    response = client.get(f"/coach/bewoner/{visit_world['resident']}/bezoek-voorbereiden")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "mevr. T. Bakker" in page and "<noscript>" in page
    assert "offline.prepare_view" in _actions(app)


def test_bundle_holds_the_long_form_previous_scores_and_a_fresh_key(app, client, visit_world):
    bundle = _bundle(client, visit_world["resident"])
    questionnaire = bundle["questionnaire"]
    assert questionnaire["form"] == "uitgebreid"
    assert sum(len(p["items"]) for p in questionnaire["pillars"]) == 24
    assert sorted(p["id"] for p in questionnaire["pillars"]) == sorted(bundle["scoring"]["pillars"])
    assert len(base64.b64decode(bundle["key"], validate=True)) == 32
    with app.app_context():
        earlier = db.session.scalar(select(Checkin).where(Checkin.public_id == visit_world["earlier"]))
        assert bundle["previous"]["scores"] == history.scores_of(earlier)
    assert bundle["resident"] == "mevr. T. Bakker"
    assert _actions(app).count("offline.bundle") == 1
    again = _bundle(client, visit_world["resident"])
    # The same visit key (a second device gets it too), but never the same key twice.
    assert again["visit"] == bundle["visit"] and again["key"] != bundle["key"]
    assert _count(app, OfflineVisit) == 1


def _prefer(app, resident_id: str, form: str | None) -> None:
    from webapp.checkin import service as drafts

    with app.app_context():
        drafts.set_preferred_form(db.session.scalar(select(Resident).where(Resident.public_id == resident_id)), form)
        db.session.commit()


@pytest.mark.parametrize("form, faces", [("eenvoudig", [0, 3, 5, 7, 10]), ("heel_eenvoudig", [0, 5, 10])])
def test_bundle_holds_the_easy_read_form_the_coach_chose_with_its_faces_and_pictures(
        app, client, visit_world, form, faces):
    _prefer(app, visit_world["resident"], form)
    questionnaire = _bundle(client, visit_world["resident"])["questionnaire"]
    assert questionnaire["form"] == form
    assert [face["value"] for face in questionnaire["faces"]] == faces
    assert questionnaire["faces"][0]["label"] == "Nee" and questionnaire["faces"][-1]["label"] == "Ja"
    items = [item for pillar in questionnaire["pillars"] for item in pillar["items"]]
    assert len(items) == 12 and all(item["picture"] for item in items)
    # Every picture the visit shows is kept by the service worker, so it shows without network too.
    with client.get("/sw.js") as worker:
        kept = worker.get_data(as_text=True)
    for picture in {face["picture"] for face in questionnaire["faces"]} | {item["picture"] for item in items}:
        assert f'"/static/{picture}"' in kept
        with client.get(f"/static/{picture}") as image:
            assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    for pillar in questionnaire["pillars"]:
        assert f'"/static/pillars/{pillar["id"]}.svg"' in kept


def test_offline_visit_page_holds_the_faces_of_every_easy_read_form(client):
    page = client.get("/bezoek-zonder-internet").get_data(as_text=True)
    five = page[page.index('<template id="offline-eenvoudig">'):]
    three = page[page.index('<template id="offline-heel_eenvoudig">'):]
    assert 'class="faces faces-5"' in five[:five.index("</template>")]
    assert 'class="faces faces-3"' in three[:three.index("</template>")]
    assert "0 = Klopt helemaal niet" in page  # the 0-10 scale's ends, for the long form


def test_the_long_form_bundle_has_no_faces(client, visit_world):
    assert _bundle(client, visit_world["resident"])["questionnaire"]["faces"] is None


def test_choosing_another_form_after_preparing_gives_a_new_visit_in_that_form(app, client, visit_world):
    long = _bundle(client, visit_world["resident"])
    _prefer(app, visit_world["resident"], "eenvoudig")
    easy = _bundle(client, visit_world["resident"])
    assert easy["visit"] != long["visit"] and easy["questionnaire"]["form"] == "eenvoudig"
    assert _bundle(client, visit_world["resident"])["visit"] == easy["visit"]  # and then the same one again


def test_an_easy_read_visit_becomes_an_easy_read_checkin_and_takes_only_faces(app, client, visit_world):
    _prefer(app, visit_world["resident"], "eenvoudig")
    bundle = _bundle(client, visit_world["resident"])
    items = [i["id"] for p in bundle["questionnaire"]["pillars"] for i in p["items"]]
    refused = client.post_json("/bezoek-zonder-internet/versturen", _upload_body(bundle, score=6))
    assert refused.status_code == 400 and "Er is niets veranderd." in refused.get_json()["error"]
    assert _count(app, Checkin) == 1  # only the earlier one
    answers = {item: [0, 3, 5, 7, 10][index % 5] for index, item in enumerate(items)}
    response = client.post_json("/bezoek-zonder-internet/versturen", _upload_body(bundle, answers=answers))
    assert response.status_code == 201
    with app.app_context():
        checkin = db.session.get(Checkin, db.session.scalar(select(OfflineVisit.checkin_id)))
        assert checkin.form == "eenvoudig" and len(checkin.answers) == 12
        assert history.scores_of(checkin) == scoring.pillar_scores(bundle["scoring"]["pillars"], answers)


def test_another_coach_gets_no_bundle(app, client, login_as, visit_world):
    login_as(client, visit_world["other"])
    assert client.post_form(f"/coach/bewoner/{visit_world['resident']}/bezoekpakket").status_code == 404
    assert _count(app, OfflineVisit) == 0


# ---- Uploading -----------------------------------------------------------------------------------------

def test_upload_makes_one_checkin_and_a_replay_makes_none(app, client, visit_world):
    bundle = _bundle(client, visit_world["resident"])
    before = _count(app, Checkin)
    first = client.post_json("/bezoek-zonder-internet/versturen", _upload_body(bundle))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "sent" and len(first.get_json()["sent_time"]) == 5
    for _ in range(3):  # a retry, a reload, a second tab
        again = client.post_json("/bezoek-zonder-internet/versturen", _upload_body(bundle, score=2))
        assert again.status_code == 200 and again.get_json()["status"] == "already_sent"
        assert again.get_json()["result_url"] == first.get_json()["result_url"]
    assert _count(app, Checkin) == before + 1
    actions = _actions(app)
    assert actions.count("offline.upload") == 1 and actions.count("checkin.create") == 1
    assert actions.count("offline.upload_again") == 3


def test_a_second_device_with_the_same_visit_makes_no_second_checkin(app, client, visit_world):
    from tests.conftest import log_in

    tablet = _bundle(client, visit_world["resident"])
    phone = app.test_client()
    log_in(phone, visit_world["coach"])
    second = phone.post_form(f"/coach/bewoner/{visit_world['resident']}/bezoekpakket").get_json()
    assert second["visit"] == tablet["visit"]
    assert client.post_json("/bezoek-zonder-internet/versturen", _upload_body(tablet)).status_code == 201
    assert phone.post_json("/bezoek-zonder-internet/versturen", _upload_body(second, 3)).status_code == 200
    assert _count(app, Checkin) == 2  # the earlier one and this visit's


def test_uploaded_checkin_scores_like_the_online_flow(app, client, visit_world):
    bundle = _bundle(client, visit_world["resident"])
    items = [i["id"] for p in bundle["questionnaire"]["pillars"] for i in p["items"]]
    answers = {item: (index * 7) % 11 for index, item in enumerate(items)}
    answers[items[0]] = None
    with app.app_context():  # prepared in the morning, done an hour ago, sent now
        db.session.scalar(select(OfflineVisit)).prepared_at = datetime.now(UTC) - timedelta(hours=3)
        db.session.commit()
    finished = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    response = client.post_json("/bezoek-zonder-internet/versturen",
                                _upload_body(bundle, answers=answers, finished_at=finished))
    assert response.status_code == 201
    with app.app_context():
        visit = db.session.scalar(select(OfflineVisit))
        checkin = db.session.get(Checkin, visit.checkin_id)
        assert checkin.mode == "samen" and checkin.form == "uitgebreid" and checkin.life_event == "verhuizing"
        assert checkin.coach_notes == "Loopt weer met de rollator." and checkin.plan_step == "Elke dag een rondje"
        assert history.scores_of(checkin) == scoring.pillar_scores(bundle["scoring"]["pillars"], answers)
        assert {a.item_id for a in checkin.answers if a.wants_to_talk} == {items[0]}
        assert checkin.completed_at.replace(tzinfo=UTC) < datetime.now(UTC) - timedelta(minutes=59)
    page = client.get(response.get_json()["result_url"])
    assert page.status_code == 200


TAMPERED = {
    "out of range": {"answers": "eleven"},
    "bool as score": {"answers": True},
    "text as score": {"answers": "7"},
    "unknown item": {"extra_item": 5},
    "wrong version": {"version": 99},
    "wrong form": {"form": "kort"},
    "wrong questionnaire": {"questionnaire": "iets_anders"},
    "unknown life event": {"life_event": "maanlanding"},
    "extra field": {"resident": "iemand anders"},
    "notes too long": {"conversation": {"coach_notes": "x" * 2001}},
    "talk about an unknown item": {"talk": ["bestaat_niet"]},
    "nothing answered": {"answers": None},
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampered_upload_is_refused_in_dutch_and_changes_nothing(app, client, visit_world, case):
    bundle = _bundle(client, visit_world["resident"])
    body = _upload_body(bundle)
    change = dict(TAMPERED[case])
    first_item = next(iter(body["answers"]))
    if change.get("answers") == "eleven":
        body["answers"][first_item] = 11
    elif change.get("answers") is True:
        body["answers"][first_item] = True
    elif change.get("answers") == "7":
        body["answers"][first_item] = "7"
    elif "answers" in change:
        body["answers"] = {item: None for item in body["answers"]}
    elif "extra_item" in change:
        body["answers"]["verzonnen_vraag"] = 5
    else:
        body.update(change)
    before = (_count(app, Checkin), _actions(app))
    response = client.post_json("/bezoek-zonder-internet/versturen", body)
    assert response.status_code == 400, (case, response.get_json())
    assert "Er is niets veranderd." in response.get_json()["error"]
    assert (_count(app, Checkin), _actions(app)) == before
    with app.app_context():
        assert db.session.scalar(select(OfflineVisit.sent_at)) is None
    # The honest upload still works afterwards.
    assert client.post_json("/bezoek-zonder-internet/versturen", _upload_body(bundle)).status_code == 201


def test_upload_for_a_resident_the_coach_no_longer_follows_is_refused(app, client, visit_world):
    bundle = _bundle(client, visit_world["resident"])
    with app.app_context():
        relation = db.session.scalar(select(CoachRelation))
        relation.ended_at = datetime.now(UTC)
        db.session.commit()
    before = _count(app, Checkin)
    response = client.post_json("/bezoek-zonder-internet/versturen", _upload_body(bundle))
    assert response.status_code == 403
    assert response.get_json()["error"].startswith("U begeleidt deze bewoner niet meer.")
    assert _count(app, Checkin) == before


def test_another_coachs_visit_key_is_unknown(app, client, login_as, visit_world):
    bundle = _bundle(client, visit_world["resident"])
    login_as(client, visit_world["other"])
    response = client.post_json("/bezoek-zonder-internet/versturen", _upload_body(bundle))
    assert response.status_code == 404 and "niet bekend" in response.get_json()["error"]
    assert _count(app, Checkin) == 1


@pytest.mark.parametrize("body", [None, [], {"visit": 5}, {"visit": "kort"}])
def test_upload_that_is_not_a_visit_is_refused(client, visit_world, body):
    response = client.post("/bezoek-zonder-internet/versturen", data="niet-json" if body is None else None,
                           json=body, headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code in (400, 404) and "error" in response.get_json()


def test_upload_without_the_form_token_is_refused(app, client, visit_world):
    bundle = _bundle(client, visit_world["resident"])
    response = client.post("/bezoek-zonder-internet/versturen", json=_upload_body(bundle))
    assert response.status_code == 400
    assert _count(app, Checkin) == 1


def test_token_is_handed_to_a_logged_in_coach(client, visit_world):
    response = client.get("/bezoek-zonder-internet/sleutel")
    assert response.status_code == 200 and len(response.get_json()["csrf_token"]) > 20


def test_one_visit_never_points_at_two_checkins(app, visit_world):
    with app.app_context():
        resident = db.session.scalar(select(Resident))
        checkin = db.session.scalar(select(Checkin))
        for _ in range(2):
            db.session.add(OfflineVisit(resident_id=resident.id, questionnaire_id="veerkracht",
                                        questionnaire_version=2, form="uitgebreid", checkin_id=checkin.id))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_logging_out_wipes_the_devices_offline_store(client, visit_world):
    response = client.post_form("/uitloggen")
    assert response.status_code == 302
    assert '"storage"' in response.headers["Clear-Site-Data"].split(", ")
    assert "Clear-Site-Data" not in client.get("/").headers


# ---- Rules ----------------------------------------------------------------------------------------------

SPEC = UploadSpec("veerkracht", 2, "uitgebreid", ("a_een", "a_twee", "b_een"), frozenset(range(11)),
                  frozenset({"geen", "verhuizing"}))
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _payload(**changes):
    body = {"visit": "abcdefghijkl", "questionnaire": "veerkracht", "version": 2, "form": "uitgebreid",
            "life_event": "geen", "answers": {"a_een": 0, "a_twee": 10}, "talk": ["b_een"]}
    body.update(changes)
    return body


def test_rules_accept_a_good_upload_and_count_missing_answers_as_skipped():
    upload = parse_upload(_payload(conversation={"coach_notes": "  ", "rhythm": "waakvlam"}), SPEC, NOW)
    assert upload.answers == {"a_een": 0, "a_twee": 10, "b_een": None}
    assert upload.talk == {"b_een"} and upload.conversation == {"coach_notes": None, "rhythm": "waakvlam"}


@pytest.mark.parametrize(("changes", "code"), [
    ({"answers": {"a_een": -1}}, "out_of_range"),
    ({"answers": {"a_een": 3.5}}, "out_of_range"),
    ({"answers": {"a_een": False}}, "out_of_range"),
    ({"answers": {"zz": 1}}, "unknown_item"),
    ({"answers": []}, "not_json"),
    ({"version": 1}, "wrong_version"),
    ({"life_event": None}, "life_event"),
    ({"talk": "a_een"}, "unknown_item"),
    ({"conversation": {"rhythm": "elke dag"}}, "unknown_field"),
    ({"conversation": {"plan_step": 5}}, "unknown_field"),
    ({"finished_at": "gisteren"}, "unknown_field"),
    ({"visit": "kort"}, "visit_missing"),
])
def test_rules_refuse_what_the_online_flow_would_refuse(changes, code):
    with pytest.raises(UploadError) as refused:
        parse_upload(_payload(**changes), SPEC, NOW)
    assert refused.value.code == code


def test_rules_ignore_a_finish_time_from_a_wrong_clock():
    assert parse_upload(_payload(finished_at="2027-01-01T10:00:00Z"), SPEC, NOW).finished_at is None
    assert parse_upload(_payload(finished_at="2026-12-03T10:00:00Z"), SPEC, NOW).finished_at == datetime(
        2026, 12, 3, 10, 0, tzinfo=UTC)


def test_scoring_definition_is_the_servers_rule_as_data():
    definition = rules.scoring_definition({"lichaam": ["a", "b"]})
    assert definition["pillars"] == {"lichaam": ["a", "b"]}
    assert (definition["decimals"], definition["rounding"], definition["min_answered"]) == (1, "half_up", "half")


def test_two_uploads_at_the_same_moment_make_one_checkin(app, visit_world):
    """Two tabs (or a tablet and a phone) send the same visit at once: the claim lets one through."""
    import threading

    from tests.conftest import log_in

    clients = [app.test_client() for _ in range(2)]
    for one in clients:
        log_in(one, visit_world["coach"])
    bundle = clients[0].post_form(f"/coach/bewoner/{visit_world['resident']}/bezoekpakket").get_json()
    tokens = [one.csrf_token() for one in clients]
    start, statuses = threading.Barrier(2), []

    def send(index):
        start.wait()
        response = clients[index].post("/bezoek-zonder-internet/versturen", json=_upload_body(bundle),
                                        headers={"X-CSRFToken": tokens[index]})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert _count(app, Checkin) == 2  # the earlier one and this visit's, never a third
    assert 201 in statuses
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert sorted(statuses) == [200, 201]  # the second waited for the first's commit, then found it


# ---- The life-event month and "Bent u naar ... geweest?" -------------------------------------------

def test_rules_take_the_life_event_month_as_the_online_screen_does():
    upload = parse_upload(_payload(life_event="verhuizing", event_month="3", event_year="2026"), SPEC, NOW)
    assert upload.life_event_on == date(2026, 3, 1)
    assert parse_upload(_payload(life_event="verhuizing"), SPEC, NOW).life_event_on is None  # weet ik niet
    # Nothing happened: no month to keep, whatever the device sent.
    assert parse_upload(_payload(event_month="3", event_year="2026"), SPEC, NOW).life_event_on is None


@pytest.mark.parametrize("when", [
    {"event_month": "3"},                                  # half a date
    {"event_month": "1", "event_year": "2027"},            # still to come
    {"event_month": "13", "event_year": "2026"},
    {"event_month": "3", "event_year": "1901"},
    {"event_month": ["3"], "event_year": "2026"},
    {"event_month": True, "event_year": "2026"},
])
def test_rules_refuse_a_month_the_online_screen_would_refuse(when):
    with pytest.raises(UploadError) as refused:
        parse_upload(_payload(life_event="verhuizing", **when), SPEC, NOW)
    assert refused.value.code == "event_date"


def test_rules_read_followups_per_activity():
    upload = parse_upload(_payload(followups={"hoe_ref12345": "4", "toelichting_ref12345": " Gezellig. ",
                                              "hoe_other678": "", "toelichting_other678": ""}), SPEC, NOW)
    assert upload.followups == {"ref12345": (4, "Gezellig."), "other678": (None, None)}


@pytest.mark.parametrize(("followups", "code"), [
    ({"hoe_ref12345": "6"}, "followup"),
    ({"hoe_ref12345": 4}, "followup"),
    ({"cijfer_ref12345": "4"}, "followup"),
    ({"hoe_x": "4"}, "followup"),
    ({"hoe_ref1234<>": "4"}, "followup"),
    (["hoe_ref12345"], "followup"),
    ({"toelichting_ref12345": "x" * 1001}, "too_long"),
])
def test_rules_refuse_a_broken_followup(followups, code):
    with pytest.raises(UploadError) as refused:
        parse_upload(_payload(followups=followups), SPEC, NOW)
    assert refused.value.code == code


def _open_referral(app, resident_public_id: str) -> str:
    from webapp.core.models import Activity, User
    from webapp.referrals import service as referrals

    with app.test_request_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == resident_public_id))
        activity = Activity(name="Wandelgroep De Beemden", organisation="Welzijn", description="Samen wandelen.",
                            pillars=["lichaam"], last_verified_on=date.today())
        db.session.add(activity)
        db.session.flush()
        coach = db.session.scalar(select(User).where(User.username == "coach-o"))
        referral = referrals.propose(resident, activity, None, coach)
        db.session.commit()
        return referral.public_id


def test_visit_asks_how_the_activity_went_and_keeps_the_month(app, client, visit_world):
    from webapp.core.models import Referral

    referral = _open_referral(app, visit_world["resident"])
    bundle = _bundle(client, visit_world["resident"])
    assert bundle["followups"] == [{"id": referral, "name": "Wandelgroep De Beemden"}]
    body = _upload_body(bundle, event_month="10", event_year=str(date.today().year - 1),
                        followups={f"hoe_{referral}": "4", f"toelichting_{referral}": "Gezellig, wel moe."})
    assert client.post_json("/bezoek-zonder-internet/versturen", body).status_code == 201
    with app.app_context():
        answered = db.session.scalar(select(Referral).where(Referral.public_id == referral))
        assert (answered.followup_rating, answered.followup_text) == (4, "Gezellig, wel moe.")
        checkin = db.session.scalar(select(Checkin).order_by(Checkin.id.desc()))
        assert checkin.life_event == "verhuizing"
        from webapp.core.models import Draft
        draft = db.session.get(Draft, checkin.draft_id)
        assert draft.life_event_on == date(date.today().year - 1, 10, 1)
    assert "referral.followup" in _actions(app)


def test_followup_for_an_activity_of_someone_else_stores_nothing(app, client, visit_world, make_resident):
    other = make_resident()["resident"]
    strangers = _open_referral(app, other)
    bundle = _bundle(client, visit_world["resident"])
    before = _count(app, Checkin)
    response = client.post_json("/bezoek-zonder-internet/versturen",
                                _upload_body(bundle, followups={f"hoe_{strangers}": "5"}))
    assert response.status_code == 400
    assert "Een antwoord over een activiteit klopt niet." in response.get_json()["error"]
    assert _count(app, Checkin) == before
    with app.app_context():
        assert db.session.scalar(select(OfflineVisit)).sent_at is None  # it can still be sent, corrected
