"""The list of erased residents, kept outside the database and its backups.

A backup made before an erasure still holds the resident. After a restore, every resident on this
list is erased again, so a restore never brings an erased resident back. The list holds only the
random public ids of residents (pseudonymous), one event a line, and is only ever appended to.

A line is written *before* the erasure's commit: if the file cannot be written, the commit does not
happen (the resident sees an error and nothing was erased). If the commit then fails, a `cancel`
line follows. A crash between the two leaves an `erase` line for a resident who asked to be
erased, so erasing them again on restore still honours their request.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING = "veerkracht_erasures"
_WRITTEN = "veerkracht_erasures_written"


def remember(session: Session, path: str | os.PathLike, public_id: str) -> None:
    """Put this resident on the list when the session commits (see the module docstring)."""
    session.info.setdefault(_PENDING, []).append((Path(path), public_id))


def _append(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write("".join(lines))
        handle.flush()
        os.fsync(handle.fileno())


def _write(session: Session, action: str, pending: list[tuple[Path, str]]) -> None:
    at = datetime.now(UTC).isoformat(timespec="seconds")
    by_file: dict[Path, list[str]] = {}
    for path, public_id in pending:
        by_file.setdefault(path, []).append(f"{at} {action} {public_id}\n")
    for path, lines in by_file.items():
        _append(path, lines)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if pending and not session.info.get(_WRITTEN):
        _write(session, "erase", pending)
        session.info[_WRITTEN] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.nested or previous_transaction.parent is not None:
        return  # a savepoint: the erasure may still be committed
    pending = session.info.pop(_PENDING, None)
    if pending and session.info.pop(_WRITTEN, None):
        _write(session, "cancel", pending)  # only undo a line that was written


def erased_ids(path: str | os.PathLike) -> set[str]:
    """The public ids with more `erase` lines than `cancel` lines (a cancel undoes one erase)."""
    file = Path(path)
    if not file.exists():
        return set()
    counts: dict[str, int] = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in ("erase", "cancel"):
            counts[parts[2]] = counts.get(parts[2], 0) + (1 if parts[1] == "erase" else -1)
    return {public_id for public_id, count in counts.items() if count > 0}
