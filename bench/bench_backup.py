"""Backup benchmark: memory and speed of `flask backup` and `flask restore` on a large database.

    .venv/bin/python bench/bench_backup.py [--size-mb 512] [--chunk-kib 1024]
    .venv/bin/python bench/bench_backup.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<throw-away db>

Makes a database at the current schema with a few residents and pads it with `size-mb` MB of
random bytes (incompressible: the worst case for the gzip step), then backs it up and restores
the backup into a second, empty database, in this process. For each it prints the time, the
throughput, Python's peak allocation (tracemalloc) and the process's peak RSS growth (VmHWM,
reset before each step), next to the database's size. The backup streams in chunks, so the
peaks stay near a few chunks, whatever the size. With a PostgreSQL URL the database's public
schema is dropped and re-created, and a second database `<name>_restore` is created and dropped.
Exit status 0, or 1 when a peak exceeds 64 MB (issue 22: memory bounded, independent of size).
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import build_app, dispose, machine_info, reset_database

LIMIT_MB = 64.0
ROW = 1 << 20  # one padding row: 1 MiB


def rss_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_rss_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from the current RSS


def pad(app, size_mb: int) -> None:
    """A table of random rows next to the app's, as a stand-in for years of check-ins and audit rows."""
    import sqlalchemy as sa

    from webapp.core.extensions import db

    table = sa.Table("bench_padding", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("data", sa.LargeBinary))
    with app.app_context():
        table.create(db.engine)
        for start in range(0, size_mb, 16):
            with db.engine.begin() as connection:
                connection.execute(table.insert(), [{"data": os.urandom(ROW)} for _ in range(min(16, size_mb - start))])
        db.engine.dispose()


def measured(step):
    """Run step(); return (its result, seconds, tracemalloc peak MB, RSS peak growth MB)."""
    reset_rss_peak()
    before = rss_now_mb()
    tracemalloc.start()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak, rss_peak_mb() - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=512)
    parser.add_argument("--chunk-kib", type=int, default=1024)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    import flask_migrate
    import sqlalchemy as sa
    from cryptography.fernet import Fernet

    from webapp.core.extensions import db
    from webapp.ops import service as ops

    for line in machine_info():
        print(line)
    with tempfile.TemporaryDirectory(prefix="veerkracht-bench-backup-") as tmp:
        folder = Path(tmp)
        admin = None
        if args.database_url:
            source_url = args.database_url
            reset_database(source_url)
            admin = sa.create_engine(source_url, isolation_level="AUTOCOMMIT")
            target_name = f"{admin.url.database}_restore"
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_name}"'))
                connection.execute(sa.text(f'CREATE DATABASE "{target_name}"'))
            target_url = admin.url.set(database=target_name).render_as_string(hide_password=False)
        else:
            source_url, target_url = f"sqlite:///{folder / 'source.sqlite'}", f"sqlite:///{folder / 'target.sqlite'}"
        config = {"BACKUP_KEY": Fernet.generate_key().decode(), "BACKUP_KEY_FILE": None,
                  "BACKUP_CHUNK_SIZE": args.chunk_kib * 1024, "ERASED_LIST": str(folder / "erased.txt")}
        source = build_app(source_url, BACKUP_DIR=str(folder / "backups"), **config)
        target = build_app(target_url, BACKUP_DIR=str(folder / "restore-work"), **config)
        try:
            with source.app_context():
                flask_migrate.upgrade()
                db.engine.dispose()
            started = time.perf_counter()
            pad(source, args.size_mb)
            print(f"padding:  {args.size_mb} MB of random rows in {time.perf_counter() - started:.1f} s")
            with source.app_context():
                if args.database_url:
                    size = db.session.scalar(sa.text("SELECT pg_database_size(current_database())"))
                else:
                    size = (folder / "source.sqlite").stat().st_size
                path, b_seconds, b_peak, b_rss = measured(ops.backup)
                db.session.remove()
                db.engine.dispose()
            with target.app_context():
                _, r_seconds, r_peak, r_rss = measured(lambda: ops.restore(path))
                db.session.remove()
                db.engine.dispose()
        finally:
            dispose(source)
            dispose(target)
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'))
                admin.dispose()
                reset_database(source_url)
        mb = size / 2**20
        print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}, {mb:.0f} MB; "
              f"backup file {path.stat().st_size / 2**20:.0f} MB; chunks of {args.chunk_kib} KiB")
        print(f"{'step':<8} {'seconds':>8} {'MB/s':>7} {'tracemalloc peak MB':>20} {'RSS peak growth MB':>19}"
              f" {'peak / database':>16}")
        for name, seconds, peak, rss in (("backup", b_seconds, b_peak, b_rss), ("restore", r_seconds, r_peak, r_rss)):
            print(f"{name:<8} {seconds:>8.1f} {mb / seconds:>7.0f} {peak:>20.1f} {rss:>19.1f}"
                  f" {max(peak, rss) / mb:>15.1%}")
        worst = max(b_peak, b_rss, r_peak, r_rss)
        verdict = "met" if worst <= LIMIT_MB else "MISSED"
        print(f"target:   every peak <= {LIMIT_MB:.0f} MB, whatever the size: {verdict}")
        return 0 if worst <= LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
