"""Personnummer at rest: AES-256-GCM encryption and a keyed hash for exact search.

Keys come from the configuration (``journey/config.py`` reads them from the
environment):

- ``JOURNEY_DATA_KEYS``: ``"id:base64key,id:base64key,..."``, 32-byte keys. The
  first key encrypts new values; all of them decrypt (rotation, see SECURITY.md).
- ``JOURNEY_HASH_KEY``: base64 HMAC-SHA256 key. The hash of the 12 digits is
  stored next to the ciphertext so that exact search and duplicate checks run in
  SQL without decrypting anything.

A stored value reads ``v<key id>:<base64url(nonce + ciphertext + tag)>`` with a
random 96-bit nonce. The key id tells which key decrypts it.
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from journey.config import DEV_DATA_KEYS, DEV_HASH_KEY

__all__ = ["DEV_DATA_KEYS", "DEV_HASH_KEY", "DecryptionError", "KeyConfigError",
           "NationalIdCipher", "cipher", "keyed_hash", "national_id_hash",
           "stored_columns"]

NONCE_BYTES = 12
KEY_BYTES = 32


class KeyConfigError(RuntimeError):
    """The keys are missing or malformed."""


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted with the configured keys."""


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigError(f"{what} is not valid base64.") from exc


def parse_data_keys(spec: str | None) -> list[tuple[str, bytes]]:
    """``"id:base64,id:base64"`` → ``[(id, key), ...]``, the current key first."""
    keys: list[tuple[str, bytes]] = []
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.isalnum():
            raise KeyConfigError(
                "JOURNEY_DATA_KEYS must be a comma-separated list of id:base64key "
                "(the id made of letters and digits).")
        key = _b64(encoded, f"JOURNEY_DATA_KEYS key {key_id!r}")
        if len(key) != KEY_BYTES:
            raise KeyConfigError(
                f"JOURNEY_DATA_KEYS key {key_id!r} must be {KEY_BYTES} bytes (AES-256).")
        if any(key_id == known for known, _ in keys):
            raise KeyConfigError(f"JOURNEY_DATA_KEYS names key {key_id!r} twice.")
        keys.append((key_id, key))
    if not keys:
        raise KeyConfigError("JOURNEY_DATA_KEYS is empty: set at least one id:base64key.")
    return keys


def parse_hash_key(value: str | None, name: str = "JOURNEY_HASH_KEY") -> bytes:
    if not value:
        raise KeyConfigError(f"{name} is not set.")
    key = _b64(value, name)
    if len(key) < 16:
        raise KeyConfigError(f"{name} must be at least 16 bytes.")
    return key


def generate_key() -> str:
    """A new random key, base64 (for JOURNEY_DATA_KEYS or JOURNEY_HASH_KEY)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


@dataclass(frozen=True)
class Encrypted:
    """The three stored columns of one number."""

    encrypted: str
    hash: str
    prefix: str


class NationalIdCipher:
    """Encrypts, decrypts and hashes 12-digit numbers with fixed keys."""

    def __init__(self, data_keys: list[tuple[str, bytes]], hash_key: bytes):
        self.current_id = data_keys[0][0]
        self._aead = {key_id: AESGCM(key) for key_id, key in data_keys}
        self._current = self._aead[self.current_id]
        self._hash_key = hash_key

    @classmethod
    def from_config(cls, config) -> "NationalIdCipher":
        return cls(parse_data_keys(config.get("JOURNEY_DATA_KEYS")),
                   parse_hash_key(config.get("JOURNEY_HASH_KEY")))

    def encrypt(self, digits: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._current.encrypt(nonce, digits.encode("ascii"), None)
        token = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"v{self.current_id}:{token}"

    def key_id_of(self, stored: str) -> str:
        head, sep, _ = stored.partition(":")
        if not sep or not head.startswith("v"):
            raise DecryptionError("The stored personnummer is not in the v<key>:<data> format.")
        return head[1:]

    def decrypt(self, stored: str) -> str:
        key_id = self.key_id_of(stored)
        aead = self._aead.get(key_id)
        if aead is None:
            raise DecryptionError(
                f"The personnummer was encrypted with key {key_id!r}, which is not in "
                "JOURNEY_DATA_KEYS; add it back (second in the list) and run "
                "'flask journey rotate-keys'.")
        try:
            raw = base64.urlsafe_b64decode(stored.partition(":")[2].encode("ascii"))
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("ascii")
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise DecryptionError(
                f"The personnummer does not decrypt with key {key_id!r}: wrong key or "
                "damaged data.") from exc

    def hash(self, digits: str) -> str:
        return keyed_hash(self._hash_key, digits)

    def seal(self, digits: str) -> Encrypted:
        return Encrypted(self.encrypt(digits), self.hash(digits), digits[:8])


def keyed_hash(key: bytes, digits: str) -> str:
    """HMAC-SHA256 of the 12 digits, hex (64 characters)."""
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def cipher() -> NationalIdCipher:
    """The cipher of the current app's keys (built once per key configuration)."""
    config = current_app.config
    spec = (config.get("JOURNEY_DATA_KEYS"), config.get("JOURNEY_HASH_KEY"))
    cache = current_app.extensions.setdefault("journey_national_id_cipher", {})
    found = cache.get(spec)
    if found is None:
        found = NationalIdCipher.from_config(config)
        cache.clear()  # keys changed (tests, rotation): forget the old cipher
        cache[spec] = found
    return found


def stored_columns(digits: str | None) -> dict:
    """The participant columns of a number, for Core bulk inserts (all None: none).

    AES-GCM and HMAC cost a few microseconds a number.
    """
    if not digits:
        return {"national_id_encrypted": None, "national_id_hash": None,
                "national_id_prefix": None}
    sealed = cipher().seal(digits)
    return {"national_id_encrypted": sealed.encrypted, "national_id_hash": sealed.hash,
            "national_id_prefix": sealed.prefix}


def national_id_hash(digits: str) -> str:
    """The stored hash of a 12-digit number, for exact-match queries."""
    return cipher().hash(digits)
