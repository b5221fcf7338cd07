"""Encryption of personal data at rest (national IDs), and the keyed hash used to find them.

* AES-256-GCM from ``cryptography``; a fresh 96-bit nonce per value; the key id is stored with
  each ciphertext (``v1:<kid>:<base64>``) so keys can rotate: new writes use ``SILA_DATA_KEY``,
  reads also accept any key in ``SILA_DATA_KEYS_OLD`` (comma-separated), and ``sila keys
  rotate`` re-encrypts old rows (README: "Rotating the data key").
* Look-ups use HMAC-SHA256 under a key derived (HKDF) from the data key, so equal IDs can be
  found without decrypting every row, and the hash is useless without the key.
* Screens and logs only ever see :func:`mask` (last four digits).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import String, cast, select, update

from bot.sealed import is_sealed
from bot.settings import Settings, SettingsError
from storage.models import Case, ConversationState, InboundUpdate, Profile

log = logging.getLogger("sila.crypto")


def _decode_key(value: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (ValueError, TypeError):
        raise SettingsError(f"{name}: not valid base64") from None
    if len(raw) != 32:
        raise SettingsError(f"{name}: must decode to 32 bytes (got {len(raw)}); create one with `sila keys new`")
    return raw


def _kid(key: bytes) -> str:
    return hashlib.sha256(b"sila-kid" + key).hexdigest()[:8]


class DataCipher:
    def __init__(self, key: bytes, old_keys: list[bytes] | None = None) -> None:
        self._current = key
        self._kid = _kid(key)
        self._keys = {_kid(k): AESGCM(k) for k in [key, *(old_keys or [])]}
        self._lookup_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sila-lookup").derive(key)

    @property
    def key_id(self) -> str:
        return self._kid

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        ct = self._keys[self._kid].encrypt(nonce, plaintext.encode(), self._kid.encode())
        return f"v1:{self._kid}:{base64.b64encode(nonce + ct).decode()}"

    def decrypt(self, token: str) -> str:
        version, kid, body = token.split(":", 2)
        if version != "v1" or kid not in self._keys:
            raise ValueError("ciphertext under an unknown key; is SILA_DATA_KEYS_OLD set?")
        raw = base64.b64decode(body)
        return self._keys[kid].decrypt(raw[:12], raw[12:], kid.encode()).decode()

    def encrypt_bytes(self, data: bytes) -> bytes:
        """A file's bytes sealed like :meth:`encrypt` (same keys, same key id as associated data),
        without the base64 a text token needs: ``v1:<kid>:`` + nonce + ciphertext."""
        nonce = os.urandom(12)
        return f"v1:{self._kid}:".encode() + nonce + self._keys[self._kid].encrypt(nonce, data, self._kid.encode())

    def decrypt_bytes(self, blob: bytes) -> bytes:
        version, kid, body = blob.split(b":", 2)
        kid_text = kid.decode(errors="replace")
        if version != b"v1" or kid_text not in self._keys:
            raise ValueError("ciphertext under an unknown key; is SILA_DATA_KEYS_OLD set?")
        return self._keys[kid_text].decrypt(body[:12], body[12:], kid)

    def needs_rotation(self, token: str) -> bool:
        return token.split(":", 2)[1] != self._kid

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()


def mask(value: str | None, keep: int = 4) -> str:
    """``******1234``: what staff screens, logs and summaries show."""
    if not value:
        return ""
    return "*" * max(0, len(value) - keep) + value[-keep:]


def load_cipher(settings: Settings) -> DataCipher:
    """The data cipher from settings; on a laptop with SQLite a key is generated once into the data dir."""
    value = settings.data_key or os.environ.get("SILA_DATA_KEY", "")
    if not value:
        if not settings.is_sqlite:
            raise SettingsError("SILA_DATA_KEY: required with PostgreSQL (create one with `sila keys new`)")
        path = Path(settings.data_dir) / "data.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.b64encode(secrets.token_bytes(32)).decode())
            log.warning("SILA_DATA_KEY not set: generated a development key in %s", path)
        value = path.read_text().strip()
    old_raw = settings.data_keys_old
    old = [_decode_key(v, "SILA_DATA_KEYS_OLD") for v in str(old_raw).split(",") if v.strip()]
    return DataCipher(_decode_key(value, "SILA_DATA_KEY"), old)


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


async def rotate_stored(db: object, cipher: DataCipher) -> int:
    """Re-encrypt national IDs written under an old key, and refresh their look-up hashes."""

    changed = 0
    for model, key_col in ((Case, Case.id), (Profile, Profile.beneficiary_id)):
        async with db.writer.begin() as conn:  # type: ignore[attr-defined]
            rows = (await conn.execute(select(key_col, model.national_id_enc)
                                       .where(model.national_id_enc.is_not(None)))).all()
            for row_id, token in rows:
                if not cipher.needs_rotation(token):
                    continue
                plain = cipher.decrypt(token)
                await conn.execute(update(model).where(key_col == row_id).values(
                    national_id_enc=cipher.encrypt(plain), national_id_hash=cipher.lookup_hash(plain)))
                changed += 1
    return (changed + await _rotate_sealed_in_cases(db, cipher) + await _rotate_sealed_answers(db, cipher)
            + await _rotate_inbound_bodies(db, cipher))


async def _rotate_inbound_bodies(db: object, cipher: DataCipher) -> int:
    """Re-encrypt raw provider updates still waiting to be processed (``storage.inbox``).

    Processed ones hold no body any more; a row processed meanwhile is left as it is.
    """

    changed = 0
    iu = InboundUpdate
    async with db.writer.begin() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(select(iu.id, iu.body).where(iu.body.like("v1:%")))).all()
        for row_id, token in rows:
            if cipher.needs_rotation(token):
                result = await conn.execute(update(iu).where(iu.id == row_id, iu.body == token)
                                            .values(body=cipher.encrypt(cipher.decrypt(token))))
                changed += result.rowcount or 0
    return changed


async def _rotate_sealed_in_cases(db: object, cipher: DataCipher) -> int:
    """Re-seal the sensitive answers kept in a case's ``data`` (a diagnosis) under the current key.

    Nothing else writes ``data`` after the case is filed, so a plain update cannot lose a change.
    """

    changed = 0
    async with db.writer.begin() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(select(Case.id, Case.data)
                                   .where(cast(Case.data, String).like('%"sealed"%')))).all()
        for case_id, data in rows:
            renewed = {k: _resealed(v, cipher) for k, v in (data or {}).items()}
            if renewed != data:
                await conn.execute(update(Case).where(Case.id == case_id).values(data=renewed))
                changed += 1
    return changed


async def _rotate_sealed_answers(db: object, cipher: DataCipher) -> int:
    """Re-seal the sensitive answers of forms in progress (``bot.sealed``) under the current key.

    Each state is rewritten only if its ``seq`` is unchanged since it was read, so a turn that
    landed meanwhile (and sealed its answers under the current key itself) is never overwritten.
    """

    changed = 0
    cs = ConversationState
    async with db.reader.connect() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(select(cs.conversation_id, cs.seq, cs.data)
                                   .where(cast(cs.data, String).like('%"sealed"%')))).all()
    for conversation_id, seq, stored in rows:
        data: dict[str, Any] = stored or {}
        flow = data.get("flow")
        if not isinstance(flow, dict) or not isinstance(flow.get("answers"), dict):
            continue
        answers: dict[str, Any] = flow["answers"]
        renewed = {k: _resealed(v, cipher) for k, v in answers.items()}
        if renewed == answers:
            continue
        new_data = {**data, "flow": {**flow, "answers": renewed}}
        async with db.writer.begin() as conn:  # type: ignore[attr-defined]
            result = await conn.execute(update(cs).where(cs.conversation_id == conversation_id, cs.seq == seq)
                                        .values(data=new_data))
        changed += result.rowcount or 0
    return changed


def _resealed(value: object, cipher: DataCipher) -> object:
    if is_sealed(value) and cipher.needs_rotation(value["sealed"]):
        return {**value, "sealed": cipher.encrypt(cipher.decrypt(value["sealed"]))}
    return value
