"""The resident's check-in over HTTP: steps, drafts, submit, result, plan, history, charts."""

import re
import threading

from sqlalchemy import func, select

from tests.checkin_helpers import answer_steps, complete_checkin, start_checkin
from tests.conftest import all_answers
from webapp.core.extensions import db
from webapp.core.models import Answer, AuditEvent, ChartImage, Checkin, Draft, Resident


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _checkin(app, public_id):
    with app.app_context():
        m = db.session.scalar(select(Checkin).where(Checkin.public_id == public_id))
        answers = {a.item_id: (a.score, a.wants_to_talk) for a in m.answers}
        return m, answers


def test_full_checkin_stores_every_raw_answer_with_questionnaire_version(app, client, make_resident, login_as,
                                                                          kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    first_item = kort_items["lichaam"][0]
    skipped = kort_items["meedoen"]
    checkin_id = complete_checkin(
        client, kort_items, scores={first_item: 0, **dict.fromkeys(skipped)}, talk=(first_item,),
    )
    m, answers = _checkin(app, checkin_id)
    stored = (m.questionnaire_id, m.questionnaire_version, m.form, m.life_event)
    assert stored == ("veerkracht", 2, "kort", "verhuizing")  # the newest version
    assert len(answers) == 12
    assert answers[first_item] == (0, True)
    assert all(answers[item] == (None, False) for item in skipped)

    page = client.get(f"/uitslag/{checkin_id}").get_data(as_text=True)
    assert "Uw spinnenweb" in page
    assert "te weinig ingevuld" in page  # meedoen: every item skipped
    assert "Hier wilt u over praten" in page
    assert f"/grafiek/{checkin_id}.svg" in page


def test_result_compares_with_previous_checkin_and_flags_big_changes(client, make_resident, login_as,
                                                                       make_checkin, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    previous = make_checkin(resident["resident"], all_answers(kort_items, 4), days_ago=40)
    current = complete_checkin(client, kort_items, default=7)
    page = client.get(f"/uitslag/{current}").get_data(as_text=True)
    assert f"vs={previous}" in page
    assert "7 van de 10" in page and ">beter" in page  # plain words first (issue 17)
    assert "+3,0" in page and "7,0</td>" in page  # the exact figures one tap away
    assert "fijn om over te praten" in page
    assert "2 punten of meer" in page and "vuistregel" not in page


def test_lowest_pillars_are_called_out_kindly(client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    low = {item: 2 for item in kort_items["meedoen"]}
    checkin = complete_checkin(client, kort_items, scores=low, default=8)
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "Hier gaat het nu het minst goed: Meedoen." in page
    assert "heel normaal na wat u heeft meegemaakt" in page  # a life-event was chosen


def test_draft_is_saved_every_step_and_resumes_where_the_resident_was(app, client, make_resident, login_as,
                                                                       kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=2)
    # A new browser session (phone locked, app restarted): log in again and continue.
    fresh = app.test_client()
    login_as(fresh, resident["user"])
    assert "U was nog bezig" in fresh.get("/").get_data(as_text=True)
    assert fresh.get(f"/checkin/{draft}").location.endswith(f"/checkin/{draft}/stap/3")
    again = fresh.post_form("/checkin/start")
    assert again.location.endswith(f"/checkin/{draft}/stap/3")
    assert _count(app, Draft) == 1


def test_back_button_shows_earlier_answers(client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    item = kort_items["lichaam"][0]
    answer_steps(client, draft, kort_items, scores={item: 3}, talk=(item,), upto=1)
    page = client.get(f"/checkin/{draft}/stap/1").get_data(as_text=True)
    assert f'name="{item}" value="3" checked' in page
    assert f'name="talk_{item}" value="1" checked' in page


def test_previous_button_saves_and_goes_back(app, client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=1)
    items = kort_items["mentaal"]
    response = client.post_form(f"/checkin/{draft}/stap/2", {items[0]: "9", "action": "back"})
    assert response.location.endswith(f"/checkin/{draft}/stap/1")
    with app.app_context():
        assert db.session.scalar(select(Draft)).answers[items[0]] == 9


def test_autosave_stores_answer_without_leaving_the_page(app, client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=0)
    item = kort_items["lichaam"][1]
    response = client.post_form(f"/checkin/{draft}/stap/1", {item: "6", "action": "autosave"})
    assert response.status_code == 204
    with app.app_context():
        assert db.session.scalar(select(Draft)).answers[item] == 6


def test_steps_cannot_be_skipped_ahead(client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    assert client.get(f"/checkin/{draft}/stap/4").location.endswith(f"/checkin/{draft}/gebeurtenis")
    assert client.get(f"/checkin/{draft}/klaar").location.endswith(f"/checkin/{draft}/gebeurtenis")
    assert client.post_form(f"/checkin/{draft}/versturen").location.endswith(f"/checkin/{draft}/gebeurtenis")
    assert client.get(f"/checkin/{draft}/stap/9").status_code == 404


def test_double_submit_creates_exactly_one_checkin(app, client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    first = client.post_form(f"/checkin/{draft}/versturen")
    second = client.post_form(f"/checkin/{draft}/versturen")
    assert first.location == second.location
    assert _count(app, Checkin) == 1
    assert _count(app, Answer) == 12
    # Back button into the questionnaire after submitting leads to the result, not a new check-in.
    assert client.get(f"/checkin/{draft}/stap/3").location == first.location
    assert "Doe de check-in" in client.get("/").get_data(as_text=True)


def test_a_checkin_with_no_answer_at_all_is_not_stored_and_says_where_to_go(app, client, make_resident, login_as,
                                                                            kort_items):
    """Tapping "Volgende" on every screen skips every question: there is no result to show, and an
    empty check-in would become the resident's "last check-in" and spoil the comparisons."""
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, scores={item: None for items in kort_items.values() for item in items})
    page = client.get(f"/checkin/{draft}/klaar").get_data(as_text=True)
    assert "U heeft nog geen enkele vraag beantwoord." in page and "Bekijk mijn uitslag" not in page
    assert f"/checkin/{draft}/stap/1" in page
    response = client.post_form(f"/checkin/{draft}/versturen")
    assert response.status_code == 400 and "Er is niets opgeslagen." in response.get_data(as_text=True)
    assert _count(app, Checkin) == 0
    # One answer is enough: then it is a check-in (the rest counts as skipped).
    first = next(iter(kort_items.values()))[0]
    client.post_form(f"/checkin/{draft}/stap/1", {"action": "next", first: "4"})
    assert client.post_form(f"/checkin/{draft}/versturen").status_code == 302
    assert _count(app, Checkin) == 1


def test_the_last_screen_names_each_skipped_question_and_leads_back_to_it(client, make_resident, login_as,
                                                                        kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    third_step = list(kort_items.values())[2]
    answer_steps(client, draft, kort_items, scores={third_step[1]: None})
    page = client.get(f"/checkin/{draft}/klaar").get_data(as_text=True)
    assert "U heeft 1 vraag overgeslagen. Dat is niet erg." in page and "Welke vraag?" in page
    assert f'href="/checkin/{draft}/stap/3#vraag-{third_step[1]}"' in page
    assert "Bekijk mijn uitslag" in page


def _tabs(app, login_as, user: str, count: int) -> list:
    """Several browser tabs of one logged-in resident."""
    tabs = [app.test_client() for _ in range(count)]
    for tab in tabs:
        login_as(tab, user)
    return tabs


def test_submit_from_two_tabs_at_once_creates_one_checkin(app, make_resident, login_as, kort_items):
    tabs = _tabs(app, login_as, make_resident()["user"], 4)
    draft = start_checkin(tabs[0])
    answer_steps(tabs[0], draft, kort_items)
    tokens = [tab.csrf_token() for tab in tabs]
    barrier = threading.Barrier(len(tabs))
    locations = []

    def submit(tab, token):
        barrier.wait()
        locations.append(tab.post(f"/checkin/{draft}/versturen", data={"csrf_token": token}).location)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(tabs, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(locations)) == 1 and "/uitslag/" in locations[0]
    assert _count(app, Checkin) == 1


def test_draft_answers_are_not_kept_twice_after_submit(app, client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    complete_checkin(client, kort_items)
    with app.app_context():
        assert db.session.scalar(select(Draft)).answers == {}


def test_resident_can_throw_away_a_draft_and_start_over(app, client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=2)
    # The home page asks first: one tap there throws nothing away.
    home = client.get("/").get_data(as_text=True)
    assert f'href="/checkin/{draft}/opnieuw-beginnen"' in home and f"/checkin/{draft}/weggooien" not in home
    question = client.get(f"/checkin/{draft}/opnieuw-beginnen").get_data(as_text=True)
    assert "Opnieuw beginnen?" in question and "Nee, verder met de check-in" in question
    assert _count(app, Draft) == 1
    assert client.post_form(f"/checkin/{draft}/weggooien").status_code == 302
    assert _count(app, Draft) == 0
    assert start_checkin(client) != draft


def test_plan_is_saved_with_the_checkin(app, client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    checkin = complete_checkin(client, kort_items)
    response = client.post_form(f"/uitslag/{checkin}", {
        "plan_important": "Mijn kleinkinderen zien", "plan_pillar": "meedoen",
        "plan_step": "Naar de koffieochtend", "plan_helper": "Mijn buurvrouw",
    })
    assert response.status_code == 302
    m, _ = _checkin(app, checkin)
    assert (m.plan_pillar, m.plan_step, m.plan_helper) == ("meedoen", "Naar de koffieochtend", "Mijn buurvrouw")
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "Naar de koffieochtend" in page
    assert re.search(r'<input checked[^>]*value="meedoen"', page)


def test_bad_plan_is_refused_and_changes_nothing(app, client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    checkin = complete_checkin(client, kort_items)
    response = client.post_form(f"/uitslag/{checkin}", {"plan_pillar": "geluk", "plan_step": "x"})
    assert response.status_code == 200 and "Not a valid choice" not in response.get_data(as_text=True)
    assert 'class="error"' in response.get_data(as_text=True)
    too_long = client.post_form(f"/uitslag/{checkin}", {"plan_step": "x" * 501})
    assert too_long.status_code == 200
    assert "hoogstens 500 tekens" in too_long.get_data(as_text=True)
    m, _ = _checkin(app, checkin)
    assert m.plan_step is None and m.plan_saved_at is None


def test_history_lists_checkins_and_compares_any_two(client, make_resident, login_as, make_checkin,
                                                    kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    old = make_checkin(resident["resident"], all_answers(kort_items, 3), days_ago=90)
    middle = make_checkin(resident["resident"], all_answers(kort_items, 5), days_ago=45)
    new = make_checkin(resident["resident"], all_answers(kort_items, 8), days_ago=1)
    page = client.get("/geschiedenis").get_data(as_text=True)
    assert page.index(new) < page.index(middle) < page.index(old)
    compare = client.get(f"/geschiedenis/vergelijken?a={old}&b={new}").get_data(as_text=True)
    assert f"/grafiek/{new}.svg?vs={old}" in compare  # newest filled, oldest dashed
    assert "+5,0" in compare
    # The column says since when: the older one is not "last time" (the middle one was).
    assert "Sinds de vorige keer" not in compare and "Sinds " in compare


def test_empty_history_says_so(client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    assert "nog geen check-in" in client.get("/geschiedenis").get_data(as_text=True)


def test_chart_is_svg_and_drawn_only_once(app, client, make_resident, login_as, make_checkin, kort_items,
                                          monkeypatch):
    from webapp.results import service as charts

    drawn = []
    real = charts.spider_svg
    monkeypatch.setattr(charts, "spider_svg", lambda *a, **k: drawn.append(1) or real(*a, **k))
    resident = make_resident()
    login_as(client, resident["user"])
    before = make_checkin(resident["resident"], all_answers(kort_items, 5), days_ago=30)
    now = make_checkin(resident["resident"], all_answers(kort_items, 7))
    first = client.get(f"/grafiek/{now}.svg?vs={before}")
    second = client.get(f"/grafiek/{now}.svg?vs={before}")
    assert first.status_code == 200 and first.mimetype == "image/svg+xml"
    assert first.data == second.data
    assert len(drawn) == 1 and _count(app, ChartImage) == 1
    client.post_form("/taal", {"lang": "en"})
    client.get(f"/grafiek/{now}.svg?vs={before}")
    assert _count(app, ChartImage) == 2 and len(drawn) == 2  # one per language


def test_viewing_a_result_is_audited_with_pseudonymous_ids(app, client, make_resident, login_as, kort_items):
    resident = make_resident(username="anneke")
    login_as(client, resident["user"])
    checkin = complete_checkin(client, kort_items)
    client.get(f"/uitslag/{checkin}")
    client.get(f"/grafiek/{checkin}.svg")
    client.get("/geschiedenis")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [e.action for e in events]
        for action in ("checkin.start", "checkin.create", "checkin.view", "chart.view", "history.view"):
            assert action in actions
        view = next(e for e in events if e.action == "checkin.view")
        assert view.resident_public_id == resident["resident"]
        assert view.actor_public_id == resident["user"] and view.actor_role == "bewoner"
        assert view.object_public_id == checkin
        assert all("anneke" not in repr(vars(e)) for e in events)


def test_going_back_or_autosave_does_not_mark_untouched_questions_as_skipped(app, client, make_resident,
                                                                             login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=1)
    first, second = kort_items["mentaal"]
    client.post_form(f"/checkin/{draft}/stap/2", {first: "4", "action": "autosave"})
    client.post_form(f"/checkin/{draft}/stap/2", {first: "5", f"talk_{second}": "1", "action": "back"})
    with app.app_context():
        saved = db.session.scalar(select(Draft))
        assert saved.answers[first] == 5 and second not in saved.answers
        assert second in saved.talk_items
        assert saved.steps_done == 2  # step 2 is not finished until "Volgende"
    page = client.get(f"/checkin/{draft}/stap/2").get_data(as_text=True)
    assert f'name="{second}" value="skip" checked' not in page


def test_two_tabs_saving_different_screens_at_once_keep_both(app, make_resident, login_as, kort_items):
    tabs = _tabs(app, login_as, make_resident()["user"], 2)
    draft = start_checkin(tabs[0])
    answer_steps(tabs[0], draft, kort_items, upto=2)
    pillars = list(kort_items.values())
    posts = [(tabs[0], 1, {pillars[0][0]: "1", pillars[0][1]: "1"}),
             (tabs[1], 2, {pillars[1][0]: "2", pillars[1][1]: "2"})]
    tokens = [tab.csrf_token() for tab in tabs]
    barrier = threading.Barrier(2)
    statuses = []

    def save(tab, step, data, token):
        barrier.wait()
        response = tab.post(f"/checkin/{draft}/stap/{step}", data={**data, "action": "autosave", "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(*post, token)) for post, token in zip(posts, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [204, 204]
    with app.app_context():
        answers = db.session.scalar(select(Draft)).answers
    assert answers[pillars[0][0]] == 1 and answers[pillars[1][0]] == 2


def test_stale_save_is_merged_into_the_fresh_draft(app, make_resident, kort_items):
    """A save whose draft changed in between (version check fails) is redone on a fresh copy,
    keeping what the request audited before it."""
    from webapp.checkin import service as drafts
    from webapp.core import audit

    resident = make_resident()
    with app.test_request_context():
        owner = db.session.scalar(select(Resident).where(Resident.public_id == resident["resident"]))
        draft = drafts.start_draft(owner, "kort")
        db.session.commit()
        draft_id = draft.id
        first = kort_items["lichaam"][0]
        stale = db.session.get(Draft, draft_id)
        audit.record("draft.view", owner, stale)  # recorded before the save
        # Another tab saves in the meantime (its own connection, its own commit).
        with db.engine.begin() as other:
            other.execute(Draft.__table__.update().where(Draft.id == draft_id)
                          .values(answers={"mentaal_humeur": 4}, version=Draft.version + 1))
        drafts.save_step(stale, 1, [first], {first: 9}, set(), finished=False, chosen={first})
        audit.record("draft.update", owner, stale)
        db.session.commit()
        assert db.session.get(Draft, draft_id).answers == {"mentaal_humeur": 4, first: 9}
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["draft.view", "draft.update"]


def _while_saving(monkeypatch, other_tab_does):
    """Run `other_tab_does()` (another tab's request, in a thread of its own as a server would, with
    its own session) after this request read the draft and just before its UPDATE, each time it
    tries; returns the list of tries."""
    from webapp.checkin import service as drafts

    merge, tries, this_tab = drafts._merged_step, [], threading.get_ident()

    def in_between(*args, **kwargs):
        if threading.get_ident() != this_tab:  # the other tab's own save
            return merge(*args, **kwargs)
        tries.append(1)
        other = threading.Thread(target=other_tab_does)
        other.start()
        other.join()
        return merge(*args, **kwargs)

    monkeypatch.setattr(drafts, "_merged_step", in_between)
    return tries


def test_a_screen_saved_just_after_another_tabs_save_keeps_both(app, make_resident, login_as, kort_items,
                                                                 monkeypatch):
    here, there = _tabs(app, login_as, make_resident()["user"], 2)
    draft = start_checkin(here)
    answer_steps(here, draft, kort_items, upto=2)
    first, second = kort_items["lichaam"][0], kort_items["mentaal"][0]
    token, done = there.csrf_token(), []
    tries = _while_saving(monkeypatch, lambda: done or done.append(there.post(
        f"/checkin/{draft}/stap/2", data={second: "1", "action": "autosave", "csrf_token": token})))
    response = here.post_form(f"/checkin/{draft}/stap/1", {first: "9", "action": "autosave"})
    assert (done[0].status_code, response.status_code, len(tries)) == (204, 204, 2)  # lost once, then merged
    with app.app_context():
        answers = db.session.scalar(select(Draft)).answers
    assert (answers[first], answers[second]) == (9, 1)


def test_a_draft_that_keeps_changing_is_refused_and_nothing_is_saved(app, make_resident, login_as, kort_items,
                                                                      monkeypatch):
    """Three lost races in a row (on PostgreSQL another tab can save before each try; SQLite lets
    none in after the first, as the lost try holds the write lock): 409, nothing saved."""
    from sqlalchemy import bindparam, update

    from webapp.checkin import service as drafts

    here = _tabs(app, login_as, make_resident()["user"], 1)[0]
    draft = start_checkin(here)
    answer_steps(here, draft, kort_items, upto=1)
    first = kort_items["lichaam"][0]
    with app.app_context():
        before = db.session.scalar(select(Draft)).answers
    table = Draft.__table__
    lost = (update(table)  # as if another tab had saved just before every try
            .where(table.c.id == bindparam("row_id"), table.c.version == bindparam("seen_version"), table.c.id < 0)
            .values({name: bindparam(name) for name in ("answers", "talk_items", "steps_done", "updated_at",
                                                        "version")}))
    monkeypatch.setattr(drafts, "_SAVE_STEP", lost)
    tries = _while_saving(monkeypatch, lambda: None)
    response = here.post_form(f"/checkin/{draft}/stap/1", {first: "0", "action": "next"})
    assert response.status_code == 409
    assert "Laad de pagina opnieuw" in response.get_data(as_text=True)
    assert len(tries) == 3
    with app.app_context():
        assert db.session.scalar(select(Draft)).answers == before


def test_a_screen_saved_while_another_tab_submits_goes_to_the_result(app, make_resident, login_as, kort_items,
                                                                       monkeypatch):
    """The submitted draft gets no second copy of the answers back, and the autosave is not reported saved."""
    here, there = _tabs(app, login_as, make_resident()["user"], 2)
    draft = start_checkin(here)
    answer_steps(here, draft, kort_items)
    token = there.csrf_token()
    submitted = []
    _while_saving(monkeypatch, lambda: submitted or submitted.append(
        there.post(f"/checkin/{draft}/versturen", data={"csrf_token": token})))
    first = kort_items["lichaam"][0]
    response = here.post_form(f"/checkin/{draft}/stap/1", {first: "2", "action": "autosave"})
    assert submitted[0].status_code == 302
    assert response.status_code == 302 and response.location == submitted[0].location  # its result page
    with app.app_context():
        stored = db.session.scalar(select(Draft))
        assert (stored.answers, stored.talk_items) == ({}, [])
        assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


def test_a_screen_saved_while_another_tab_throws_the_draft_away_is_not_found(app, make_resident, login_as,
                                                                            kort_items, monkeypatch):
    here, there = _tabs(app, login_as, make_resident()["user"], 2)
    draft = start_checkin(here)
    answer_steps(here, draft, kort_items, upto=1)
    token = there.csrf_token()
    thrown = []
    _while_saving(monkeypatch, lambda: thrown or thrown.append(
        there.post(f"/checkin/{draft}/weggooien", data={"csrf_token": token})))
    response = here.post_form(f"/checkin/{draft}/stap/1", {kort_items["lichaam"][0]: "2", "action": "autosave"})
    assert thrown[0].status_code == 302
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_saved_screen_leaves_the_draft_as_stored(app, make_resident, kort_items):
    """The draft object holds what was stored, with nothing left for the commit to write again."""
    from webapp.checkin import service as drafts

    resident = make_resident()
    first, second = kort_items["lichaam"][:2]
    with app.test_request_context():
        owner = db.session.scalar(select(Resident).where(Resident.public_id == resident["resident"]))
        draft = drafts.start_draft(owner, "kort")
        db.session.commit()
        version = draft.version
        drafts.save_step(draft, 1, [first, second], {first: 3}, {second}, finished=True)
        assert not db.session.dirty
        assert (draft.answers, draft.talk_items, draft.steps_done, draft.version) == (
            {first: 3, second: None}, [second], 2, version + 1)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(Draft, draft.id)
        assert (stored.answers, stored.talk_items, stored.steps_done, stored.version) == (
            {first: 3, second: None}, [second], 2, version + 1)


def test_saving_a_screen_sends_no_savepoint(app, client, make_resident, login_as, kort_items):
    """Every screen and autosave writes the draft: one UPDATE, without SAVEPOINT statements around it."""
    from sqlalchemy import event

    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=1)
    first = kort_items["lichaam"][0]
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        sent.append(" ".join(statement.split()).upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.post_form(f"/checkin/{draft}/stap/1", {first: "3", "action": "autosave"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 204
    assert [s for s in sent if s.startswith("UPDATE DRAFT")], sent
    assert not [s for s in sent if "SAVEPOINT" in s], sent


def test_autosave_after_submit_is_not_reported_as_saved(client, make_resident, login_as, kort_items):
    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    client.post_form(f"/checkin/{draft}/versturen")
    response = client.post_form(f"/checkin/{draft}/stap/1", {kort_items["lichaam"][0]: "3", "action": "autosave"})
    assert response.status_code == 302  # app.js treats only 204 as saved


def test_a_submitted_checkin_keeps_the_scores_its_answers_give(app, client, make_resident, login_as, kort_items):
    """Scores are computed once, at submit, with the same scoring as from the raw answers."""
    from webapp.core import history

    resident = make_resident()
    login_as(client, resident["user"])
    complete_checkin(client, kort_items, scores={kort_items["lichaam"][0]: 2, kort_items["zingeving"][0]: None},
                     default=6)
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
        assert checkin.scores is not None
        assert checkin.scores == history.scores_from_answers(checkin)
        body = [2] + [6] * (len(kort_items["lichaam"]) - 1)
        assert checkin.scores["lichaam"] == round(sum(body) / len(body), 1)
        assert checkin.scores["mentaal"] == 6.0
