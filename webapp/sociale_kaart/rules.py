"""Rank local activities for one check-in, and say why, in plain Python (no Flask, no database).

Order of importance: the pillar the resident chose to work on, then pillars scoring low
(below 6) and pillars with items marked "hier wil ik over praten", then the pillars a
life-event puts at risk. Activities meant for other life-events count half. Only
activities that fit the resident's age are offered; free and nearby ones win when
otherwise equal; the top three do not all serve one pillar when several pillars are weak.
"""

from dataclasses import dataclass, field

LOW_SCORE = 6.0
NEED_FOCUS = 100.0
NEED_LOW = 50.0        # plus 5 for every point below 6
NEED_TALK = 40.0
NEED_EVENT_FIRST = 25.0
NEED_EVENT_LATER = 15.0
WEAK = NEED_TALK       # pillars with at least this need count as "weak" for spreading the top 3
EVENT_MATCH = 20.0     # the activity is meant for this very life-event
EXTRA_PILLAR = 5.0     # for each further pillar in need that the activity also serves
TIE_BREAK = 0.5        # free, and in the resident's own wijk
MEANT_FOR_OTHERS = 0.5  # an activity for other life-events (a rouwgroep for a new carer) counts half


@dataclass(frozen=True)
class Offer:
    """An activity as the ranking sees it."""

    id: str
    pillars: tuple[str, ...]
    life_events: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    free: bool = True
    wijk: str | None = None


@dataclass(frozen=True)
class Profile:
    """What one check-in says about the resident."""

    scores: dict[str, float | None]
    focus: str | None = None
    talk_pillars: frozenset[str] = frozenset()
    life_event: str | None = None
    event_first: tuple[str, ...] = ()
    event_later: tuple[str, ...] = ()
    age: int | None = None
    wijk: str | None = None


@dataclass
class Suggestion:
    offer: Offer
    score: float
    pillar: str                      # the pillar this activity is suggested for
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (kind, pillar or event id)


def needs(profile: Profile) -> dict[str, tuple[float, str]]:
    """How much each pillar needs attention, with the main reason: {pillar: (need, kind)}."""
    result: dict[str, tuple[float, str]] = {}

    def offer(pillar: str, need: float, kind: str) -> None:
        if need > result.get(pillar, (0.0, ""))[0]:
            result[pillar] = (need, kind)

    if profile.focus:
        offer(profile.focus, NEED_FOCUS, "focus")
    for pillar, score in profile.scores.items():
        if score is not None and score < LOW_SCORE:
            offer(pillar, NEED_LOW + 5 * (LOW_SCORE - score), "low")
    for pillar in profile.talk_pillars:
        offer(pillar, NEED_TALK, "talk")
    for pillar in profile.event_first:
        offer(pillar, NEED_EVENT_FIRST, "event_pillar")
    for pillar in profile.event_later:
        offer(pillar, NEED_EVENT_LATER, "event_pillar")
    return result


def fits_age(offer: Offer, age: int | None) -> bool:
    if age is None:
        return True
    return (offer.min_age is None or age >= offer.min_age) and (offer.max_age is None or age <= offer.max_age)


def score_offer(offer: Offer, profile: Profile, need: dict[str, tuple[float, str]]) -> Suggestion | None:
    """Score one activity; None when it serves nothing this resident needs now."""
    served = sorted(((need[p][0], p) for p in offer.pillars if p in need), reverse=True)
    event_match = bool(profile.life_event) and profile.life_event in offer.life_events
    if not served and not event_match:
        return None
    main_need, main = served[0] if served else (0.0, offer.pillars[0])
    score = main_need + EXTRA_PILLAR * (len(served) - 1) + (EVENT_MATCH if event_match else 0.0)
    if offer.life_events and not event_match:
        score *= MEANT_FOR_OTHERS
    score += TIE_BREAK * offer.free + TIE_BREAK * (bool(profile.wijk) and offer.wijk == profile.wijk)
    reasons = [(need[main][1], main)] if served else []
    if event_match:
        reasons.append(("event", profile.life_event))
    return Suggestion(offer, score, main, reasons)


def rank(offers: list[Offer], profile: Profile) -> list[Suggestion]:
    """All fitting activities, best first, with the top three spread over the weak pillars."""
    need = needs(profile)
    scored = [s for o in offers if fits_age(o, profile.age) and (s := score_offer(o, profile, need))]
    scored.sort(key=lambda s: (-s.score, s.offer.id))
    weak = {p for p, (n, _kind) in need.items() if n >= WEAK}
    if len(weak) < 2:
        return scored
    top: list[Suggestion] = []
    for suggestion in scored:  # first pass: one per weak pillar
        if len(top) == 3:
            break
        if suggestion.pillar in weak and all(t.pillar != suggestion.pillar for t in top):
            top.append(suggestion)
    rest = [s for s in scored if s not in top]
    top += rest[: 3 - len(top)]
    top.sort(key=lambda s: (-s.score, s.offer.id))
    return top + [s for s in scored if s not in top]
