"""A software passkey authenticator for request tests: makes real WebAuthn answers (ES256, "none"
attestation) that py_webauthn checks like a phone's. Browser tests use Chromium's virtual one."""

import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40  # flags: user present, user verified, attested credential data


class SoftAuthenticator:
    """One passkey on one pretend phone."""

    def __init__(self, origin: str = "http://localhost", rp_id: str = "localhost"):
        self.origin, self.rp_id = origin, rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle: bytes | None = None

    @property
    def id(self) -> str:
        return bytes_to_base64url(self.credential_id)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def _auth_data(self, flags: int, attested: bytes = b"", rp_id: str | None = None) -> bytes:
        return hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([flags]) + \
            struct.pack(">I", self.sign_count) + attested

    def register(self, options: dict, verified: bool = True, origin: str | None = None) -> dict:
        """The answer to navigator.credentials.create() for these options (as the server sent them)."""
        self.user_handle = base64url_to_bytes(options["user"]["id"])
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = self._auth_data(UP | (UV if verified else 0) | AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": bytes_to_base64url(
                    self._client_data("webauthn.create", options["challenge"], origin)),
                    "attestationObject": bytes_to_base64url(attestation), "transports": ["internal"]}}

    def sign(self, options: dict, verified: bool = True, origin: str | None = None, count: bool = True,
             rp_id: str | None = None) -> dict:
        """The answer to navigator.credentials.get() for these options; `count=False` replays the old
        counter, as a copied authenticator would."""
        if count:
            self.sign_count += 1
        auth_data = self._auth_data(UP | (UV if verified else 0), rp_id=rp_id)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response = {"clientDataJSON": bytes_to_base64url(client_data),
                    "authenticatorData": bytes_to_base64url(auth_data), "signature": bytes_to_base64url(signature)}
        if self.user_handle:
            response["userHandle"] = bytes_to_base64url(self.user_handle)
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": response}
