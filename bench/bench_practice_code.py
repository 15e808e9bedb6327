"""Practice code look-up benchmark: what the constant-time check of a typed code costs per POST /verwijzen.

    .venv/bin/python bench/bench_practice_code.py [--practices 10,100,1000] [--rounds 200]

Seeds a throw-away SQLite database with N active practices (bulk Core inserts) and times
`practices.service.by_code` (normalise, SHA-256, one SELECT of every active practice's hash and a
compare_digest against each) for the right code of the last practice, for a wrong code of the right
length, for a near miss (the right code with its last character changed), and, as the floor, the
same SELECT alone. Prints the medians in microseconds and the ratio near miss / wrong: near 1.0 means
a guess close to a real code is answered as fast as any other (nothing to learn from the time). The
right code costs more only because its practice is then loaded; the answer (sent or not) says that
anyway.
"""

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import _path  # noqa: F401 - puts the project on sys.path
from sqlalchemy import insert, select

from bench.harness import build_app, dispose, machine_info, migrate


def _median_us(call, rounds: int) -> float:
    times = []
    for _n in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def measure(practices: int, rounds: int) -> tuple[float, float, float, float]:
    from webapp.accounts.service import hash_code, new_code
    from webapp.core.extensions import db
    from webapp.core.models import WorPractice
    from webapp.practices import service

    folder = Path(tempfile.mkdtemp(prefix="bench-practice-"))
    try:
        url = f"sqlite:///{folder / 'bench.sqlite'}"
        migrate(url)
        app = build_app(url)
        codes = [new_code(4) for _n in range(practices)]
        now = datetime.now(UTC)
        with app.app_context():
            db.session.execute(insert(WorPractice), [
                {"public_id": f"p{n}", "name": f"Praktijk {n}", "kind": "huisartsenpraktijk",
                 "code_hash": hash_code(code), "code_set_at": now, "is_active": True, "created_at": now}
                for n, code in enumerate(codes)])
            db.session.commit()
            wrong = new_code(4)
            near = codes[-1][:-1] + ("A" if codes[-1][-1] != "A" else "B")
            assert service.by_code(codes[-1]) is not None and service.by_code(wrong) is None
            assert service.by_code(near) is None
            right_us = _median_us(lambda: (service.by_code(codes[-1]), db.session.expunge_all()), rounds)
            wrong_us = _median_us(lambda: service.by_code(wrong), rounds)
            near_us = _median_us(lambda: service.by_code(near), rounds)
            floor_us = _median_us(lambda: db.session.execute(
                select(WorPractice.id, WorPractice.code_hash).where(WorPractice.is_active.is_(True))).all(), rounds)
        dispose(app)
        return right_us, wrong_us, near_us, floor_us
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", default="10,100,1000")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    print("\n".join(machine_info()))
    print(f"{'practices':>10} {'right µs':>9} {'wrong µs':>9} {'near miss µs':>13} {'SELECT alone µs':>16} "
          f"{'near/wrong':>11}")
    for count in (int(n) for n in args.practices.split(",")):
        right, wrong, near, floor = measure(count, args.rounds)
        print(f"{count:>10} {right:>9.0f} {wrong:>9.0f} {near:>13.0f} {floor:>16.0f} {near / wrong:>11.2f}")


if __name__ == "__main__":
    main()
