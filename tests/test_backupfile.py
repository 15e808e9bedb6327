"""The chunked backup file on its own: round trips, keys, and every damage refused (no app, no database)."""

import io
import os

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.ops import backupfile
from webapp.ops.rules import BackupError

KEY, OLD_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
META = {"database": "sqlite", "revision": "20261203_0023", "created_at": "2026-12-03T10:00:00+00:00"}
CHUNK = 256


def _sealed(data: bytes, compress: bool, keys=(KEY,), chunk=CHUNK) -> bytes:
    out = io.BytesIO()
    backupfile.write(out, io.BytesIO(data), list(keys), META, compress=compress, chunk_size=chunk)
    return out.getvalue()


def _opened(sealed: bytes, keys=(KEY,)) -> tuple[dict, bytes]:
    out = io.BytesIO()
    meta = backupfile.read(io.BytesIO(sealed), list(keys), out)
    return meta, out.getvalue()


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 10 * CHUNK + 7])
def test_a_dump_of_any_size_comes_back_whole(compress, size):
    data = os.urandom(size // 2) + bytes(size - size // 2)  # half noise, half compressible
    meta, back = _opened(_sealed(data, compress))
    assert back == data
    assert meta["size"] == size and meta["revision"] == META["revision"]


def test_chunks_are_fixed_size_and_the_manifest_is_readable_without_the_key():
    sealed = _sealed(os.urandom(10 * CHUNK), compress=False)
    meta, _ = backupfile.read_manifest(io.BytesIO(sealed))
    assert meta["format"] == 2 and meta["chunk_size"] == CHUNK and meta["revision"] == META["revision"]
    # 10 data chunks and the last one, each 4 bytes of length + the chunk + a 16-byte tag.
    header = sealed.index(b"\n", len(backupfile.MAGIC)) + 1
    assert len(sealed) - header == 10 * (4 + CHUNK + 16) + 4 + len(
        b'{"frames": 10, "sha256": "' + b"0" * 64 + b'", "size": 2560}') + 16


def test_an_older_key_still_opens_its_backups_and_another_key_is_named_as_such():
    sealed = _sealed(b"gegevens" * 100, compress=True, keys=(OLD_KEY,))
    assert _opened(sealed, keys=(KEY, OLD_KEY))[1] == b"gegevens" * 100
    with pytest.raises(BackupError, match="andere sleutel"):
        _opened(sealed, keys=(KEY,))


def test_two_backups_of_the_same_dump_differ():
    assert _sealed(b"x" * 1000, True) != _sealed(b"x" * 1000, True)


def test_not_a_backup_is_refused():
    for data in (b"", b"PK\x03\x04 zip", b"VEERKRACHT-BACKUP 2\n{kapot\n", b"VEERKRACHT-BACKUP 2\n{\"format\": 3}\n"):
        with pytest.raises(BackupError, match="geen back-up|beschadigd"):
            _opened(data)


def test_a_chunk_length_beyond_the_chunk_size_is_refused_without_reading_it():
    sealed = _sealed(os.urandom(3 * CHUNK), compress=False)
    header = sealed.index(b"\n", len(backupfile.MAGIC)) + 1
    huge = sealed[:header] + (2**31).to_bytes(4, "big") + sealed[header + 4:]
    with pytest.raises(BackupError, match="deel 1 klopt niet"):
        _opened(huge)


@settings(deadline=None, max_examples=60)
@given(data=st.binary(min_size=1, max_size=3000), compress=st.booleans(), where=st.floats(0, 1),
       bit=st.integers(0, 7))
def test_any_changed_bit_is_refused(data, compress, where, bit):
    sealed = bytearray(_sealed(data, compress))
    position = min(int(where * len(sealed)), len(sealed) - 1)
    sealed[position] ^= 1 << bit
    with pytest.raises(BackupError):
        _opened(bytes(sealed))


@settings(deadline=None, max_examples=60)
@given(data=st.binary(min_size=0, max_size=3000), compress=st.booleans(), where=st.floats(0, 1))
def test_any_cut_is_refused(data, compress, where):
    sealed = _sealed(data, compress)
    with pytest.raises(BackupError):
        _opened(sealed[:int(where * (len(sealed) - 1))])


def test_a_highly_compressible_chunk_is_opened_in_pieces_of_the_chunk_size():
    """A chunk of zeros expands a thousandfold; it is written out a chunk at a time, never whole."""
    written = []

    class Sink(io.RawIOBase):
        def write(self, piece):
            written.append(len(piece))
            return len(piece)

    sealed = _sealed(bytes(2_000_000), compress=True, chunk=4096)
    backupfile.read(io.BytesIO(sealed), [KEY], Sink())
    assert sum(written) == 2_000_000 and max(written) <= 4096


def test_chunks_smaller_than_the_last_frame_still_open():
    data = os.urandom(1000)
    assert _opened(_sealed(data, compress=True, chunk=16))[1] == data
