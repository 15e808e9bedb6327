"""Suggestion ranking and catalogue search: how long one call takes for a municipality's catalogue.

    .venv/bin/python bench/bench_ranking.py [--activities N] [--profiles P] [--repeat R]

Builds N random activities (pillars, life-events, ages, feedback, some only for certain life-events)
and P resident profiles, then times rank() for every profile and search_text() for a few Dutch
queries, R rounds, interleaved with a baseline in the same run: sorting N floats, the least any
ranking must do. Prints min/median/p95 per call in milliseconds and the ratio to the baseline.
The target (issue 15): rank() under 5 ms for 500 activities. Pure Python, one process, no network.

Exit status: 0 when the median rank() call is under 5 ms, 1 otherwise.
"""

import argparse
import random
import statistics
import sys
import time

import _path  # noqa: F401 - puts the project on sys.path

from webapp.sociale_kaart.rules import Feedback, Offer, Profile, rank, search_text, terms

PILLARS = ("lichaam", "mentaal", "zingeving", "kwaliteit", "meedoen", "dagelijks")
EVENTS = ("overlijden_naaste", "scheiding", "baanverlies", "pensioen", "verhuizing", "mantelzorger", "ziekte",
          "inkomensdaling")
WORDS = ("samen wandelen koffie eettafel koor zingen tuin rouw maatje budget formulieren computer taal zwemmen "
         "bewegen creatief schilderen schaken koken buurt ochtend middag gratis hulp gesprek groep").split()
QUERIES = ("wandelen", "wandelgroep koffie", "rouwverwerking", "zwembad", "eten")


def _offers(rng: random.Random, n: int) -> list[Offer]:
    offers = []
    for i in range(n):
        events = tuple(rng.sample(EVENTS, rng.randint(0, 3)))
        rated = rng.randint(0, 30)
        offers.append(Offer(
            f"a{i}", tuple(rng.sample(PILLARS, rng.randint(1, 3))), events,
            rng.choice([None, None, 18, 55, 65]), rng.choice([None, None, 27, 67]), rng.random() < 0.7,
            rng.choice([None, "Centrum", "Oosterhof", "Westkade"]), bool(events) and rng.random() < 0.2,
            Feedback(rated, rated * rng.randint(1, 5), rated + rng.randint(0, 5), rng.randint(0, 3))))
    return offers


def _profiles(rng: random.Random, n: int) -> list[Profile]:
    profiles = []
    for _ in range(n):
        event = rng.choice([None, *EVENTS])
        profiles.append(Profile(
            {p: rng.choice([None, *range(0, 11)]) for p in PILLARS}, rng.choice([None, *PILLARS]),
            frozenset(rng.sample(PILLARS, rng.randint(0, 2))), event,
            tuple(rng.sample(PILLARS, 2)) if event else (), tuple(rng.sample(PILLARS, 1)) if event else (),
            rng.randint(18, 95), rng.choice([None, "Centrum"]), rng.choice([None, 1, 6, 14])))
    return profiles


def _time(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _line(name: str, samples: list[float], baseline: float) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    median = statistics.median(ordered)
    return (f"{name:<28} min {ordered[0]:7.3f}  median {median:7.3f}  p95 {p95:7.3f} ms"
            f"   x{median / baseline:6.1f} the baseline")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=500)
    parser.add_argument("--profiles", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(20261203)
    offers, profiles = _offers(rng, args.activities), _profiles(rng, args.profiles)
    documents = {f"a{i}": terms(" ".join(rng.sample(WORDS, 12))) for i in range(args.activities)}
    scores = [rng.random() for _ in range(args.activities)]
    baseline, ranking, searching = [], [], []
    for _ in range(args.repeat):  # interleaved: a noisy moment hits all three alike
        for profile in profiles:
            baseline.append(_time(lambda: sorted(scores)))
            ranking.append(_time(lambda profile=profile: rank(offers, profile)))
        for query in QUERIES:
            searching.append(_time(lambda query=query: search_text(query, documents)))
    base = statistics.median(baseline)
    print(f"{args.activities} activities, {args.profiles} profiles, {len(QUERIES)} queries, {args.repeat} rounds")
    print(_line("baseline: sort N floats", baseline, base))
    print(_line("rank() one profile", ranking, base))
    print(_line("search_text() one query", searching, base))
    median = statistics.median(ranking)
    print(f"target rank() < 5 ms: {'met' if median < 5 else 'NOT met'} ({median:.3f} ms)")
    return 0 if median < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
