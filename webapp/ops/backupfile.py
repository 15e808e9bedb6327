"""The backup file, written and read in fixed-size chunks so that memory stays small however large
the database is. Plain Python (no Flask, no SQLAlchemy).

Format 2 (``VEERKRACHT-BACKUP 2``)::

    VEERKRACHT-BACKUP 2\\n
    {"format": 2, "database": ..., "revision": ..., "created_at": ..., "chunk_size": ...,
     "compression": "gzip"|"none", "salt": ..., "key_check": ...}\\n        <- readable manifest
    frame 0, frame 1, ..., frame n                                         <- frame = 4-byte length + sealed

Each frame is sealed with AES-256-GCM under a key derived (HKDF-SHA256, the file's random salt) from
one of the BACKUP_KEY keys. Its nonce is the frame's number, and its associated data is the SHA-256
of the two header lines, the frame's number and a last-frame flag: a frame moved, dropped, copied
from another backup or cut off, or a changed manifest, does not open. The last frame holds the
dump's SHA-256, size and frame count, computed while writing and checked again while reading.

Format 1 (one Fernet token holding the whole dump, made before 2026-12) is still read, in memory.
"""

import base64
import gzip
import hashlib
import hmac
import json
import os
import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from webapp.ops.rules import BackupError

MAGIC_V1 = b"VEERKRACHT-BACKUP 1\n"
MAGIC = b"VEERKRACHT-BACKUP 2\n"
CHUNK_SIZE = 1 << 20  # 1 MiB of (compressed) dump per frame
MAX_CHUNK_SIZE = 64 << 20  # a manifest asking for more is not believed
MAX_HEADER = 4096
TAG = 16
LENGTH = struct.Struct(">I")

WRONG_KEY = ("Deze back-up kan niet worden geopend met de sleutel in BACKUP_KEY: hij is met een andere sleutel "
             "gemaakt. Er is niets teruggezet.")
NOT_OURS = "Dit is geen back-up van Veerkracht (of het begin van het bestand is beschadigd). Er is niets teruggezet."
UNREADABLE = "Deze back-up is beschadigd: de beschrijving aan het begin is niet te lezen. Er is niets teruggezet."


def _changed(number: int) -> str:
    return (f"Deze back-up is beschadigd of veranderd na het maken (deel {number + 1} klopt niet: gewijzigd, "
            "verwisseld of weggelaten). Er is niets teruggezet.")


def _cut_off(number: int) -> str:
    return (f"Deze back-up is onvolledig: het bestand houdt op na deel {number} (afgebroken tijdens het maken of "
            "het kopiëren). Er is niets teruggezet.")


class _Keys:
    """The file's AES-GCM key and the check value that says which BACKUP_KEY made it."""

    def __init__(self, master: str, salt: bytes):
        material = HKDF(algorithm=hashes.SHA256(), length=48, salt=salt,
                        info=b"veerkracht backup 2").derive(_master_bytes(master))
        self.aead = AESGCM(material[:32])
        self.check = material[32:]


def _master_bytes(key: str) -> bytes:
    Fernet(key)  # the same keys as format 1: refuse anything Fernet would refuse
    return base64.urlsafe_b64decode(key)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _nonce(number: int) -> bytes:
    return struct.pack(">4xQ", number)  # unique per frame; the key is unique per file (random salt)


def _associated(header_digest: bytes, number: int, last: bool) -> bytes:
    return header_digest + struct.pack(">QB", number, last)


def _read_blocks(source: BinaryIO, size: int) -> Iterator[bytes]:
    while block := source.read(size):
        yield block


def _compressed(blocks: Iterator[bytes], size: int) -> Iterator[bytes]:
    """gzip the blocks on the way, handing out pieces of about `size` bytes."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    buffer = bytearray()
    for block in blocks:
        buffer += packer.compress(block)
        while len(buffer) >= size:
            yield _take(buffer, size)
    buffer += packer.flush()
    while buffer:
        yield _take(buffer, size)


def _take(buffer: bytearray, size: int) -> bytes:
    with memoryview(buffer) as view:
        piece = bytes(view[:size])
    del buffer[:size]
    return piece


def write(out: BinaryIO, source: BinaryIO, keys: list[str], meta: dict, compress: bool,
          chunk_size: int = CHUNK_SIZE) -> dict:
    """Encrypt the dump in `source` into `out`, chunk by chunk, with the first of `keys`; return the
    manifest as written plus what the last frame holds (sha256, size, frames)."""
    salt = os.urandom(16)
    file_keys = _Keys(keys[0], salt)
    header = {**meta, "format": 2, "chunk_size": chunk_size, "compression": "gzip" if compress else "none",
              "salt": _b64(salt), "key_check": _b64(file_keys.check)}
    header_bytes = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n"
    digest = hashlib.sha256(header_bytes).digest()
    out.write(header_bytes)
    checksum, size = hashlib.sha256(), 0

    def counted(blocks: Iterator[bytes]) -> Iterator[bytes]:
        nonlocal size
        for block in blocks:
            checksum.update(block)
            size += len(block)
            yield block

    blocks = counted(_read_blocks(source, chunk_size))
    number = 0
    for chunk in (_compressed(blocks, chunk_size) if compress else blocks):
        sealed = file_keys.aead.encrypt(_nonce(number), chunk, _associated(digest, number, False))
        out.write(LENGTH.pack(len(sealed)))
        out.write(sealed)
        number += 1
    trailer = {"sha256": checksum.hexdigest(), "size": size, "frames": number}
    sealed = file_keys.aead.encrypt(_nonce(number), json.dumps(trailer, sort_keys=True).encode(),
                                    _associated(digest, number, True))
    out.write(LENGTH.pack(len(sealed)) + sealed)
    return {**header, **trailer}


def read_manifest(handle: BinaryIO) -> tuple[dict, bytes]:
    """The readable manifest at the start of a backup (no key needed) and the bytes it was read from."""
    magic = handle.read(len(MAGIC))
    if magic not in (MAGIC, MAGIC_V1):
        raise BackupError(NOT_OURS)
    line = handle.readline(MAX_HEADER)
    try:
        meta = json.loads(line)
    except ValueError as exc:
        raise BackupError(UNREADABLE) from exc
    if not isinstance(meta, dict) or not line.endswith(b"\n"):
        raise BackupError(UNREADABLE)
    expected = 2 if magic == MAGIC else 1
    if meta.get("format") != expected:
        raise BackupError(UNREADABLE)
    return meta, magic + line


def _file_keys(meta: dict, keys: list[str]) -> _Keys:
    try:
        salt, check = base64.b64decode(meta["salt"], validate=True), base64.b64decode(meta["key_check"], validate=True)
        size = int(meta["chunk_size"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(UNREADABLE) from exc
    if not 0 < size <= MAX_CHUNK_SIZE or meta.get("compression") not in ("gzip", "none"):
        raise BackupError(UNREADABLE)
    for key in keys:
        candidate = _Keys(key, salt)
        if hmac.compare_digest(candidate.check, check):
            return candidate
    raise BackupError(WRONG_KEY)


def _frames(handle: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """The sealed frames in order; None as the frame when the file stops (cleanly or halfway)."""
    number = 0
    while True:
        length_bytes = handle.read(LENGTH.size)
        if len(length_bytes) < LENGTH.size:
            yield number, None
            return
        (length,) = LENGTH.unpack(length_bytes)
        if not TAG <= length <= limit:
            raise BackupError(_changed(number))
        sealed = handle.read(length)
        if len(sealed) < length:
            yield number, None
            return
        yield number, sealed
        number += 1


class _Output:
    """Where the opened dump goes: decompressed in bounded pieces, counted and checksummed."""

    def __init__(self, out: BinaryIO, compressed: bool, piece: int):
        self.out, self.piece = out, piece
        self.unpacker = zlib.decompressobj(31) if compressed else None
        self.checksum, self.size = hashlib.sha256(), 0

    def _emit(self, data: bytes) -> None:
        self.checksum.update(data)
        self.size += len(data)
        self.out.write(data)

    def add(self, data: bytes) -> None:
        if self.unpacker is None:
            self._emit(data)
            return
        while data:
            self._emit(self.unpacker.decompress(data, self.piece))  # never more than a piece at once
            data = self.unpacker.unconsumed_tail

    def finished(self) -> bool:
        if self.unpacker is None:
            return True
        self._emit(self.unpacker.flush())
        return self.unpacker.eof and not self.unpacker.unused_data


def read(handle: BinaryIO, keys: list[str], out: BinaryIO) -> dict:
    """Check and decrypt a backup into `out`, chunk by chunk; return its manifest (with sha256, size).

    Raises BackupError, in plain Dutch, for another key, a changed, reordered or cut-off file; the
    caller must then throw `out` away (part of it may have been written).
    """
    meta, header_bytes = read_manifest(handle)
    if meta["format"] == 1:
        return _read_v1(meta, header_bytes, handle, keys, out)
    file_keys = _file_keys(meta, keys)
    digest = hashlib.sha256(header_bytes).digest()
    output = _Output(out, meta["compression"] == "gzip", int(meta["chunk_size"]))
    for number, sealed in _frames(handle, max(int(meta["chunk_size"]), 1024) + TAG):  # the last frame: ~150 bytes
        if sealed is None:
            raise BackupError(_cut_off(number))
        try:
            chunk = file_keys.aead.decrypt(_nonce(number), sealed, _associated(digest, number, False))
        except InvalidTag:
            chunk = None
        if chunk is not None:
            try:
                output.add(chunk)
            except zlib.error as exc:
                raise BackupError(_changed(number)) from exc
            continue
        try:  # not a data frame here: then it must be the last one
            trailer = json.loads(file_keys.aead.decrypt(_nonce(number), sealed, _associated(digest, number, True)))
        except InvalidTag as exc:
            raise BackupError(_changed(number)) from exc
        if handle.read(1):
            raise BackupError("Deze back-up is veranderd: er staat iets achter het einde. Er is niets teruggezet.")
        if trailer.get("frames") != number or not output.finished():
            raise BackupError(_changed(number))
        if output.checksum.hexdigest() != trailer.get("sha256") or output.size != trailer.get("size"):
            raise BackupError("Deze back-up is beschadigd: de controlesom klopt niet. Er is niets teruggezet.")
        return {**meta, **trailer}
    raise AssertionError("unreachable: _frames ends with None")  # pragma: no cover


def _read_v1(meta: dict, header_bytes: bytes, handle: BinaryIO, keys: list[str], out: BinaryIO) -> dict:
    """A format 1 backup: one Fernet token, the manifest sealed inside, SQLite dumps gzipped."""
    del header_bytes
    try:
        plain = MultiFernet([Fernet(key) for key in keys]).decrypt(handle.read())
    except InvalidToken as exc:
        raise BackupError("Deze back-up kan niet worden geopend met de sleutel in BACKUP_KEY: hij is met een "
                          "andere sleutel gemaakt, of het bestand is beschadigd. Er is niets teruggezet.") from exc
    head, _, payload = plain.partition(b"\n")
    if json.loads(head) != meta:
        raise BackupError("Deze back-up is veranderd na het maken: de beschrijving klopt niet. Er is niets teruggezet.")
    if hashlib.sha256(payload).hexdigest() != meta.get("sha256") or len(payload) != meta.get("size"):
        raise BackupError("Deze back-up is beschadigd: de controlesom klopt niet. Er is niets teruggezet.")
    out.write(gzip.decompress(payload) if meta.get("database") == "sqlite" else payload)
    return meta
