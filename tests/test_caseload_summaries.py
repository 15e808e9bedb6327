"""The per-resident caseload summary: its rules, and that keeping it on every write equals rebuilding it."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import all_answers
from webapp.accounts import service as people
from webapp.caseload import rules as caseload
from webapp.caseload import summaries
from webapp.checkin import service as checkins
from webapp.core.extensions import db
from webapp.core.models import Activity, Answer, Checkin, Draft, Referral, Resident, ResidentSummary, User
from webapp.core.models._base import as_utc
from webapp.referrals import service as referrals
from webapp.reminders import service as reminders
from webapp.results import service as results
from webapp.rights import service as rights

TODAY = date(2026, 12, 3)
SCORES = {"lichaam": 6.0, "mentaal": 5.0, "zingeving": 7.0}


def latest(**changes) -> caseload.Latest:
    values = {"day": TODAY - timedelta(days=10), "life_event": "geen", "planned": None, "planned_by": None,
              "scores": SCORES, "talk_count": 0} | changes
    return caseload.Latest(**values)


def test_no_checkin_yet_is_due_six_weeks_after_the_account_began():
    summary = caseload.summarise(None, None, TODAY, None, None)
    assert summary.due_on == TODAY + timedelta(weeks=6) and summary.last_checkin_on is None
    assert summary.changes == {} and summary.largest_drop == 0.0 and not summary.has_drop


def test_a_drop_of_two_points_is_flagged_and_the_largest_drop_kept():
    summary = caseload.summarise(latest(), {"lichaam": 8.0, "mentaal": 6.5, "zingeving": None}, TODAY, None, None)
    assert summary.changes == {"lichaam": -2.0, "mentaal": -1.5, "zingeving": None}
    assert summary.has_drop and summary.largest_drop == -2.0
    assert caseload.flags_of(summary, TODAY, datetime(2026, 11, 1, tzinfo=UTC)) == {caseload.FLAG_DROP}


def test_a_rise_is_no_drop_and_the_largest_drop_stays_zero_only_when_nothing_fell():
    summary = caseload.summarise(latest(), {"lichaam": 4.0, "mentaal": 5.5, "zingeving": 7.0}, TODAY, None, None)
    assert not summary.has_drop and summary.largest_drop == -0.5


def test_a_planned_date_wins_and_late_is_decided_on_the_day():
    summary = caseload.summarise(latest(planned=TODAY + timedelta(days=1), planned_by="bewoner"), None, TODAY,
                                 None, None)
    assert summary.due_on == TODAY + timedelta(days=1)
    cutoff = datetime(2026, 11, 1, tzinfo=UTC)
    assert caseload.FLAG_OVERDUE not in caseload.flags_of(summary, TODAY, cutoff)
    assert caseload.FLAG_OVERDUE in caseload.flags_of(summary, TODAY + timedelta(days=2), cutoff)


def test_talk_very_low_and_quiet_referrals_are_flags():
    summary = caseload.summarise(latest(talk_count=2, scores={"mentaal": 2.0}), None, TODAY, "verhuizing",
                                 datetime(2026, 10, 1, tzinfo=UTC), ("mentaal", "zingeving"), 3.0)
    flags = caseload.flags_of(summary, TODAY, datetime(2026, 11, 5, tzinfo=UTC))
    assert flags == {caseload.FLAG_TALK, caseload.FLAG_VERY_LOW, caseload.FLAG_NO_NEWS}
    assert summary.life_event == "verhuizing"
    assert caseload.FLAG_NO_NEWS not in caseload.flags_of(summary, TODAY, datetime(2026, 9, 1, tzinfo=UTC))


def test_without_a_safety_net_nothing_is_very_low():
    summary = caseload.summarise(latest(scores={"mentaal": 0.0}), None, TODAY, None, None)
    assert not summary.is_very_low


# --------------------------------------------------------------------------- kept == rebuilt


def _kept() -> dict[int, caseload.Summary]:
    rows = db.session.scalars(select(ResidentSummary)).all()
    return {row.resident_id: caseload.Summary(
        **{name: getattr(row, name) for name in summaries.COLUMNS if name != "oldest_open_news_at"},
        oldest_open_news_at=as_utc(row.oldest_open_news_at)) for row in rows}


def _rebuilt() -> dict[int, caseload.Summary]:
    return summaries.compute(db.session, db.session.scalars(select(Resident.id)))


class World:
    """Random operations through the app's own services, as the pages call them."""

    def __init__(self, app, rng: random.Random, items: dict[str, list[str]]):
        self.app, self.rng, self.items = app, rng, items
        self.now = datetime(2026, 6, 1, 9, tzinfo=UTC)
        app.config["CLOCK"] = lambda: self.now
        self.coach = people.create_staff("coach-prop", "een-lang-wachtwoord-1", ["welzijnscoach"], "Coach")
        self.activity = Activity(name="Wandelclub", organisation="Buurt", description="-",
                                 last_verified_on=date(2026, 1, 1))
        db.session.add(self.activity)
        db.session.flush()
        self.count = 0

    def residents(self) -> list[Resident]:
        return list(db.session.scalars(select(Resident).order_by(Resident.id)))

    def answers(self) -> dict:
        level = self.rng.choice((1, 3, 5, 8))
        return {item: (None if self.rng.random() < 0.1 else max(0, min(10, level + self.rng.randint(-2, 2))))
                for group in self.items.values() for item in group}

    def enrol(self):
        self.count += 1
        people.enrol_resident(self.coach, f"Bewoner {self.count}", 1950, "Noord", self.now.date(), "mondeling")

    def checkin(self, resident):
        answers = self.answers()
        talk = {item for item in answers if self.rng.random() < 0.05}
        self.now += timedelta(days=self.rng.randint(0, 40), hours=self.rng.randint(0, 20))
        event = self.rng.choice(("geen", "geen", "verhuizing", "pensioen", None))
        if self.rng.random() < 0.5:  # the resident's own submit
            draft = Draft(resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1,
                          form="kort", life_event=event, answers=answers, talk_items=sorted(talk))
            db.session.add(draft)
            db.session.flush()
            checkins.submit_draft(resident, draft)
        else:  # stored directly, as the demo and the factories do
            db.session.add(Checkin(
                resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1, form="kort",
                life_event=event, started_at=self.now, completed_at=self.now - timedelta(
                    days=self.rng.choice((0, 0, 30))),  # sometimes an older one arrives late
                answers=[Answer(item_id=i, score=s, wants_to_talk=i in talk) for i, s in answers.items()]))
            db.session.flush()

    def latest(self, resident) -> Checkin | None:
        return db.session.scalar(select(Checkin).where(Checkin.resident_id == resident.id)
                                 .order_by(Checkin.completed_at.desc(), Checkin.id.desc()).limit(1))

    def plan(self, resident):
        chosen = self.latest(resident)
        if chosen is not None:
            results.save_plan(resident, chosen, {"plan_important": "Buiten zijn", "plan_pillar": "lichaam"})

    def visit(self, resident):
        chosen = self.latest(resident)
        if chosen is not None:
            day = self.now.date() + timedelta(days=self.rng.randint(-20, 60)) if self.rng.random() < 0.7 else None
            results.save_visit(resident, chosen, {"next_checkin_on": day, "rhythm": self.rng.choice(
                ("gewoon", "waakvlam"))}, self.now.date())

    def choose(self, resident):
        reminders.choose(resident, self.now.date() + timedelta(days=self.rng.randint(-5, 90)))

    def refer(self, resident):
        referrals.propose(resident, self.activity, self.latest(resident), self.coach)

    def move(self, resident):
        open_ones = referrals.open_referrals(resident)
        if open_ones:
            referral = self.rng.choice(open_ones)
            new = self.rng.choice(("aangemeld", "gestart", "afgerond", "gestopt"))
            try:
                referrals.change_status(resident, referral, new, "past niet")
            except referrals.ReferralError:
                pass

    def followup(self, resident):
        chosen = db.session.scalar(select(Referral).where(Referral.resident_id == resident.id).limit(1))
        if chosen is not None:
            referrals.save_followup(resident, chosen, self.rng.randint(1, 5), "Gezellig")

    def wijk(self, resident):
        resident.wijk = self.rng.choice(("Noord", "Zuid", None))
        db.session.flush()

    def erase(self, resident):
        rights.erase(resident, self.coach)

    def wait(self, _resident):
        self.now += timedelta(days=self.rng.randint(1, 45))


OPERATIONS = ("enrol", "checkin", "checkin", "checkin", "plan", "visit", "choose", "refer", "move", "move",
              "followup", "wijk", "erase", "wait", "commit", "rollback")


@pytest.mark.parametrize("seed", range(4))
def test_kept_summaries_equal_rebuilt_ones_after_random_operations(app, kort_items, seed):
    rng = random.Random(seed)  # noqa: S311 - test data
    with app.test_request_context():
        world = World(app, rng, kort_items)
        for _ in range(3):
            world.enrol()
        db.session.commit()
        for step in range(120):
            operation = rng.choice(OPERATIONS)
            residents = world.residents()
            if operation == "commit":
                db.session.commit()
            elif operation == "rollback":
                db.session.rollback()
            elif operation == "enrol" or not residents:
                world.enrol()
            elif operation != "erase" or len(residents) > 2:
                getattr(world, operation)(rng.choice(residents))
            db.session.flush()
            assert _kept() == _rebuilt(), f"seed {seed}, step {step}: {operation}"
        db.session.commit()
        kept = _kept()
        assert summaries.rebuild() == len(kept)
        assert _kept() == kept
        assert any(summary.last_checkin_on for summary in kept.values())
        db.session.rollback()


def test_rebuild_fills_rows_that_bulk_inserts_skipped(app, make_resident, make_checkin, kort_items):
    resident = make_resident()
    make_checkin(resident["resident"], all_answers(kort_items), days_ago=3)
    with app.app_context():
        db.session.execute(ResidentSummary.__table__.delete())
        db.session.commit()
        assert summaries.rebuild() == 1
        db.session.commit()
        row = db.session.scalar(select(ResidentSummary))
        assert row.last_checkin_on is not None and row.talk_count == 0


def test_erasing_a_resident_removes_their_summary(app, make_resident, make_checkin, kort_items):
    resident = make_resident()
    make_checkin(resident["resident"], all_answers(kort_items))
    with app.test_request_context():
        target = db.session.scalar(select(Resident))
        assert db.session.scalar(select(ResidentSummary.resident_id)) == target.id
        rights.erase(target)
        db.session.commit()
        assert db.session.scalars(select(ResidentSummary)).all() == []
        assert db.session.scalars(select(User)).all() == []


def test_the_command_rebuilds_every_summary(app, make_resident, make_checkin, kort_items):
    resident = make_resident()
    make_checkin(resident["resident"], all_answers(kort_items))
    with app.app_context():
        db.session.execute(ResidentSummary.__table__.delete())
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0 and "1 samenvattingen" in result.output
    with app.app_context():
        assert db.session.scalar(select(ResidentSummary.last_checkin_on)) is not None
