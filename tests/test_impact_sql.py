"""Impact from stored scores and SQL aggregation gives the same contributions as scoring every answer did,
and the page keeps its figures and charts per release, wijk and language."""

from collections.abc import Iterable
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from tests.test_impact import NOW, add_residents
from webapp.core import scoring
from webapp.core.definitions import current_questionnaire, questionnaire_for
from webapp.core.extensions import db
from webapp.core.models import Activity, Answer, Checkin, Referral, Resident, User
from webapp.core.models._base import as_utc
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.impact import rules as impact
from webapp.impact import service
from webapp.impact.rules import Contribution, ScoredCheckin
from webapp.impact.service import Filters, _referrals, _within

# --- the computation as it was before scores were kept (every check-in loaded, answers scored) ---

def _checkins(filters: Filters, timezone) -> tuple[list[ScoredCheckin], dict, dict[int, str | None]]:
    """Every finished check-in of a counted resident in the period, not yet scored; its row by key;
    each resident's wijk."""
    rows = db.session.execute(
        select(Checkin.id, Checkin.resident_id, Checkin.completed_at, Checkin.life_event,
               Checkin.form, Checkin.questionnaire_id, Checkin.questionnaire_version, Resident.wijk)
        .join(Resident, Resident.id == Checkin.resident_id)
        .where(*_within(Checkin.completed_at, filters, timezone))
    ).all()
    checkins = [ScoredCheckin(key=row.id, resident=row.resident_id, at=as_utc(row.completed_at).astimezone(timezone),
                              life_event=row.life_event, scores={}) for row in rows]
    return checkins, {row.id: row for row in rows}, {row.resident_id: row.wijk for row in rows}


def _score(needed: Iterable[ScoredCheckin], rows: dict) -> None:
    """Fill in the pillar scores of only the check-ins the figures compare, from their raw answers.

    A check-in of a questionnaire version this installation no longer knows stays unscored, so
    it counts as a check-in but is left out of the changes.
    """
    wanted = {checkin.key: checkin for checkin in needed}
    keys = sorted(wanted)
    answers: dict[int, dict[str, int | None]] = {key: {} for key in keys}
    for start in range(0, len(keys), 500):  # stay under every database's parameter limit
        for checkin_id, item_id, score in db.session.execute(
                select(Answer.checkin_id, Answer.item_id, Answer.score)
                .where(Answer.checkin_id.in_(keys[start:start + 500]))):
            answers[checkin_id][item_id] = score
    for key, checkin in wanted.items():
        row = rows[key]
        try:
            items = questionnaire_for(row).form_item_ids(row.form)
        except KeyError:
            continue
        checkin.scores.update(scoring.pillar_scores(items, answers[key]))


def _first_named_events(residents: list[int]) -> dict[int, str]:
    """Per resident: the life-event of their earliest check-in that named one."""
    named: dict[int, str] = {}
    for start in range(0, len(residents), 500):
        for resident, event in db.session.execute(
                select(Checkin.resident_id, Checkin.life_event)
                .where(Checkin.resident_id.in_(residents[start:start + 500]),
                       Checkin.life_event.is_not(None), Checkin.life_event != NO_LIFE_EVENT)
                .order_by(Checkin.completed_at.desc())):
            named[resident] = event  # newest first, so the earliest is written last
    return named


def reference_contributions(filters: Filters, pillars: list[str],
                            timezone) -> dict[int, tuple[str | None, Contribution]]:
    """Per counted resident with a check-in in the period: their wijk and what they add to the figures."""
    checkins, rows, wijk_of = _checkins(filters, timezone)
    by_resident: dict[int, list[ScoredCheckin]] = {}
    for checkin in sorted(checkins, key=lambda c: c.at):
        by_resident.setdefault(checkin.resident, []).append(checkin)
    named = _first_named_events(list(by_resident))  # the life-event that brought them in
    referrals = _referrals(filters, timezone)

    pairs: dict[int, tuple[ScoredCheckin, ScoredCheckin]] = {}
    around: dict[int, tuple[str, tuple[ScoredCheckin, ScoredCheckin]]] = {}
    for resident, own in by_resident.items():
        if len(own) >= 2:
            pairs[resident] = (own[0], own[-1])
        if referrals.get(resident):  # each resident adds to one activity: their first referral's
            activity, _status, at = referrals[resident][0]
            pair = impact.around(own, at)
            if pair is not None:
                around[resident] = (activity, pair)
    _score([c for pair in [*pairs.values(), *(p for _a, p in around.values())] for c in pair], rows)

    result = {}
    for resident, own in by_resident.items():
        activity, pair = around.get(resident, (None, None))
        result[resident] = (wijk_of[resident], Contribution(
            month=impact.month_key(own[0].at),
            event=named.get(resident, NO_LIFE_EVENT),
            change=impact.pillar_changes(*pairs[resident], pillars) if resident in pairs else None,
            activity=activity,
            activity_change=impact.pillar_changes(*pair, pillars) if pair else None,
            outcome=referrals[resident][-1][1] if referrals.get(resident) else None,
        ))
    return result



# --- the same contributions, in four queries ---


@pytest.fixture
def mixed(app, kort_items):
    """60 counted residents (and some not) with one to six check-ins over two years, referrals of every
    outcome before, between and after them, life-events now and then, one unknown questionnaire version."""
    import random

    rng = random.Random(11)  # noqa: S311 - test data
    items = [i for group in kort_items.values() for i in group]
    with app.app_context():
        from webapp.accounts import service as people
        from webapp.core.models import CoachRelation

        coach = people.create_staff("coach-i", "coach-wachtwoord-lang", ["welzijnscoach"], "I")
        activities = []
        for number in range(3):
            activity = Activity(name=f"Activiteit {number}", organisation="O", description="-",
                                last_verified_on=NOW.date())
            db.session.add(activity)
            activities.append(activity)
        db.session.flush()
        for number in range(70):
            resident = Resident(display_name=f"Bewoner {number}", wijk=rng.choice(("Noord", "Zuid", None)))
            db.session.add(resident)
            db.session.flush()
            mode = "zelf"
            if number % 7 == 0:
                mode = "samen"
            elif number % 10 != 3:  # a few made their own account and count nowhere
                db.session.add(CoachRelation(coach_id=coach.id, resident_id=resident.id, origin="ingeschreven"))
            moments = sorted(NOW - timedelta(days=rng.randint(1, 700), hours=rng.randint(0, 23))
                             for _ in range(rng.randint(1, 6)))
            for index, at in enumerate(moments):
                level = rng.randint(0, 10)
                db.session.add(Checkin(
                    resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1, form="kort",
                    life_event=rng.choice(("geen", None, "pensioen", "scheiding", "verhuizing")),
                    started_at=at, completed_at=at, mode=mode if index == 0 else "zelf",
                    answers=[Answer(item_id=i, score=None if rng.random() < 0.15 else level) for i in items]))
            for _ in range(rng.choice((0, 0, 1, 2))):
                db.session.add(Referral(resident_id=resident.id, activity_id=rng.choice(activities).id,
                                        status=rng.choice(("voorgesteld", "aangemeld", "gestart", "afgerond",
                                                           "gestopt")),
                                        created_at=NOW - timedelta(days=rng.randint(1, 700))))
        db.session.flush()
        first = db.session.scalar(select(Checkin.id).order_by(Checkin.id))
        db.session.execute(Checkin.__table__.update().values(questionnaire_version=99).where(Checkin.id == first))
        db.session.commit()


@pytest.mark.parametrize("period", [None, str(NOW.year), str(NOW.year - 1), f"{NOW.year}-K{(NOW.month + 2) // 3}",
                                    f"{NOW.year - 1}-K2"])
def test_contributions_from_kept_scores_equal_those_from_the_answers(app, mixed, period):
    with app.test_request_context():
        pillars = [p.id for p in current_questionnaire().pillars]
        timezone = service.clock.timezone()
        expected = reference_contributions(Filters(period), pillars, timezone)
        assert expected, "the population must give contributions"
        assert any(c.activity_change for _w, c in expected.values()) or period is not None
        assert service._contributions(Filters(period), pillars, timezone) == expected


def _statements(app, function) -> int:
    count = []
    with app.app_context():
        engine = db.engine
    listener = lambda *_args: count.append(1)  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        function()
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    return len(count)


def test_the_contributions_cost_four_queries_whatever_the_number_of_residents(app, mixed, kort_items):
    def run():
        with app.test_request_context():
            service._contributions(Filters(), [p.id for p in current_questionnaire().pillars],
                                   service.clock.timezone())

    small = _statements(app, run)
    with app.app_context():
        coach_id = db.session.scalar(select(User.id).where(User.username == "coach-i"))
        add_residents(kort_items, "Noord", 600, [(NOW - timedelta(days=50), 4, "pensioen"),
                                                 (NOW - timedelta(days=5), 6, None)], "Extra", coach_id=coach_id)
        db.session.commit()
    assert _statements(app, run) == small == 4

