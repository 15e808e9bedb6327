"""Backups, restores and safe upgrades of the database the app is configured with.

SQLite is copied through its online backup API (a consistent snapshot while the app writes; a file
copy of a live database is not), PostgreSQL with `pg_dump -Fc` in the same snapshot as the schema
revision it records. The dump is encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under BACKUP_KEY.
"""

import gzip
import os
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, with argument lists, never a shell
import tempfile
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.engine import URL

from webapp.core import clock, erasures
from webapp.core.extensions import db
from webapp.core.models import Resident
from webapp.ops import rules
from webapp.ops.rules import BackupError
from webapp.rights import service as rights

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


def _fernet() -> MultiFernet:
    config = current_app.config
    keys = config.get("BACKUP_KEY")
    if not keys and config.get("BACKUP_KEY_FILE"):
        keys = _key_from_file(Path(config["BACKUP_KEY_FILE"]))
    if not keys:
        raise BackupError(NO_KEY)
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
    except ValueError as exc:
        raise BackupError("BACKUP_KEY is geen geldige sleutel (44 tekens, zoals 'flask --app webapp backup-key' "
                          "die maakt).") from exc


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


def _dump_sqlite() -> tuple[bytes, str]:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.sqlite"
        source = sqlite3.connect(_sqlite_path())
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # all pages in one step: one consistent snapshot
            revision = target.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError as exc:
            raise BackupError(f"De database kon niet worden gelezen: {exc}") from exc
        finally:
            target.close()
            source.close()
        if revision is None:
            raise BackupError("De database heeft nog geen schema; er is niets om te bewaren.")
        return gzip.compress(copy.read_bytes(), compresslevel=6), revision[0]


def _dump_postgresql() -> tuple[bytes, str]:
    conninfo, env = _libpq(db.engine.url)
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads in the snapshot this transaction holds: the revision read here is the dump's.
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
            with tempfile.TemporaryDirectory() as folder:
                dump = Path(folder) / "dump"
                _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--file={dump}", f"--dbname={conninfo}"], env)
                return dump.read_bytes(), revision


def backup_dir() -> Path:
    return Path(current_app.config["BACKUP_DIR"])


def _write_new(folder: Path, kind: str, data: bytes) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = clock.now().astimezone(UTC)
    for attempt in range(100):
        path = folder / rules.file_name(created, kind, attempt)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return path
    raise BackupError(f"Er staan al te veel back-ups van dit moment in {folder}.")


def backup() -> Path:
    """Make an encrypted backup in BACKUP_DIR, then keep only the newest BACKUP_KEEP; return its path."""
    fernet = _fernet()  # no key: refuse before reading anything
    kind = _kind()
    payload, revision = _dump_sqlite() if kind == "sqlite" else _dump_postgresql()
    meta = rules.manifest(kind, revision, clock.now().astimezone(UTC), payload)
    path = _write_new(backup_dir(), kind, rules.envelope(meta, fernet.encrypt(rules.inner(meta, payload))))
    for name in rules.to_remove([p.name for p in backup_dir().iterdir()], current_app.config["BACKUP_KEEP"]):
        (backup_dir() / name).unlink(missing_ok=True)
    return path


def read_backup(path: str | os.PathLike) -> tuple[dict, bytes]:
    """Open, decrypt and check a backup file: its manifest and the dump."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BackupError(f"Het bestand {path} kan niet worden gelezen: {exc.strerror}.") from exc
    meta, sealed = rules.open_envelope(data)
    try:
        plain = _fernet().decrypt(sealed)
    except InvalidToken as exc:
        raise BackupError("Deze back-up kan niet worden geopend met de sleutel in BACKUP_KEY: hij is met een "
                          "andere sleutel gemaakt, of het bestand is beschadigd. Er is niets teruggezet.") from exc
    return meta, rules.open_inner(meta, plain)


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


def _put_back_sqlite(payload: bytes) -> None:
    """Write the backed-up pages over the configured SQLite file (the app must be stopped)."""
    db.session.remove()
    db.engine.dispose()
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.sqlite"
        copy.write_bytes(gzip.decompress(payload))
        source = sqlite3.connect(copy)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()


def _put_back_postgresql(payload: bytes) -> None:
    db.session.remove()
    db.engine.dispose()
    conninfo, env = _libpq(db.engine.url)
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "dump"
        dump.write_bytes(payload)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={conninfo}", str(dump)], env)


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
    """Put a backup into the configured, empty database, migrate it forward and erase the erased again."""
    meta, payload = read_backup(path)
    kind = _kind()
    rules.check_restorable(meta, kind, known_revisions())
    if _tables():
        raise BackupError("De database is niet leeg. Een back-up gaat alleen terug in een nieuwe, lege database; "
                          "er is niets veranderd.")
    if kind == "sqlite":
        _put_back_sqlite(payload)
    else:
        _put_back_postgresql(payload)
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
            _, payload = read_backup(path)
            _put_back_sqlite(payload)
            what = "De database is teruggezet uit de back-up en is weer zoals hij was vóór de update."
        else:
            db.engine.dispose()
            what = ("PostgreSQL heeft de hele update teruggedraaid: de database is zoals hij was vóór de update. "
                    f"De back-up staat er voor de zekerheid ({path}).")
        raise BackupError(f"De update van de database is mislukt ({type(exc).__name__}). {what} "
                          "Veerkracht is niet bijgewerkt: start de vorige versie weer, of vraag hulp.") from exc
    db.engine.dispose()
    say(f"De database is bijgewerkt naar schema {current_revision()}.")
