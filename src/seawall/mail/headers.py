"""Header decoding: RFC 2047 encoded words, raw 8-bit bytes, addresses and dates.

The message is parsed with ``policy.compat32`` for speed (about three times faster than
``policy.default`` on real mail), so decoding is done here, once, with the standard
library's own ``email.header`` and ``email.utils`` helpers.
"""

from __future__ import annotations

import contextlib
import re
from email.errors import MessageError
from email.header import decode_header, make_header
from email.utils import getaddresses, mktime_tz, parsedate_tz

from seawall.mail.domains import email_domain
from seawall.mail.model import Address

_FOLD = re.compile(r"\r?\n[ \t]*")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
_WS = re.compile(r"\s+")


def _as_windows_1252(match: re.Match[str]) -> str:
    """A C1 control in decoded text is a byte of a Windows sender's text labelled ISO-8859-1
    (0x96 for "–", 0x93 for "“"): read as windows-1252, as the WHATWG Encoding Standard has
    browsers read that label, and never left to reach a terminal as a control (0x9B is CSI)."""
    character = bytes([ord(match.group(0))]).decode("cp1252", "replace")
    return " " if character == "\ufffd" else character


def fix_surrogates(value: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogate escapes; read them as UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", "replace")


def decode_value(value: object) -> tuple[str, bool]:
    """Decode one header value; return the text and whether it held control characters.

    Control characters (CR/LF, NUL…) that survive decoding are a header-injection attempt
    (an encoded word hiding ``\\r\\nBcc:``); they are replaced by spaces and reported.
    """
    if not isinstance(value, str):
        # compat32 returns email.header.Header objects for undecodable raw headers.
        value = str(value)
    text = value if value.isascii() else fix_surrogates(value)
    if "\n" in text:
        text = text.replace("\r\n", "").replace("\n", "")
    if "=?" in text:
        # A broken encoded word ("=?utf-8?b?not base64?=") is kept as written; real senders'
        # software never writes one (``encoding_broken`` says so).
        with contextlib.suppress(ValueError, LookupError, UnicodeError, AssertionError, MessageError):
            text = str(make_header(decode_header(text)))
    injected = False
    if not text.isprintable():
        if _CONTROL.search(text):
            injected = True
            text = _CONTROL.sub(" ", text)
        text = _C1.sub(_as_windows_1252, text)
    return text.strip(), injected


def encoding_broken(value: str) -> bool:
    """Whether the encoded words of a header value cannot be decoded."""
    if "=?" not in value:
        return False
    try:
        make_header(decode_header(value))
    except (ValueError, LookupError, UnicodeError, AssertionError, MessageError):
        return True
    return False


def decode_display_name(name: str) -> str:
    text, _ = decode_value(name)
    return _WS.sub(" ", text).strip().strip('"').strip()


# The common single-mailbox forms, read without the (slow, general) getaddresses.
# An unquoted display name may contain "@" ("bob@example.com <bob@example.com>", common in
# real mail): it is still one mailbox as long as there is no comma, quote or second bracket.
_SIMPLE_MAILBOX = re.compile(
    r'^\s*(?:"([^"\\]*)"|([^"<>,;:()\\]*?))\s*<([^<>\s",;:()@]+@[^<>\s",;:()@]+)>\s*$'
)
_ANY_ADDRESS = re.compile(r"[\w.+'-]{1,64}@[\w-]+(?:\.[\w-]+)+")
_BARE_ADDRESS = re.compile(r'^\s*<?([^<>\s",;:()@]+@[^<>\s",;:()@]+)>?\s*$')


def _split_mailboxes(value: str) -> list[str]:
    """Split an address list on commas outside quotes, comments and angle brackets.

    A fast path only: each piece is still read by the regexes above or, failing them, by
    the standard library's ``getaddresses`` (slow on long Cc lists, hence this split).
    """
    if "," not in value:
        return [value]
    pieces: list[str] = []
    start = 0
    quoted = False
    depth = 0
    angle = False
    escaped = False
    for position, char in enumerate(value):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char == "<" and not depth:
            angle = True
        elif char == ">" and not depth:
            angle = False
        elif char == "," and not depth and not angle:
            pieces.append(value[start:position])
            start = position + 1
    pieces.append(value[start:])
    return [piece for piece in pieces if piece.strip()]


def parse_addresses(raw_values: list[str]) -> list[Address]:
    """Addresses from raw header values, display names decoded after splitting.

    Splitting first and decoding second matters: an encoded word may hide a comma or an
    ``<address>`` that would otherwise be read as a second, forged mailbox.
    """
    pairs: list[tuple[str, str]] = []
    for raw in raw_values:
        value = raw if raw.isascii() else fix_surrogates(raw)
        if "\n" in value:
            value = _FOLD.sub(" ", value)
        for piece in _split_mailboxes(value):
            match = _SIMPLE_MAILBOX.match(piece)
            if match:
                pairs.append((match.group(1) or match.group(2) or "", match.group(3)))
                continue
            match = _BARE_ADDRESS.match(piece)
            if match:
                pairs.append(("", match.group(1)))
                continue
            try:
                pairs.extend(getaddresses([piece]))
            except (RecursionError, ValueError, IndexError, TypeError):
                # a mailbox list the standard parser cannot read (nested comments without end):
                # its addresses, if any, by pattern; the header's defect is recorded by the caller
                pairs.extend(("", found) for found in _ANY_ADDRESS.findall(piece[:10_000]))
    result: list[Address] = []
    orphan = ""
    for name, addr in pairs:
        addr = addr.strip()
        if not addr and not name:
            continue
        if "@" not in addr:
            # '"Microsoft account team", _ <x@y>' (common in phishing) splits into a phrase
            # without an address and a mailbox; the phrase is what a mail client shows.
            orphan = " ".join(p for p in (orphan, name, addr) if p)
            continue
        display = decode_display_name(name) if name else ""
        apart = bool(orphan)
        if orphan:
            display = decode_display_name(orphan) if len(display) <= 1 else display
            orphan = ""
        result.append(
            Address(address=addr.lower(), display_name=display, domain=email_domain(addr), name_apart=apart)
        )
    return result


def parse_date(value: str) -> float | None:
    """Seconds since the epoch, or None when the date is absent or unparseable."""
    if not value:
        return None
    try:
        parsed = parsedate_tz(value)
        return float(mktime_tz(parsed)) if parsed is not None else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def angle_stripped(value: str) -> str:
    """``<abc@host>`` -> ``abc@host``; tolerant of missing brackets and comments."""
    value = value.strip()
    start = value.find("<")
    end = value.find(">", start + 1)
    if start >= 0 and end > start:
        return value[start + 1 : end].strip()
    return value.split()[0] if value.split() else ""
