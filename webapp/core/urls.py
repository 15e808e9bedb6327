"""Helpers for redirect targets."""

from urllib.parse import urlsplit

from webapp.core.edge import find_control_character


def safe_next(target: str | None) -> str | None:
    """Allow only paths on this site as a redirect target (no open redirects, no header injection)."""
    if not target:
        return None
    # A line break would end the Location header (werkzeug refuses it with an error); a form value
    # may carry one, as form values may be multi-line text.
    if find_control_character(target) is not None:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def public_address(path: str) -> str:
    """The site's address for a printed sheet, from configuration (PUBLIC_URL): what a resident types
    into the browser, so without "https://" (browsers add it) and without a trailing slash."""
    from flask import current_app

    base = current_app.config["PUBLIC_URL"].rstrip("/")
    address = base + path
    return address.removeprefix("https://")
