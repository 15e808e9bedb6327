"""Backup files (name, which old ones go, which may be restored) and who may read /metrics. Plain Python."""

import hmac
import ipaddress
from datetime import datetime

SUFFIX = ".vkbackup"
PREFIX = "veerkracht-"
KINDS = ("sqlite", "postgresql")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the person at the terminal (Dutch)."""


def file_name(created_at: datetime, kind: str, attempt: int = 0) -> str:
    """veerkracht-20261203T101500.123Z-sqlite.vkbackup (UTC): sorts by time, says what it holds."""
    extra = f"-{attempt}" if attempt else ""
    return f"{PREFIX}{created_at:%Y%m%dT%H%M%S}.{created_at.microsecond // 1000:03d}Z{extra}-{kind}{SUFFIX}"


def is_backup_name(name: str) -> bool:
    return name.startswith(PREFIX) and name.endswith(SUFFIX)


def to_remove(names: list[str], keep: int) -> list[str]:
    """The backups beyond the newest `keep` (at least one is always kept)."""
    ordered = sorted((n for n in names if is_backup_name(n)), reverse=True)
    return ordered[max(keep, 1):]


def check_restorable(meta: dict, kind: str, known_revisions: set[str]) -> None:
    """Refuse a backup of another database kind or of a schema these migrations do not know."""
    if meta.get("format") not in (1, 2):
        raise BackupError("Deze back-up heeft een onbekend formaat; gebruik de versie van Veerkracht die hem maakte.")
    if meta.get("database") != kind:
        raise BackupError(f"Deze back-up komt uit {meta.get('database')} en kan niet terug in {kind}.")
    if meta.get("revision") not in known_revisions:
        raise BackupError(
            f"Deze back-up komt van een nieuwere versie van Veerkracht (schema {meta.get('revision')}), "
            "die deze versie niet kent. Er is niets teruggezet. Werk Veerkracht eerst bij en probeer het dan opnieuw."
        )


def may_read_metrics(authorization: str | None, address: str | None, token: str | None,
                     allowed: tuple[str, ...]) -> bool:
    """A scraper may read /metrics with `Authorization: Bearer <METRICS_TOKEN>` or from an allowed address."""
    if token and authorization:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    if allowed and address:
        try:
            client = ipaddress.ip_address(address)
        except ValueError:
            return False
        for entry in allowed:
            try:
                if client in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False
