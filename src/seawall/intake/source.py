"""What every intake source yields: the raw bytes of one message and where they came from.

Intake never interprets mail; it only finds message boundaries (mbox, maildir, zip, .msg) and
records an origin precise enough that every later result points back to the exact message.
"""

from __future__ import annotations

import hashlib

import msgspec


class Origin(msgspec.Struct, frozen=True, omit_defaults=True):
    """Where a message was read from.

    ``path`` is the file (or ``-`` for stdin); ``index`` the position inside an mbox;
    ``member`` the name inside a zip archive or maildir; ``kind`` the container format.
    """

    path: str
    kind: str = "eml"
    index: int | None = None
    member: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.member is not None:
            text += f"!{self.member}"
        if self.index is not None:
            text += f"#{self.index}"
        return text


class RawMessage(msgspec.Struct, frozen=True):
    """One message's bytes and origin; ``sha256`` identifies it in the store."""

    data: bytes
    origin: Origin
    sha256: str

    @classmethod
    def from_bytes(cls, data: bytes, origin: Origin) -> RawMessage:
        return cls(data=data, origin=origin, sha256=hashlib.sha256(data).hexdigest())


class IntakeError(msgspec.Struct, frozen=True):
    """A message (or container) that could not be read at all; reported per item, never raised."""

    origin: Origin
    error: str
