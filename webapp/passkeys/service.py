"""Passkeys (WebAuthn): add one, log in with one, remove one. The browser and the phone do the
cryptography; py_webauthn checks their answers. Every change is audited.

py_webauthn is imported where a passkey is made or used, not when the app starts: it weighs about
14 MB in every worker, and most requests never touch a passkey (issue 18, memory).
"""

import json

from sqlalchemy import select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.core.models import Passkey, User
from webapp.passkeys.labels import PasskeyProblem

RP_NAME = "Veerkracht"
# The fingerprint, face or PIN is always asked: then a passkey is two factors on its own (the phone
# one has, and what one is or knows), which is why it may stand in for password and code together.
VERIFY = "required"  # UserVerificationRequirement.REQUIRED


class PasskeyError(ValueError):
    """The passkey was not accepted; `problem` says why in words for the resident."""

    def __init__(self, problem: PasskeyProblem):
        super().__init__(problem.value)
        self.problem = problem


def _descriptors(user: User) -> list:
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in user.passkeys]


def _handle(user: User) -> bytes:
    """The id the phone stores with the passkey: the account's public id, never a name."""
    return user.public_id.encode()


def registration_options(user: User, rp_id: str) -> tuple[str, str]:
    """Options for the browser to make a new passkey (JSON), and the challenge to keep in the session."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=_handle(user), user_name=user.username,
        user_display_name=user.display_name or user.username, exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement(VERIFY)),
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def add_passkey(user: User, credential: dict, challenge: str | None, rp_id: str, origin: str,
                device: str) -> Passkey:
    """Check the browser's answer to the registration options and store the new passkey's public key."""
    from webauthn import verify_registration_response
    from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    if not challenge:
        raise PasskeyError(PasskeyProblem.FAILED)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=origin, require_user_verification=True)
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(PasskeyProblem.FAILED) from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
        raise PasskeyError(PasskeyProblem.ALREADY_ADDED)
    passkey = Passkey(user_id=user.id, credential_id=credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, device=device[:40])
    user.passkeys.append(passkey)
    db.session.flush()
    audit.record("passkey.add", user.resident, user, object_type="user")
    return passkey


def authentication_options(rp_id: str, user: User | None = None) -> tuple[str, str]:
    """Options for the browser to log in with a passkey (JSON), and the challenge for the session.
    With a user (the second step after a password) only that account's passkeys are offered; without
    one the phone offers every passkey it holds for this site."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.structs import UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=_descriptors(user) if user else [],
        user_verification=UserVerificationRequirement(VERIFY))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(credential: dict, challenge: str | None, rp_id: str, origin: str,
                 expected: User | None = None) -> User:
    """The account this passkey belongs to, once its signature over the challenge checks out.
    `expected`: the account that already gave its password (the passkey is then its second step)."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    if not challenge or not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise PasskeyError(PasskeyProblem.FAILED)
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential["id"]))
    user = db.session.get(User, passkey.user_id) if passkey else None
    if passkey is None or user is None or not user.is_enabled:
        raise PasskeyError(PasskeyProblem.UNKNOWN)
    if expected is not None and user.id != expected.id:
        raise PasskeyError(PasskeyProblem.OTHER_ACCOUNT)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
    except InvalidAuthenticationResponse as error:
        # py_webauthn refuses a counter that did not go up: a copied authenticator.
        problem = PasskeyProblem.CLONED if "sign count" in str(error).lower() else PasskeyProblem.FAILED
        raise PasskeyError(problem) from error
    except (ValueError, KeyError, TypeError) as error:
        raise PasskeyError(PasskeyProblem.FAILED) from error
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = clock.now()
    db.session.flush()
    audit.record("passkey.login", user.resident, user, object_type="user")
    return user


def remove_passkey(user: User, passkey: Passkey) -> None:
    """The owner removes a passkey (a lost or sold phone); logging in with it stops at once."""
    user.passkeys.remove(passkey)
    db.session.flush()
    audit.record("passkey.remove", user.resident, user, object_type="user")


def parse_credential(body: bytes) -> dict:
    """The browser's JSON answer, or an empty dict when it is no JSON object (checked as FAILED later)."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}

