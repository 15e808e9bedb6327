"""Chart benchmark: the app's spider chart draw against a naive pyplot PNG of the same data.

    .venv/bin/python bench/bench_chart.py [--rounds 10] [--per-round 10]

In-process, no server. Each round draws `per-round` charts both ways in turn (interleaved), with
random scores; the ratio is the app's median time over the naive median time over all rounds.
The naive draw is what a first version would write: pyplot, a polar subplot, the scores, a fill,
tick labels, a legend and `savefig` to PNG. Issue 18's target is <= 0.7x. Exit status 1 when missed.
"""

import argparse
import io
import math
import random
import statistics
import sys
import time

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import machine_info

LABELS = ["Lichaam", "Gevoel en gedachten", "Zin in het leven", "Dagelijks leven", "Meedoen", "Geld en wonen"]
TARGET = 0.7


def naive_png(current, previous) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    angles = [2 * math.pi * i / len(LABELS) for i in range(len(LABELS))] + [0.0]
    fig = plt.figure(figsize=(4.4, 4.6))
    ax = plt.subplot(polar=True)
    ax.plot(angles, [*previous, previous[0]], linestyle="--", label="Eerder")
    ax.plot(angles, [*current, current[0]], label="Nu")
    ax.fill(angles, [*current, current[0]], alpha=0.2)
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels(LABELS)
    ax.set_ylim(0, 10)
    fig.legend(loc="lower center")
    buffer = io.BytesIO()
    plt.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def app_svg(current, previous) -> bytes:
    from webapp.core.charts import spider_svg

    return spider_svg(LABELS, current, previous, current_label="Deze check-in: 3 dec. 2026",
                      previous_label="Eerder: 19 nov. 2026")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20241124)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)  # benchmark data, not security
    print("Veerkracht chart benchmark")
    for line in machine_info():
        print(line)
    data = lambda: [rng.randint(0, 10) for _ in LABELS]  # noqa: E731
    naive_png(data(), data())  # warm-up: imports, fonts, caches
    app_svg(data(), data())
    times = {"naive pyplot PNG": [], "app spider SVG": []}
    round_ratios = []
    for _round in range(args.rounds):
        this = {name: [] for name in times}
        for _ in range(args.per_round):
            current, previous = data(), data()
            for name, draw in (("naive pyplot PNG", naive_png), ("app spider SVG", app_svg)):
                began = time.perf_counter()
                draw(current, previous)
                this[name].append((time.perf_counter() - began) * 1000)
        for name, values in this.items():
            times[name].extend(values)
        round_ratios.append(statistics.median(this["app spider SVG"]) / statistics.median(this["naive pyplot PNG"]))
    print(f"\n{'draw':<18} {'n':>4} {'median ms':>10} {'p95 ms':>8}")
    for name, values in times.items():
        ordered = sorted(values)
        print(f"{name:<18} {len(values):>4} {statistics.median(values):>10.1f} "
              f"{ordered[math.ceil(0.95 * len(ordered)) - 1]:>8.1f}")
    ratio = statistics.median(times["app spider SVG"]) / statistics.median(times["naive pyplot PNG"])
    verdict = "ok" if ratio <= TARGET else "MISS"
    print(f"\napp / naive: {ratio:.2f}x (per round {min(round_ratios):.2f}-{max(round_ratios):.2f}); "
          f"target <= {TARGET}x: {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
