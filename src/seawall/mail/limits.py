"""Hard limits that keep hostile mail from exhausting time or memory.

An overrun never raises: the parser stops descending, records a ``Defect`` naming the
limit, and returns what it could read. Every limit is configurable (``[limits]`` in the
configuration file).
"""

from __future__ import annotations

import msgspec

MiB = 1024 * 1024


class Limits(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    max_message_bytes: int = 32 * MiB
    """Larger messages are parsed from their first ``max_message_bytes`` only."""
    max_mime_depth: int = 40
    max_parts: int = 500
    max_headers: int = 2000
    max_header_chars: int = 102_400
    """A header value longer than Postfix's ``header_size_limit`` (102,400 bytes) is read from
    its start only, with a ``header_too_long`` defect: no MTA passes a longer one, and parsing
    one (900,000 ``dmarc=`` results) costs seconds."""
    max_decoded_bytes: int = 64 * MiB
    """Total decoded payload (bodies and attachments) read from one message."""
    max_html_bytes: int = 2 * MiB
    """HTML analysed per body or attachment; the rest is recorded as truncated."""
    max_text_chars: int = 1_000_000
    max_links: int = 2000
    max_attachment_analysis_bytes: int = 16 * MiB
    """Attachments larger than this are hashed and sniffed but not opened."""
    max_archive_depth: int = 3
    max_archive_members: int = 500
    max_archive_ratio: float = 100.0
    """Members that expand more than this many times their compressed size are not read."""
    max_archive_expanded_bytes: int = 64 * MiB
    max_password_attempts: int = 8
    time_budget_seconds: float = 10.0
    """Time one message may take to parse (well under Postfix's 30 s milter and filter
    timeouts): past it, the parts not yet read are left, with a ``time_budget_exceeded``
    defect, and the message is judged on what was read."""


DEFAULT_LIMITS = Limits()
