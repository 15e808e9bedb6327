"""Signed links (a password reset, a verified address, a reminder's "later"): they age on the app's clock."""

from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from webapp.core import clock


class _ClockSigner(TimestampSigner):
    """Links age on the app's one clock (replaceable in tests), not on time.time()."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def serializer(salt: str) -> URLSafeTimedSerializer:
    """A serializer for one kind of link: a token made for one salt is refused by every other."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt, signer=_ClockSigner)
