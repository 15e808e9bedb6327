"""Web push, the third reminder channel: VAPID keys from the configuration, the notification's words,
and sending one notification to many phones at once.

The message is encrypted for each phone (RFC 8291, aes128gcm) and signed with the site's VAPID key
(RFC 8292) by pywebpush; the push service (Google, Mozilla, Apple, Microsoft) only passes it on.
It holds no health data: the title "Veerkracht", "Het is tijd voor uw Veerkracht check-in" and the
start page's address.
"""

import base64
import json
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import force_locale

from webapp.reminders import labels, rules
from webapp.reminders.rules import PushOutcome

TITLE = "Veerkracht"
TTL = 24 * 60 * 60  # a phone that is off for a day still gets it when it comes back on
WORKERS = 8         # pushes at once: each waits for a push service over the internet


def configured() -> bool:
    """Web push needs the three VAPID settings; without them the choice is not offered."""
    config = current_app.config
    return bool(config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY") and config.get("VAPID_SUBJECT"))


def public_key() -> str | None:
    """The key the phone's browser subscribes with (applicationServerKey), or None without push."""
    return current_app.config["VAPID_PUBLIC_KEY"] if configured() else None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_key_pair() -> tuple[str, str]:
    """A new VAPID key pair, (private, public), both base64url: the raw 32-byte private number and the
    uncompressed public point, the forms VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY take."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64(key.private_numbers().private_value.to_bytes(32, "big")), _b64(public)


def hosts() -> tuple[str, ...]:
    """The push services a subscription may point at (PUSH_HOSTS, or the browsers' own)."""
    return tuple(current_app.config.get("PUSH_HOSTS") or rules.PUSH_HOSTS)


def payload(link: str, locale: str | None) -> str:
    """The notification as the service worker shows it, in the resident's language."""
    with force_locale(locale or "nl"):
        return json.dumps({"title": TITLE, "body": str(labels.REMINDER_SUBJECT), "url": link})


@dataclass(frozen=True)
class Phone:
    """One phone's push subscription, as the job sends to it."""

    id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass
class Sender:
    """The VAPID signature and settings, read once per job run; `deliver` needs no app context."""

    vapid: object  # py_vapid.Vapid02
    subject: str
    timeout: float

    @classmethod
    def from_config(cls) -> "Sender":
        # pywebpush, py_vapid and requests are loaded by the reminder job only, not in every web worker.
        from py_vapid import Vapid02

        config = current_app.config
        return cls(Vapid02.from_string(config["VAPID_PRIVATE_KEY"]), config["VAPID_SUBJECT"],
                   float(config.get("PUSH_TIMEOUT", 10)))

    def _one(self, phone: Phone, data: str, sessions: threading.local, opened: list) -> tuple[PushOutcome, str | None]:
        import requests
        from pywebpush import WebPushException, webpush

        if not hasattr(sessions, "session"):
            sessions.session = requests.Session()  # one keep-alive connection per thread and push service
            opened.append(sessions.session)
        try:
            webpush({"endpoint": phone.endpoint, "keys": {"p256dh": phone.p256dh, "auth": phone.auth}},
                    data, vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.subject},  # a new dict each time: webpush adds this endpoint's "aud"
                    timeout=self.timeout, ttl=TTL, requests_session=sessions.session)
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            return rules.push_outcome(status), f"push {status}"
        except requests.RequestException as error:
            return PushOutcome.MISLUKT, type(error).__name__
        except ValueError as error:  # keys the encryption refuses (checked when stored, so rare)
            return PushOutcome.MISLUKT, type(error).__name__
        return PushOutcome.AFGELEVERD, None

    def deliver(self, targets: Iterable[tuple[Phone, str]]) -> dict[int, tuple[PushOutcome, str | None]]:
        """Send each (phone, message), a few at a time: subscription id -> (outcome, error without anything
        personal). One slow or failing push service never holds up the others for longer than the timeout."""
        targets = list(targets)
        if not targets:
            return {}
        sessions, opened = threading.local(), []
        try:
            with ThreadPoolExecutor(max_workers=min(WORKERS, len(targets))) as pool:
                results = list(pool.map(lambda target: self._one(*target, sessions, opened), targets))
        finally:
            for session in opened:
                session.close()
        return {phone.id: result for (phone, _data), result in zip(targets, results, strict=True)}
