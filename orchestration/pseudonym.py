"""Pseudonymous keys: HMAC-SHA256 of a normalised identifier under the secret from configuration.

The identifier kind is part of the message (`nik:` or `kk:`), so a NIK and a KK number with the same digits never
share a key. Under one secret the same NIK always gives the same key, so periods and sources join; without the
secret a key cannot be turned back into a NIK.
"""

from __future__ import annotations

import hashlib
import hmac

IDENTIFIER_KINDS = ("nik", "kk")


class Pseudonymiser:
    """Keys identifiers under one secret; the keyed HMAC state is computed once and copied per value."""

    def __init__(self, secret: str):
        if not secret:
            raise ValueError("the pseudonym secret must not be empty")
        self._keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)

    def key(self, kind: str, identifier: str | None) -> str | None:
        if identifier is None:
            return None
        if kind not in IDENTIFIER_KINDS:
            raise ValueError(f"unknown identifier kind {kind!r}; expected one of {IDENTIFIER_KINDS}")
        mac = self._keyed.copy()
        mac.update(f"{kind}:{identifier}".encode())
        return mac.hexdigest()


def pseudonymise(secret: str, kind: str, identifier: str | None) -> str | None:
    return Pseudonymiser(secret).key(kind, identifier)
