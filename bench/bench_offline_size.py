"""Offline weight: what a tablet downloads to do a home visit without network (issue 13).

    .venv/bin/python bench/bench_offline_size.py

Prints the size of the service worker (sw.js and its reminder part sw-push.js, which it imports)
and the offline script, as stored (raw) and as sent with gzip (level 6, what nginx uses by
default), against the target of 20 KB (20,000 bytes) for all three together: what the device
downloads. For scale, the same figures for the app's existing app.js and app.css, which every
page already loads. Also the extra bytes the offline script tag adds to every page's HTML, and the
visit page the service worker keeps. Sizes only: nothing is timed.

Exit status: 0 when the three files together are under the target, 1 otherwise.
"""

import gzip
import sys

import _path  # noqa: F401 - puts the project on sys.path

from bench._path import ROOT

STATIC = ROOT / "webapp" / "static"
TARGET = 20_000  # 20 KB, read strictly (not 20 KiB)
OFFLINE = ("sw.js", "sw-push.js", "offline.js")  # sw-push.js: the worker's reminders (issue 14), imported by sw.js
BASELINE = ("app.js", "app.css")


def sizes(data: bytes) -> tuple[int, int]:
    return len(data), len(gzip.compress(data, compresslevel=6, mtime=0))


def row(name: str, data: bytes) -> tuple[int, int]:
    raw, packed = sizes(data)
    print(f"{name:<34} {raw:>8,} {packed:>8,}")
    return raw, packed


def page_figures() -> None:
    """The visit page and the script tag's share of an ordinary page, rendered by the app itself."""
    from webapp import create_app

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False})
    with app.test_request_context("/"):
        from flask import render_template

        from webapp.offline.labels import BADGE_WORDS, words

        tag = render_template("offline/_script.html", offline_words=words(BADGE_WORDS)).encode()
    client = app.test_client()
    shell = client.get("/bezoek-zonder-internet").data
    row("script tag + manifest link per page", tag)
    row("visit page kept by the worker", shell)


def main() -> int:
    print(f"{'file':<34} {'bytes':>8} {'gzip':>8}")
    total_raw = total_gzip = 0
    for name in OFFLINE:
        raw, packed = row(name, (STATIC / name).read_bytes())
        total_raw, total_gzip = total_raw + raw, total_gzip + packed
    print(f"{'service worker + offline script':<34} {total_raw:>8,} {total_gzip:>8,}")
    base_raw = base_gzip = 0
    for name in BASELINE:
        raw, packed = row(f"(baseline) {name}", (STATIC / name).read_bytes())
        base_raw, base_gzip = base_raw + raw, base_gzip + packed
    page_figures()
    print()
    print(f"target: under {TARGET:,} bytes (20 KB) for the service worker + offline script")
    print(f"raw:  {total_raw:,} bytes = {total_raw / TARGET:.1%} of the target, "
          f"{total_raw / base_raw:.2f}x app.js + app.css")
    print(f"gzip: {total_gzip:,} bytes = {total_gzip / TARGET:.1%} of the target, "
          f"{total_gzip / base_gzip:.2f}x app.js + app.css")
    return 0 if total_raw < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
