"""Backups, restores and safe upgrades of the database the app is configured with.

SQLite is copied through its online backup API (a consistent snapshot while the app writes; a file
copy of a live database is not), PostgreSQL with `pg_dump -Fc` in the same snapshot as the schema
revision it records. The dump goes to a file in BACKUP_DIR, then is encrypted in chunks under BACKUP_KEY
(backupfile.py), so neither a backup nor a restore holds the database in memory.
"""

import logging
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, with argument lists, never a shell
import tempfile
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.engine import URL

from webapp.core import clock, erasures
from webapp.core.extensions import db
from webapp.core.models import Resident
from webapp.ops import backupfile, rules
from webapp.ops.rules import BackupError
from webapp.rights import service as rights

log = logging.getLogger("veerkracht.backup")

NO_KEY = ("Er is geen sleutel om back-ups te versleutelen. Zet BACKUP_KEY (maak een sleutel met "
          "'flask --app webapp backup-key' en bewaar hem op een veilige plek, buiten de back-ups).")


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    manifest: dict
    revision: str
    reerased: int


def new_key() -> str:
    """A fresh key for BACKUP_KEY."""
    return Fernet.generate_key().decode()


def _key_from_file(path: Path) -> str:
    """The development set-up's key: made once, kept in the instance folder (like its SECRET_KEY)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(new_key())
    return path.read_text().strip()


def _keys() -> list[str]:
    """The BACKUP_KEY keys, newest (the one that encrypts) first."""
    config = current_app.config
    keys = config.get("BACKUP_KEY")
    if not keys and config.get("BACKUP_KEY_FILE"):
        keys = _key_from_file(Path(config["BACKUP_KEY_FILE"]))
    if not keys:
        raise BackupError(NO_KEY)
    found = [key.strip() for key in keys.split(",") if key.strip()]
    try:
        for key in found:
            Fernet(key)
    except ValueError as exc:
        raise BackupError("BACKUP_KEY is geen geldige sleutel (44 tekens, zoals 'flask --app webapp backup-key' "
                          "die maakt).") from exc
    return found


def _kind() -> str:
    name = db.engine.dialect.name
    if name not in rules.KINDS:
        raise BackupError(f"Back-ups werken met SQLite en PostgreSQL, niet met {name}.")
    return name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("Een database in het geheugen heeft geen back-up nodig.")
    return Path(database)


def _libpq(url: URL) -> tuple[str, dict]:
    """pg_dump's connection string (without the password) and its environment (with it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(arguments: list[str], env: dict) -> None:
    try:
        result = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{arguments[0]} is niet geïnstalleerd (Debian: apt-get install postgresql-client).") from exc
    if result.returncode != 0:
        raise BackupError(f"{arguments[0]} is mislukt: {result.stderr.strip()[:2000]}")


def _dump_sqlite(folder: Path) -> tuple[Path, str]:
    """Copy the live database into a file in `folder` (one consistent snapshot); its path and revision."""
    copy = folder / "copy.sqlite"
    source = sqlite3.connect(_sqlite_path())
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # all pages in one step: one consistent snapshot, page by page through SQLite
        revision = target.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        raise BackupError(f"De database kon niet worden gelezen: {exc}") from exc
    finally:
        target.close()
        source.close()
    if revision is None:
        raise BackupError("De database heeft nog geen schema; er is niets om te bewaren.")
    return copy, revision[0]


def _dump_postgresql(folder: Path) -> tuple[Path, str]:
    """pg_dump (custom format, compressed) into a file in `folder`; its path and revision."""
    conninfo, env = _libpq(db.engine.url)
    dump = folder / "dump"
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads in the snapshot this transaction holds: the revision read here is the dump's.
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={dump}", f"--dbname={conninfo}"], env)
    return dump, revision


def backup_dir() -> Path:
    return Path(current_app.config["BACKUP_DIR"])


WORK_PREFIX = ".bezig-"  # + the process id: whose work folder it is


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def remove_abandoned_work() -> int:
    """Remove the work folders of backups and restores that were killed midway (a power cut, SIGKILL):
    they hold the database dump unencrypted. A folder whose process still runs is left alone (backup
    runs on one machine; see the README). Returns how many were removed."""
    removed = 0
    for folder in backup_dir().glob(WORK_PREFIX + "*"):
        owner = folder.name.removeprefix(WORK_PREFIX).split("-", 1)[0]
        if not folder.is_dir() or (owner.isdigit() and _process_alive(int(owner))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    if removed:
        log.warning("removed work folders of interrupted backups", extra={"count": removed})
    return removed


def _work_folder():
    """A private folder for the dump on its way in or out: in BACKUP_DIR, on disk (not /tmp, which may
    be memory), removed afterwards; and what an interrupted run left is removed first."""
    backup_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    remove_abandoned_work()
    return tempfile.TemporaryDirectory(dir=backup_dir(), prefix=f"{WORK_PREFIX}{os.getpid()}-")


def _write_new(folder: Path, kind: str, written: Path) -> Path:
    """Give the finished file its name (never over another backup's)."""
    created = clock.now().astimezone(UTC)
    for attempt in range(100):
        path = folder / rules.file_name(created, kind, attempt)
        try:
            os.link(written, path)  # fails when the name is taken; a half-written file never has a backup's name
        except FileExistsError:
            continue
        return path
    raise BackupError(f"Er staan al te veel back-ups van dit moment in {folder}.")


def backup() -> Path:
    """Make an encrypted backup in BACKUP_DIR, then keep only the newest BACKUP_KEEP; return its path.

    The dump goes to a file first, then is encrypted chunk by chunk: memory stays small however
    large the database is.
    """
    keys = _keys()  # no key: refuse before reading anything
    kind = _kind()
    with _work_folder() as name:
        folder = Path(name)
        dump, revision = _dump_sqlite(folder) if kind == "sqlite" else _dump_postgresql(folder)
        meta = {"database": kind, "revision": revision,
                "created_at": clock.now().astimezone(UTC).isoformat(timespec="seconds")}
        written = folder / "backup"
        descriptor = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out, dump.open("rb") as source:
            backupfile.write(out, source, keys, meta, compress=kind == "sqlite",
                             chunk_size=current_app.config.get("BACKUP_CHUNK_SIZE", backupfile.CHUNK_SIZE))
            out.flush()
            os.fsync(out.fileno())
        path = _write_new(backup_dir(), kind, written)
    for name in rules.to_remove([p.name for p in backup_dir().iterdir()], current_app.config["BACKUP_KEEP"]):
        (backup_dir() / name).unlink(missing_ok=True)
    return path


def read_manifest(path: str | os.PathLike) -> dict:
    """The readable manifest of a backup file (no key needed)."""
    try:
        with Path(path).open("rb") as handle:
            return backupfile.read_manifest(handle)[0]
    except OSError as exc:
        raise BackupError(f"Het bestand {path} kan niet worden gelezen: {exc.strerror}.") from exc


def open_backup(path: str | os.PathLike, into: Path) -> dict:
    """Decrypt and check a backup file into the file `into`, chunk by chunk; return its manifest."""
    keys = _keys()
    try:
        with Path(path).open("rb") as handle, into.open("wb") as out:
            return backupfile.read(handle, keys, out)
    except OSError as exc:
        raise BackupError(f"Het bestand {path} kan niet worden gelezen: {exc.strerror}.") from exc


def known_revisions() -> set[str]:
    """Every schema revision the migrations of this version know."""
    script = ScriptDirectory.from_config(_alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def _alembic_config():
    migrate = current_app.extensions["migrate"]
    return migrate.migrate.get_config(migrate.directory)


def _tables() -> list[str]:
    return inspect(db.engine).get_table_names()


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _put_back_sqlite(copy: Path) -> None:
    """Write the backed-up pages over the configured SQLite file (the app must be stopped)."""
    db.session.remove()
    db.engine.dispose()
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _put_back_postgresql(dump: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    conninfo, env = _libpq(db.engine.url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={conninfo}", str(dump)], env)


def _put_back(kind: str, dump: Path) -> None:
    if kind == "sqlite":
        _put_back_sqlite(dump)
    else:
        _put_back_postgresql(dump)


def reapply_erasures() -> int:
    """Erase again every resident on the erased list who is in the database; return how many."""
    ids = sorted(erasures.erased_ids(current_app.config["ERASED_LIST"]))
    count = 0
    for start in range(0, len(ids), 500):
        for resident in db.session.scalars(select(Resident).where(Resident.public_id.in_(ids[start:start + 500]))):
            rights.erase(resident)
            count += 1
    db.session.commit()
    return count


def restore(path: str | os.PathLike) -> Restored:
    """Put a backup into the configured, empty database, migrate it forward and erase the erased again.

    Every chunk is opened and checked into a file first; only a whole, unchanged backup is restored.
    """
    kind = _kind()
    rules.check_restorable(read_manifest(path), kind, known_revisions())
    if _tables():
        raise BackupError("De database is niet leeg. Een back-up gaat alleen terug in een nieuwe, lege database; "
                          "er is niets veranderd.")
    with _work_folder() as folder:
        dump = Path(folder) / "dump"
        meta = open_backup(path, dump)
        rules.check_restorable(meta, kind, known_revisions())
        _put_back(kind, dump)
    db.engine.dispose()
    command.upgrade(_alembic_config(), "head")
    db.engine.dispose()
    reerased = reapply_erasures()
    return Restored(manifest=meta, revision=current_revision() or "", reerased=reerased)


def upgrade_safely(say) -> None:
    """Back up a database that holds data before its schema is upgraded; undo a failed upgrade on SQLite.

    `say` prints a line for the person at the terminal.
    """
    kind = _kind()
    script = ScriptDirectory.from_config(_alembic_config())
    heads = set(script.get_heads())
    current = current_revision() if _tables() else None
    if current is None:
        command.upgrade(_alembic_config(), "head")
        say("Nieuwe database: het schema is aangemaakt.")
        return
    if current in heads:
        say("Het schema is al bijgewerkt; er is niets te doen.")
        return
    if current not in known_revisions():
        raise BackupError(f"De database heeft een schema ({current}) dat deze versie van Veerkracht niet kent: "
                          "hij komt van een nieuwere versie. Er is niets veranderd.")
    path = backup()
    say(f"Back-up gemaakt vóór de update: {path}")
    try:
        command.upgrade(_alembic_config(), "head")
    except Exception as exc:
        current_app.logger.exception("schema upgrade failed")
        if kind == "sqlite":
            with _work_folder() as folder:
                open_backup(path, Path(folder) / "dump")
                _put_back_sqlite(Path(folder) / "dump")
            what = "De database is teruggezet uit de back-up en is weer zoals hij was vóór de update."
        else:
            db.engine.dispose()
            what = ("PostgreSQL heeft de hele update teruggedraaid: de database is zoals hij was vóór de update. "
                    f"De back-up staat er voor de zekerheid ({path}).")
        raise BackupError(f"De update van de database is mislukt ({type(exc).__name__}). {what} "
                          "Veerkracht is niet bijgewerkt: start de vorige versie weer, of vraag hulp.") from exc
    db.engine.dispose()
    say(f"De database is bijgewerkt naar schema {current_revision()}.")
