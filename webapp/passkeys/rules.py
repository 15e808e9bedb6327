"""Passkeys without Flask: which site they belong to, and a name for the device they live on."""

import re
from urllib.parse import urlsplit

# Checked in order: an iPad's browser may also say "Mac", an Android phone also "Linux".
_DEVICES = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Macintosh", "Mac"), ("CrOS", "Chromebook"), ("Linux", "Linux"))


def relying_party(host_url: str, rp_id: str | None = None, origin: str | None = None) -> tuple[str, str]:
    """The passkey's site (RP id: the domain, no port) and the origin the browser must report, from
    configuration or else from the URL the request came in on."""
    parts = urlsplit(host_url)
    return rp_id or (parts.hostname or ""), (origin or f"{parts.scheme}://{parts.netloc}").rstrip("/")


def device_name(user_agent: str) -> str:
    """A short name of the device a passkey was added on, from the browser's user agent."""
    for marker, name in _DEVICES:
        if re.search(re.escape(marker), user_agent or ""):
            return name
    return "?"
