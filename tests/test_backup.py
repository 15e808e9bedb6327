"""Backups that restore: under concurrent writes, across schema versions, with erasures honoured.

Each test builds its own databases of the suite's kind: SQLite files, or with TEST_DATABASE_URL on
PostgreSQL, throw-away databases named after the test database (test_ops_src_1a2b3c, ...).
"""

import gzip
import hashlib
import json
import logging
import os
import stat
import subprocess
import threading
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from tests.conftest import CHEAP_ARGON2
from webapp import create_app
from webapp.core import erasures
from webapp.core.extensions import db
from webapp.core.models import Activity, Answer, AuditEvent, Checkin, Referral, Resident, User
from webapp.ops import backupfile
from webapp.ops import service as ops
from webapp.ops.rules import BackupError
from webapp.rights import service as rights

KEY = Fernet.generate_key().decode()
TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_URL.startswith("postgresql")
ITEMS = [f"item{n}" for n in range(12)]


@pytest.fixture
def new_database(tmp_path):
    """Make empty databases of the suite's kind; PostgreSQL ones are dropped afterwards."""
    made = []
    admin = sa.create_engine(TEST_URL, isolation_level="AUTOCOMMIT") if ON_POSTGRES else None

    def make(label: str) -> str:
        if admin is None:
            return f"sqlite:///{tmp_path / f'{label}.sqlite'}"
        name = f"{admin.url.database}_{label}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return admin.url.set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for name in made:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str, folder, **config):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, "ARGON2": CHEAP_ARGON2,
        "BACKUP_DIR": str(folder / "backups"), "ERASED_LIST": str(folder / "erased-residents.txt"),
        "BACKUP_KEY": KEY, "BACKUP_KEY_FILE": None, **config,
    })
    return app


@pytest.fixture
def apps():
    """Apps made by a test: their connections are closed at the end (before the databases go)."""
    made = []

    def make(*args, **kwargs):
        made.append(make_app(*args, **kwargs))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _resident(name: str) -> tuple[int, str]:
    user = User(username=name, password_hash="x")
    db.session.add(user)
    db.session.flush()
    resident = Resident(user_id=user.id, display_name=name.title())
    db.session.add(resident)
    db.session.flush()
    return resident.id, resident.public_id


def _write_checkin(resident_id: int, resident_public_id: str, activity_id: int, number: int) -> str:
    """One check-in with its twelve answers, plan, referral and audit row, in one transaction."""
    now = datetime.now(UTC)
    checkin = Checkin(resident_id=resident_id, questionnaire_id="veerkracht", questionnaire_version=1, form="kort",
                      life_event="geen", started_at=now, completed_at=now, plan_step=f"stap {number}",
                      plan_important=f"belangrijk {number}", plan_pillar="meedoen",
                      answers=[Answer(item_id=item, score=number % 11) for item in ITEMS])
    db.session.add(checkin)
    db.session.flush()
    db.session.add(Referral(resident_id=resident_id, activity_id=activity_id, checkin_id=checkin.id))
    db.session.add(AuditEvent(action="checkin.create", resident_public_id=resident_public_id,
                              object_type="measurement", object_public_id=checkin.public_id))
    db.session.commit()
    return checkin.public_id


def _seeded(app) -> tuple[int, str, int]:
    with app.app_context():
        flask_migrate.upgrade()
        resident_id, public_id = _resident("anna")
        activity = Activity(name="Wandelgroep", organisation="Welzijn", description="Samen wandelen.",
                            pillars=["lichaam"], last_verified_on=datetime.now(UTC).date())
        db.session.add(activity)
        db.session.commit()
        return resident_id, public_id, activity.id


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_backup_made_while_writing_restores_every_committed_row_and_nothing_half_written(
        tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    resident_id, resident_public_id, activity_id = _seeded(source)
    committed: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer():
        try:
            with source.app_context():
                for number in range(5000):
                    if stop.is_set():
                        break
                    committed.append(_write_checkin(resident_id, resident_public_id, activity_id, number))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        _wait_for(lambda: len(committed) >= 10)
        committed_before = set(committed)
        with source.app_context():
            path = ops.backup()
        written_by_then = len(committed)
        _wait_for(lambda: len(committed) >= written_by_then + 5 or failures)  # and it kept writing
    finally:
        stop.set()
        thread.join()
    assert failures == []

    target = apps(new_database("restore"), tmp_path)
    with target.app_context():
        restored = ops.restore(path)
        assert restored.revision == ops.current_revision()
        checkins = {c.public_id: c for c in db.session.scalars(select(Checkin))}
        assert committed_before <= set(checkins)        # everything committed before the backup began
        assert set(checkins) <= set(committed)          # nothing that was never committed
        assert set(committed) - set(checkins)           # and the writes after it are not in it
        for public_id, checkin in checkins.items():      # each check-in whole, with all that came with it
            number = int(checkin.plan_step.removeprefix("stap "))
            assert sorted(a.item_id for a in checkin.answers) == sorted(ITEMS)
            assert {a.score for a in checkin.answers} == {number % 11}
            assert checkin.plan_important == f"belangrijk {number}"
            assert db.session.scalar(select(func.count()).select_from(Referral)
                                     .where(Referral.checkin_id == checkin.id)) == 1
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.object_public_id == public_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(Answer)) == len(ITEMS) * len(checkins)
        assert db.session.scalar(select(func.count()).select_from(Referral)) == len(checkins)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == len(checkins)


def test_a_backup_file_is_encrypted_and_describes_itself(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    _seeded(source)
    with source.app_context():
        path = ops.backup()
        head = ops.current_revision()
        meta = ops.read_manifest(path)
        opened = ops.open_backup(path, tmp_path / "dump")
    data = path.read_bytes()
    assert b"anna" not in data and b"Wandelgroep" not in data
    assert data.startswith(b"VEERKRACHT-BACKUP 2\n")
    assert meta["database"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert meta["revision"] == head and datetime.fromisoformat(meta["created_at"])
    assert meta["compression"] == ("none" if ON_POSTGRES else "gzip")  # pg_dump -Fc compresses itself
    # The checksum and size, sealed in the last chunk, are those of the dump.
    dump = (tmp_path / "dump").read_bytes()
    assert opened["sha256"] == hashlib.sha256(dump).hexdigest() and opened["size"] == len(dump)
    assert dump.startswith(b"PGDMP" if ON_POSTGRES else b"SQLite format 3")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [path.name]  # no work files left behind


def test_restoring_an_older_backup_migrates_it_forward(tmp_path, new_database, apps):
    source = apps(new_database("old"), tmp_path)
    with source.app_context():
        flask_migrate.upgrade(revision="20261203_0008")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO \"user\" (public_id, username, password_hash, role, is_enabled, created_at) "
                "VALUES ('u1', 'henk', 'x', 'bewoner', :yes, :at)"), {"yes": True, "at": datetime.now(UTC)})
        path = ops.backup()
    assert ops.read_manifest(path)["revision"] == "20261203_0008"

    target = apps(new_database("new"), tmp_path)
    with target.app_context():
        restored = ops.restore(path)
        assert restored.manifest["revision"] == "20261203_0008"
        assert ops.current_revision() == restored.revision != "20261203_0008"
        assert restored.revision in ops.known_revisions()
        assert db.session.scalar(select(User.username).where(User.public_id == "u1")) == "henk"


def test_a_backup_of_a_newer_schema_is_refused(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    _seeded(source)
    with source.app_context():
        meta = ops.open_backup(ops.backup(), tmp_path / "dump")
    newer_path = tmp_path / "newer.vkbackup"
    with newer_path.open("wb") as out, (tmp_path / "dump").open("rb") as dump:  # a whole, well-sealed file
        backupfile.write(out, dump, [KEY], {"database": meta["database"], "revision": "20991231_9999",
                                            "created_at": meta["created_at"]}, compress=not ON_POSTGRES)

    target = apps(new_database("restore"), tmp_path)
    result = target.test_cli_runner().invoke(args=["restore", str(newer_path)])
    assert result.exit_code == 1
    assert "nieuwere versie van Veerkracht" in result.output and "niets teruggezet" in result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_a_backup_opened_with_another_key_is_refused_in_plain_words(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    _seeded(source)
    with source.app_context():
        path = ops.backup()
    target = apps(new_database("restore"), tmp_path, BACKUP_KEY=Fernet.generate_key().decode())
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "andere sleutel" in result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_a_backup_whose_manifest_was_changed_is_refused(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    _seeded(source)
    with source.app_context():
        path = ops.backup()
        head = ops.current_revision()
    data = path.read_bytes()
    path.write_bytes(data.replace(f'"revision": "{head}"'.encode(), b'"revision": "20261203_0008"', 1))
    assert path.read_bytes() != data
    _refused_and_nothing_restored(apps(new_database("restore"), tmp_path / "target"), path, "deel 1 klopt niet")


def _refused_and_nothing_restored(target, path, words: str) -> None:
    """`flask restore` refuses the file with these words, and the database and BACKUP_DIR stay as they were."""
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1, result.output
    assert words in result.output and "Er is niets teruggezet." in result.output, result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
    folder = target.config["BACKUP_DIR"]
    assert not os.path.exists(folder) or os.listdir(folder) == []  # the half-opened dump is gone too


def _split(data: bytes) -> tuple[bytes, list[bytes]]:
    """A format 2 file as its two header lines and its frames (length prefix included)."""
    end = data.index(b"\n", len(backupfile.MAGIC)) + 1
    head, rest, frames = data[:end], data[end:], []
    while rest:
        length = 4 + int.from_bytes(rest[:4], "big")
        frames.append(rest[:length])
        rest = rest[length:]
    return head, frames


def _flip(frame: bytes) -> bytes:
    middle = len(frame) // 2
    return frame[:middle] + bytes([frame[middle] ^ 1]) + frame[middle + 1:]


DAMAGE = {
    "cut at a chunk's end": (lambda head, frames, other: head + b"".join(frames[:-1]), "onvolledig"),
    "cut halfway a chunk": (lambda head, frames, other: head + b"".join(frames)[:len(frames[0]) * 2 - 100],
                            "onvolledig"),
    "two chunks swapped": (lambda head, frames, other: head + frames[1] + frames[0] + b"".join(frames[2:]),
                           "deel 1 klopt niet"),
    "a chunk left out": (lambda head, frames, other: head + frames[0] + b"".join(frames[2:]), "deel 2 klopt niet"),
    "a byte changed": (lambda head, frames, other: head + frames[0] + _flip(frames[1]) + b"".join(frames[2:]),
                       "deel 2 klopt niet"),
    "a chunk of another backup": (lambda head, frames, other: head + frames[0] + other[1] + b"".join(frames[2:]),
                                  "deel 2 klopt niet"),
    "the last chunk moved forward": (lambda head, frames, other: head + frames[0] + frames[-1], "deel 2 klopt niet"),
    "something added at the end": (lambda head, frames, other: head + b"".join(frames) + b"x", "achter het einde"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_cut_off_reordered_or_changed_backup_is_refused_and_nothing_is_restored(tmp_path, new_database, apps,
                                                                                    damage):
    source = apps(new_database("src"), tmp_path, BACKUP_CHUNK_SIZE=1024)
    _seeded(source)
    with source.app_context():
        path, other = ops.backup(), ops.backup()
    head, frames = _split(path.read_bytes())
    assert len(frames) >= 4  # several chunks and the last one
    make, words = DAMAGE[damage]
    damaged = tmp_path / "damaged.vkbackup"
    damaged.write_bytes(make(head, frames, _split(other.read_bytes())[1]))
    _refused_and_nothing_restored(apps(new_database("restore"), tmp_path / "target"), damaged, words)
    # The same file, whole, restores.
    with apps(new_database("whole"), tmp_path / "whole").app_context():
        assert ops.restore(path).revision == ops.current_revision()
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 1


def _padded(app, megabytes: int) -> None:
    """Add `megabytes` MB of random rows (a stand-in for years of data, incompressible)."""
    table = sa.Table("padding", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("data", sa.LargeBinary))
    with app.app_context():
        table.create(db.engine)
        with db.engine.begin() as connection:
            connection.execute(table.insert(), [{"data": os.urandom(1 << 20)} for _ in range(megabytes)])
        db.engine.dispose()


def _peak_mb(step) -> float:
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_backup_and_restore_hold_a_few_chunks_in_memory_not_the_database(tmp_path, new_database, apps):
    """24 MB of data in chunks of 64 KiB: Python's peak stays far below the database's size
    (bench/bench_backup.py shows the same at 1 GB with the default 1 MiB chunks)."""
    source = apps(new_database("src"), tmp_path, BACKUP_CHUNK_SIZE=64 * 1024)
    _seeded(source)
    _padded(source, 24)
    with source.app_context():
        made = []
        backup_peak = _peak_mb(lambda: made.append(ops.backup()))
    assert made[0].stat().st_size > 24 * 2**20  # random bytes do not compress
    target = apps(new_database("restore"), tmp_path / "target", BACKUP_CHUNK_SIZE=64 * 1024)
    with target.app_context():
        restore_peak = _peak_mb(lambda: ops.restore(made[0]))
        assert db.session.scalar(sa.text("SELECT count(*) FROM padding")) == 24
    print(f"tracemalloc peak: backup {backup_peak:.1f} MB, restore {restore_peak:.1f} MB, of a 24 MB database")
    assert backup_peak < 4 and restore_peak < 4


def _format_1(path, dump: bytes, meta: dict) -> None:
    """Write a backup as the first version did: one Fernet token holding the (for SQLite gzipped) dump."""
    payload = gzip.compress(dump) if meta["database"] == "sqlite" else dump
    manifest = json.dumps({"format": 1, "database": meta["database"], "revision": meta["revision"],
                           "created_at": meta["created_at"], "sha256": hashlib.sha256(payload).hexdigest(),
                           "size": len(payload)}, sort_keys=True).encode()
    path.write_bytes(b"VEERKRACHT-BACKUP 1\n" + manifest + b"\n" + Fernet(KEY).encrypt(manifest + b"\n" + payload))


def test_a_backup_in_the_first_format_still_restores(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    resident_id, anna, activity_id = _seeded(source)
    with source.app_context():
        checkin = _write_checkin(resident_id, anna, activity_id, 1)
        meta = ops.open_backup(ops.backup(), tmp_path / "dump")
    old = tmp_path / "old.vkbackup"
    _format_1(old, (tmp_path / "dump").read_bytes(), meta)
    target = apps(new_database("restore"), tmp_path / "target")
    result = target.test_cli_runner().invoke(args=["restore", str(old)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert list(db.session.scalars(select(Checkin.public_id))) == [checkin]
        assert db.session.scalar(select(func.count()).select_from(Answer)) == len(ITEMS)
    # Its manifest is sealed inside too: a changed one is refused.
    old.write_bytes(old.read_bytes().replace(b'"format": 1', b'"format": 1, "x": 1', 1))
    _refused_and_nothing_restored(apps(new_database("changed"), tmp_path / "changed"), old, "veranderd")


def test_restore_goes_only_into_an_empty_database(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    _seeded(source)
    with source.app_context():
        path = ops.backup()
        with pytest.raises(BackupError, match="niet leeg"):
            ops.restore(path)
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 1


def test_backup_refuses_to_run_without_a_key(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path, BACKUP_KEY=None)
    _seeded(source)
    result = source.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 1
    assert "geen sleutel" in result.output and "BACKUP_KEY" in result.output
    assert not (tmp_path / "backups").exists()


def test_the_development_set_up_keeps_its_own_key_in_the_instance_folder(tmp_path, new_database, apps):
    key_file = tmp_path / "instance" / "backup_key"
    source = apps(new_database("src"), tmp_path, BACKUP_KEY=None, BACKUP_KEY_FILE=str(key_file))
    _seeded(source)
    result = source.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    Fernet(key_file.read_text().strip())  # a valid key
    assert source.test_cli_runner().invoke(args=["backup"]).exit_code == 0  # and the same one next time
    with source.app_context():
        for backup in (tmp_path / "backups").iterdir():
            assert ops.open_backup(backup, tmp_path / "dump")["size"] > 0


def test_only_the_newest_backups_are_kept(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path, BACKUP_KEEP=2)
    _seeded(source)
    moments = iter(datetime(2026, 12, 3, 10, tzinfo=UTC) + timedelta(hours=h) for h in range(10))
    source.config["CLOCK"] = lambda: next(moments)
    with source.app_context():
        made = [ops.backup() for _ in range(3)]
        assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [made[1].name, made[2].name]
        (tmp_path / "backups" / "notities.txt").write_text("van de beheerder")
        made.append(ops.backup())
    # Other files in the folder are left alone.
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["notities.txt", made[2].name, made[3].name]


def test_residents_erased_after_the_backup_are_erased_again_on_restore(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    resident_id, anna, activity_id = _seeded(source)
    with source.app_context():
        _write_checkin(resident_id, anna, activity_id, 1)
        henk_id, henk = _resident("henk")
        db.session.commit()
        _write_checkin(henk_id, henk, activity_id, 2)
        path = ops.backup()
        rights.erase(db.session.get(Resident, resident_id))
        db.session.commit()
        rights.erase(db.session.get(Resident, henk_id))  # begun, then undone: henk stays
        db.session.rollback()
        assert db.session.get(Resident, henk_id) is not None

    target = apps(new_database("restore"), tmp_path)
    with target.app_context():
        restored = ops.restore(path)
        assert restored.reerased == 1
        residents = set(db.session.scalars(select(Resident.public_id)))
        assert anna not in residents and henk in residents
        assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "anna")) == 0
        about_anna = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.resident_public_id == anna)))
        assert about_anna == ["resident.erase"]     # only that an erasure happened
        assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1  # henk's


def test_the_erased_list_holds_only_pseudonymous_ids(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    resident_id, anna, _ = _seeded(source)
    with source.app_context():
        rights.erase(db.session.get(Resident, resident_id))
        db.session.commit()
    text = (tmp_path / "erased-residents.txt").read_text()
    assert text.split()[1:] == ["erase", anna]
    assert "anna" not in text.lower().replace(anna.lower(), "")


def test_an_erasure_undone_before_its_commit_leaves_no_line(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    resident_id, anna, _ = _seeded(source)
    erased_list = tmp_path / "erased-residents.txt"
    with source.app_context():
        rights.erase(db.session.get(Resident, resident_id))
        db.session.rollback()
        assert not erased_list.exists()
        rights.erase(db.session.get(Resident, resident_id))  # asked again, and done
        db.session.commit()
    assert erased_list.read_text().split()[1:] == ["erase", anna]
    assert erasures.erased_ids(erased_list) == {anna}


def test_a_failed_commit_cancels_its_line(tmp_path, new_database, apps):
    source = apps(new_database("src"), tmp_path)
    resident_id, anna, _ = _seeded(source)
    with source.app_context():
        _resident("henk")
        db.session.commit()
        rights.erase(db.session.get(Resident, resident_id))
        db.session.add(User(username="henk", password_hash="x"))  # taken: the commit's flush fails
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(Resident, resident_id) is not None
    erased_list = tmp_path / "erased-residents.txt"
    assert [line.split()[1:] for line in erased_list.read_text().splitlines()] == [["erase", anna], ["cancel", anna]]
    assert erasures.erased_ids(erased_list) == set()


def test_the_erased_list_counts_cancels_against_erasures(tmp_path):
    erased_list = tmp_path / "erased-residents.txt"
    erased_list.write_text("2026-12-01T10:00:00+00:00 erase aaa\n2026-12-02T10:00:00+00:00 erase bbb\n"
                           "2026-12-02T10:00:01+00:00 cancel bbb\nkapotte regel\n")
    assert erasures.erased_ids(erased_list) == {"aaa"}
    assert erasures.erased_ids(tmp_path / "bestaat-niet.txt") == set()


# Upgrades: `make run` and the deployment steps run `flask upgrade-safely` instead of `flask db upgrade`.

FAILING_MIGRATION = '''"""A migration that breaks halfway.

Revision ID: 20991231_0001
Revises: {head}
"""
from alembic import op

revision = "20991231_0001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM audit_event")
    op.create_table("half_done", __import__("sqlalchemy").Column("id", __import__("sqlalchemy").Integer))
    raise RuntimeError("kapot")


def downgrade():
    pass
'''


def _with_failing_migration(app, folder):
    """Give the app a copy of the migrations with one more, which fails after changing data."""
    import shutil

    from webapp import MIGRATIONS_DIR

    copy = folder / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    with app.app_context():
        head = ops.current_revision()
    (copy / "versions" / "2099_12_31_0001_failing.py").write_text(FAILING_MIGRATION.format(head=head))
    app.extensions["migrate"].directory = str(copy)


def _counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Checkin, Answer, AuditEvent))


def test_upgrade_safely_creates_a_new_database_without_a_backup(tmp_path, new_database, apps):
    app = apps(new_database("fresh"), tmp_path, BACKUP_KEY=None)  # a fresh machine needs no key yet
    result = app.test_cli_runner().invoke(args=["upgrade-safely"])
    assert result.exit_code == 0, result.output
    assert "Nieuwe database" in result.output
    with app.app_context():
        assert ops.current_revision() in ops.known_revisions()
    assert not (tmp_path / "backups").exists()
    again = app.test_cli_runner().invoke(args=["upgrade-safely"])
    assert again.exit_code == 0 and "al bijgewerkt" in again.output
    assert not (tmp_path / "backups").exists()


def test_upgrade_safely_backs_up_a_database_with_data_then_upgrades(tmp_path, new_database, apps):
    app = apps(new_database("old"), tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision="20261203_0008")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO \"user\" (public_id, username, password_hash, role, is_enabled, created_at) "
                "VALUES ('u1', 'henk', 'x', 'bewoner', :yes, :at)"), {"yes": True, "at": datetime.now(UTC)})
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["upgrade-safely"])
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and f"Back-up gemaakt vóór de update: {backups[0]}" in result.output
    with app.app_context():
        assert ops.read_manifest(backups[0])["revision"] == "20261203_0008"
        assert ops.current_revision() != "20261203_0008"
        assert db.session.scalar(select(User.username).where(User.public_id == "u1")) == "henk"


def test_a_failed_upgrade_leaves_the_database_as_it_was_and_says_so(tmp_path, new_database, apps):
    app = apps(new_database("live"), tmp_path)
    resident_id, public_id, activity_id = _seeded(app)
    with app.app_context():
        for number in range(3):
            _write_checkin(resident_id, public_id, activity_id, number)
        before, revision = _counts(), ops.current_revision()
        db.session.remove()
        db.engine.dispose()
    _with_failing_migration(app, tmp_path)

    result = app.test_cli_runner().invoke(args=["upgrade-safely"])
    assert result.exit_code == 1
    assert "De update van de database is mislukt" in result.output
    assert "zoals hij was" in result.output and "niet bijgewerkt" in result.output
    with app.app_context():
        assert ops.current_revision() == revision
        assert _counts() == before == (3, 3 * len(ITEMS), 3)
        assert "half_done" not in sa.inspect(db.engine).get_table_names()


def test_upgrade_safely_refuses_without_a_key_when_there_is_data_to_protect(tmp_path, new_database, apps):
    app = apps(new_database("old"), tmp_path, BACKUP_KEY=None)
    with app.app_context():
        flask_migrate.upgrade(revision="20261203_0008")
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["upgrade-safely"])
    assert result.exit_code == 1 and "geen sleutel" in result.output
    with app.app_context():
        assert ops.current_revision() == "20261203_0008"


def test_upgrade_safely_refuses_a_database_of_a_newer_version_and_changes_nothing(tmp_path, new_database, apps):
    app = apps(new_database("newer"), tmp_path)
    _seeded(app)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '20991231_9999'"))
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["upgrade-safely"])
    assert result.exit_code == 1
    assert "nieuwere versie" in result.output and "niets veranderd" in result.output
    with app.app_context():
        assert ops.current_revision() == "20991231_9999"
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 1
    assert not (tmp_path / "backups").exists()


def test_make_run_upgrades_safely_before_it_starts_and_never_upgrades_bare():
    """`make run` backs up a database with data before its schema changes: upgrade-safely, not db upgrade."""
    import subprocess  # noqa: S404 - make -n only prints the commands

    from webapp import MIGRATIONS_DIR

    root = os.path.dirname(MIGRATIONS_DIR)
    printed = subprocess.run(["make", "-n", "run"], cwd=root, capture_output=True,  # noqa: S607
                             text=True, check=True).stdout
    commands = [line for line in printed.splitlines() if "flask " in line]
    assert [c.split("flask ", 1)[1].split()[0] for c in commands] == ["upgrade-safely", "seed-demo", "run"]
    with open(os.path.join(root, "Makefile")) as makefile, open(os.path.join(root, "README.md")) as readme:
        assert "db upgrade" not in makefile.read()
        deployment = readme.read().split("## Deployment", 1)[1].split("###", 1)[0]
    assert "flask --app webapp upgrade-safely" in deployment and "db upgrade" not in deployment


def test_a_backup_removes_what_an_interrupted_one_left_but_not_a_running_ones_folder(tmp_path, new_database, apps,
                                                                                    caplog):
    """A backup killed midway (SIGKILL, a power cut) leaves its work folder with the dump unencrypted."""
    source = apps(new_database("src"), tmp_path)
    _seeded(source)
    backups = tmp_path / "backups"
    backups.mkdir()
    killed = subprocess.Popen(["true"])
    killed.wait()  # a process id that no longer runs
    left = backups / f".bezig-{killed.pid}-k3x9"
    left.mkdir()
    (left / "dump").write_bytes(b"SQLite format 3\0 ...the unencrypted database...")
    older_kind = backups / ".bezig-a1b2c3"  # made before work folders carried their process id
    older_kind.mkdir()
    running = backups / f".bezig-{os.getpid()}-r7q2"  # a backup in progress, this very process
    running.mkdir()
    logger = logging.getLogger("veerkracht.backup")
    logger.addHandler(caplog.handler)  # on the logger itself: migrating replaced the root's handlers
    try:
        with source.app_context():
            made = ops.backup()
    finally:
        logger.removeHandler(caplog.handler)
    assert not left.exists() and not older_kind.exists()
    assert running.exists()
    assert sorted(p.name for p in backups.iterdir()) == sorted([made.name, running.name])
    assert "removed work folders of interrupted backups" in caplog.text
