"""Rank local activities for one check-in, and say why, in plain Python (no Flask, no database).

Order of importance: the pillar the resident chose to work on, then pillars scoring low (below 6)
and pillars with items marked "hier wil ik over praten", then the pillars a life-event puts at
risk (unless the resident scores well there); the life-event counts fully for three months and
then fades. Only activities meant for this resident are offered: the right age, and for an
activity that is only for people after certain life-events (a carers' café), one of those events;
such an activity, made for exactly what happened to this resident (a grief group after a death),
comes before broader ones that serve the same pillars. When the age is not known, an activity with
an upper age limit (a youth desk) is offered only after one of its own life-events (turning 18):
most residents are older, and such an activity reads as a mistake to them. What residents after
the same life-event said of an activity moves it up (rated well) or down (often stopped), by a
bounded amount, so that new activities still get shown. Free and nearby ones win when otherwise
equal, and then the focused ones: an activity that also serves pillars this resident does not need
comes after one that serves just the need. The top three do not all serve one pillar when several
pillars are weak.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import snowballstemmer

LOW_SCORE = 6.0
GOOD_SCORE = 8.0       # from here a pillar is doing well: a life-event alone no longer calls for help there
NEED_FOCUS = 100.0
NEED_LOW = 50.0        # plus 5 for every point below 6
NEED_TALK = 40.0
NEED_EVENT_FIRST = 25.0
NEED_EVENT_LATER = 15.0
WEAK = NEED_TALK       # pillars with at least this need count as "weak" for spreading the top 3
EVENT_MATCH = 20.0     # the activity is meant for this very life-event
MADE_FOR_EVENT = 10.0  # ... and only for people after it (a grief group after a death): the closest fit
EXTRA_PILLAR = 5.0     # for each further pillar in need that the activity also serves
BROAD = 0.08           # less for each pillar it serves that this resident does not need: of otherwise
                       # equal ones the focused activity first (not debt help for every low mood because
                       # it also lists "mentaal"). Five such pillars cost less than one TIE_BREAK, so
                       # free, or in the resident's own wijk, still wins
TIE_BREAK = 0.5        # free, and in the resident's own wijk
RECENT_MONTHS = 3      # a life-event this recent counts fully and is called "kort geleden"
FADED_MONTHS = 12      # ... and fades to FADED_WEIGHT by a year
FADED_WEIGHT = 0.3
UNKNOWN_WHEN = 0.6     # "weet ik niet" when it happened
LIKED = 10.0           # at most this much up for an activity rated well by others ...
STOPPED = 15.0         # ... and at most this much down for one they often stopped (a floor)
PRIOR = 5              # feedback from this many residents counts half: a few voices move little
LIKED_REASON = 3.0     # from this bonus on, the reason mentions that others liked it


@dataclass(frozen=True)
class Feedback:
    """What residents after the same life-event said of an activity they tried."""

    rated: int = 0            # how many answered "hoe was het?" (1-5)
    rating_sum: int = 0
    tried: int = 0            # referrals that started, ended or stopped
    stopped: int = 0


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
    for_event_only: bool = False   # only for people after one of its life-events (a carers' café)
    feedback: Feedback = Feedback()


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
    event_months_ago: int | None = None   # None: "weet ik niet"


@dataclass
class Suggestion:
    offer: Offer
    score: float
    pillar: str                      # the pillar this activity is suggested for
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (kind, pillar or event id)


def event_weight(months_ago: int | None) -> float:
    """How much a life-event still counts: fully for three months, then less, down to 0.3 after a year."""
    if months_ago is None:
        return UNKNOWN_WHEN
    if months_ago <= RECENT_MONTHS:
        return 1.0
    if months_ago >= FADED_MONTHS:
        return FADED_WEIGHT
    share = (months_ago - RECENT_MONTHS) / (FADED_MONTHS - RECENT_MONTHS)
    return 1.0 - share * (1.0 - FADED_WEIGHT)


def is_recent(months_ago: int | None) -> bool:
    """Only then does a reason say "kort geleden"."""
    return months_ago is not None and months_ago <= RECENT_MONTHS


def learned(feedback: Feedback) -> float:
    """Up for an activity others rated well, down for one they often stopped; bounded both ways and
    zero without feedback, so a new activity is neither helped nor hurt."""
    up = 0.0
    if feedback.rated:
        mean = feedback.rating_sum / feedback.rated
        up = LIKED * (mean - 3) / 2 * feedback.rated / (feedback.rated + PRIOR)
    down = STOPPED * feedback.stopped / (feedback.tried + PRIOR) if feedback.tried else 0.0
    return max(-STOPPED, min(LIKED, up - down))


def meant_for(offer: Offer, profile: Profile) -> bool:
    """The right age, and for an activity only for certain life-events, one of those."""
    if offer.for_event_only and profile.life_event not in offer.life_events:
        return False
    if profile.age is None and offer.max_age is not None:
        return profile.life_event in offer.life_events
    return fits_age(offer, profile.age)


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
    weight = event_weight(profile.event_months_ago)

    def at_risk(pillar: str) -> bool:
        score = profile.scores.get(pillar)
        return score is None or score < GOOD_SCORE

    for pillar in filter(at_risk, profile.event_first):
        offer(pillar, NEED_EVENT_FIRST * weight, "event_pillar")
    for pillar in filter(at_risk, profile.event_later):
        offer(pillar, NEED_EVENT_LATER * weight, "event_pillar")
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
    score = main_need + EXTRA_PILLAR * (len(served) - 1) - BROAD * (len(offer.pillars) - len(served))
    score += EVENT_MATCH * event_weight(profile.event_months_ago) if event_match else 0.0
    score += MADE_FOR_EVENT * event_weight(profile.event_months_ago) if event_match and offer.for_event_only else 0.0
    bonus = learned(offer.feedback)
    score += bonus
    score += TIE_BREAK * offer.free + TIE_BREAK * (bool(profile.wijk) and offer.wijk == profile.wijk)
    reasons = [(need[main][1], main)] if served else []
    if event_match:
        reasons.append(("event_recent" if is_recent(profile.event_months_ago) else "event", profile.life_event))
    if bonus >= LIKED_REASON:
        reasons.append(("liked", ""))
    return Suggestion(offer, score, main, reasons)


def rank(offers: list[Offer], profile: Profile) -> list[Suggestion]:
    """All fitting activities, best first, with the top three spread over the weak pillars."""
    need = needs(profile)
    scored = [s for o in offers if meant_for(o, profile) and (s := score_offer(o, profile, need))]
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


# --- searching the catalogue in Dutch ------------------------------------------------------------
# Word forms find each other through the Dutch Snowball stemmer ("wandelen", "wandeling" -> "wandel"),
# compounds through a shared start ("wandelgroep" starts with "wandel"), small typos through an edit
# distance. Done here rather than in the database, so SQLite and PostgreSQL answer exactly alike:
# SQLite's FTS5 has only an English stemmer, and PostgreSQL's Dutch one does not split compounds.

_STEMMER = snowballstemmer.stemmer("dutch")
_WORD = re.compile(r"[^\W\d_]+")
MIN_PREFIX = 3      # a searched stem this long finds longer words that start with it
MIN_COMPOUND = 5    # a word's stem this long is found inside a longer searched compound
MIN_SUFFIX = 4      # a searched stem this long finds compounds ending in it ("cafe": "mantelzorgcafe")


def _plain(text: str) -> str:
    """Lower case without accents: "Café" and "cafe" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(text: str) -> frozenset[str]:
    """The stems of the words in a text."""
    return frozenset(_STEMMER.stemWords(_WORD.findall(_plain(text))))


def _close(a: str, b: str, limit: int) -> bool:
    """Whether two words differ by at most `limit` letters (Levenshtein), cheaply."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _typos_allowed(stem: str) -> int:
    return 0 if len(stem) < 5 else 1 if len(stem) < 9 else 2


def matching_terms(searched: str, vocabulary: Iterable[str]) -> set[str]:
    """The catalogue's stems that a searched stem finds: the same, a longer word starting or ending
    with it, a shorter word it starts with (a compound), or one small typo away."""
    allowed = _typos_allowed(searched)
    found = set()
    for term in vocabulary:
        if (term == searched
                or (len(searched) >= MIN_PREFIX and term.startswith(searched))
                or (len(term) >= MIN_COMPOUND and searched.startswith(term))
                or (len(searched) >= MIN_SUFFIX and term.endswith(searched))
                or (allowed and _close(searched, term, allowed))):
            found.add(term)
    return found


def search_text(query: str, documents: Mapping[str, frozenset[str]]) -> set[str]:
    """The documents (id -> terms) in which every searched word is found."""
    searched = terms(query)
    if not searched:
        return set(documents)
    vocabulary = set().union(*documents.values()) if documents else set()
    hits = set(documents)
    for stem in searched:
        wanted = matching_terms(stem, vocabulary)
        hits = {doc for doc in hits if documents[doc] & wanted}
    return hits
