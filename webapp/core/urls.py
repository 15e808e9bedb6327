"""Helpers for redirect targets."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Allow only paths on this site as a redirect target (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
