"""What identifies who collected a message, and how to take it away.

Corpora carry their collector's fingerprints: the receiving side's Received hops and
Microsoft 365 or Gmail headers, the list archive's Delivered-To, List-* headers, subject tags
and footers, and recipients replaced by placeholders such as ``phishing@pot``. A model that
learns those learns the corpus, not the phish. Two tools here:

* ``normalise_text`` / ``mask_recipients``: what the model applies to every message it reads,
  so its input never contains list tags, list footers or recipient addresses;
* ``scrub_message``: raw bytes -> the same message with the receiving side's headers and
  hops removed and recipients replaced, for ``seawall eval --scrub`` and the test that proves
  the model's probability does not move when a message is scrubbed.
"""

from __future__ import annotations

import re
from email import policy
from email.header import Header
from email.message import Message
from email.parser import BytesParser
from email.utils import formataddr, getaddresses
from functools import lru_cache

from seawall.mail.auth import parse_received
from seawall.mail.domains import registered_domain
from seawall.mail.headers import fix_surrogates

PLACEHOLDER_ADDRESS = "recipient@example.org"
# Placeholders corpus maintainers put in place of the real recipients.
KNOWN_PLACEHOLDERS = ("phishing@pot", "jose@monkey.org")

# "[USRP-users] Re: ..." / "Re: [Jfs-discussion] ..." / "[tipc-discussion] ..."
_LIST_TAG = re.compile(r"\[[A-Za-z0-9][A-Za-z0-9 ._+-]{1,40}\]\s*")
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|aw|fw|fwd|wg|sv|vs|antw)\s*:\s*)+", re.IGNORECASE)
_LIST_FOOTERS = (
    # Mailman
    re.compile(r"\n_{10,}\s*\n[^\n]*(?:mailing list|Mailing List)[\s\S]*\Z"),
    # Google Groups
    re.compile(r"\n--\s*\nYou received this message because you are subscribed to[\s\S]*\Z"),
    # generic unsubscribe tails of list servers (sympa, listserv, groups.io)
    re.compile(r"\n-{2,}\s*\n(?:To unsubscribe|Groups\.io Links|Unsubscribe:)[\s\S]*\Z"),
)


def strip_list_tags(subject: str) -> str:
    """Remove mailing-list subject tags wherever they sit among reply prefixes."""
    prefix_match = _REPLY_PREFIX.match(subject)
    prefix = prefix_match.group(0) if prefix_match else ""
    rest = subject[len(prefix) :]
    tag = _LIST_TAG.match(rest)
    if tag:  # the list's tag is the first one; later ones ("[PATCH]") are the sender's
        rest = rest[tag.end() :]
        again = _REPLY_PREFIX.match(rest)
        if again:
            prefix += again.group(0)
            rest = rest[again.end() :]
    return (prefix + rest).strip()


_FOOTER_MARKERS = ("mailing list", "Mailing List", "subscribed to", "unsubscribe", "Unsubscribe", "Groups.io")


def strip_list_footer(text: str) -> str:
    if not any(marker in text for marker in _FOOTER_MARKERS):
        return text
    for footer in _LIST_FOOTERS:
        text = footer.sub("", text)
    return text


class RecipientMask:
    """Recipient addresses (plain and URL-encoded) and known placeholders, to be masked.

    Matched as literals, case-insensitively, by ``str.find`` on a lower-cased copy: compiling
    a regular expression per recipient set cost half a millisecond per message.
    """

    __slots__ = ("forms",)

    def __init__(self, forms: tuple[str, ...]) -> None:
        self.forms = forms

    def apply(self, text: str) -> str:
        if not text or ("@" not in text and "%40" not in text):
            return text
        lowered = text.lower()
        if len(lowered) != len(text):
            # A few characters (e.g. U+0130) lower-case to two; offsets would drift, so use a regex.
            pattern = re.compile("|".join(map(re.escape, self.forms)), re.IGNORECASE)
            return pattern.sub(PLACEHOLDER_ADDRESS, text)
        spans: list[tuple[int, int]] = []
        for form in self.forms:
            start = lowered.find(form)
            while start >= 0:
                spans.append((start, start + len(form)))
                start = lowered.find(form, start + len(form))
        if not spans:
            return text
        spans.sort()
        pieces: list[str] = []
        position = 0
        for start, end in spans:
            if start < position:
                continue  # overlapping a longer form already masked
            pieces.append(text[position:start])
            pieces.append(PLACEHOLDER_ADDRESS)
            position = end
        pieces.append(text[position:])
        return "".join(pieces)


def recipient_patterns(addresses: list[str]) -> RecipientMask | None:
    """The mask for these recipients (and the corpora's placeholders)."""
    return _recipient_mask(tuple(sorted({a.strip().lower() for a in addresses})))


@lru_cache(maxsize=4096)
def _recipient_mask(addresses: tuple[str, ...]) -> RecipientMask:
    forms: set[str] = set(KNOWN_PLACEHOLDERS)
    forms.update(a for a in addresses if "@" in a and len(a) > 3)
    literal = {variant for form in forms for variant in (form, form.replace("@", "%40"))}
    return RecipientMask(tuple(sorted(literal, key=len, reverse=True)))


def mask_recipients(text: str, mask: RecipientMask | None) -> str:
    return mask.apply(text) if mask is not None else text


def normalise_text(text: str, mask: RecipientMask | None) -> str:
    """The model's view of a body: no list footer, recipients masked."""
    return mask_recipients(strip_list_footer(text), mask)


# -- scrubbing raw messages ------------------------------------------------------------------

# Headers written by whoever received and stored the message (never by its sender).
_RECEIVER_HEADERS = re.compile(
    r"^(?:delivered-to|x-original-to|x-ms-.*|x-microsoft-.*|x-forefront-.*|x-eop.*|x-incoming.*|x-sid-.*"
    r"|authentication-results|arc-.*|received-spf|list-.*|x-beenthere|x-mailman-.*|precedence|errors-to"
    r"|x-original-sender|x-original-authentication-results|x-google-smtp-source|x-received|x-gm-.*"
    r"|return-path|x-spam-.*|x-virus-.*|x-sender-ip|x-mda-.*|x-ham-report|x-spam|x-apparently-to"
    r"|x-originatororg|x-userprincipalname|x-ms-has-attach|x-ms-tnef-correlator|x-auto-response-suppress"
    r"|x-mailer-recptid|mailing-list|x-loop|x-list-.*|x-mailing-list|x-topics|x-ymail-.*|x-yahoo-.*"
    # the Enron corpus's export (CMU's X-From / X-To / X-Folder ...)
    r"|x-from|x-to|x-cc|x-bcc|x-folder|x-origin|x-filename)$",
    re.IGNORECASE,
)
# Mail systems that collected the development corpora (receiving side only).
_KNOWN_RECEIVERS = frozenset({"outlook.com", "office365.com", "lfdr.de", "office.com"})


def _receiving_hops(values: list[str]) -> int:
    """How many Received headers, from the top, the receiving side wrote."""
    if not values:
        return 0
    hops = [parse_received(value) for value in values]
    top = registered_domain(hops[0].by_host) if hops[0].by_host else ""
    receivers = set(_KNOWN_RECEIVERS)
    if top:
        receivers.add(top)
    count = 0
    for hop in hops:
        by = registered_domain(hop.by_host) if hop.by_host else ""
        internal = (
            not by
            or by in receivers
            or hop.by_host.startswith(("2002:", "10.", "192.168."))
            or ("." not in hop.by_host)
        )
        if not internal:
            break
        count += 1
        if hop.from_host and not hop.from_ip.startswith(("10.", "192.168.", "127.")):
            # The hop that accepted the message from outside is the last receiving hop.
            source = registered_domain(hop.from_host)
            if source and source not in receivers and hop.from_ip:
                break
    return count


def _replace_payloads(message: Message, pattern: RecipientMask | None) -> None:
    stack = [message]
    while stack:
        part = stack.pop()
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(p for p in payload if isinstance(p, Message))
            continue
        if part.get_content_maintype() != "text":
            continue
        raw = part.get_payload(decode=True)
        if not isinstance(raw, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            text = raw.decode(charset, "replace")
        except LookupError:
            text = raw.decode("utf-8", "replace")
        cleaned = mask_recipients(strip_list_footer(text), pattern)
        if cleaned != text:
            del part["Content-Transfer-Encoding"]
            part.set_payload(cleaned.encode("utf-8"), "utf-8")


FIXED_DATE = "Mon, 01 Jul 2024 12:00:00 +0000"
"""Every message's Date in an evaluation view: the year says which corpus, not what is phish."""
# The headers a forwarded report or a mail export keeps: nothing of the transport.
_BARE_HEADERS = frozenset(
    {"from", "to", "cc", "subject", "date", "mime-version", "content-type", "content-transfer-encoding"}
)
VIEWS = ("scrubbed", "bare")
"""``scrubbed``: the receiving side, recipients and Date normalised away; ``bare``: also no
transport or sender-side header beyond From, To, Cc, Subject, Date and MIME."""


def evaluation_view(data: bytes, view: str) -> bytes:
    """The message as evaluation scores it: ``scrub_message`` with the Date fixed, and in the
    ``bare`` view every header except From, To, Cc, Subject, Date and MIME removed too."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} ({', '.join(VIEWS)})")
    scrubbed = scrub_message(data)
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(scrubbed)
    except Exception:  # unparseable input stays as it is; the parser reports it
        return scrubbed
    if view == "bare":
        for name in {key for key, _ in message.raw_items()}:
            if name.lower() not in _BARE_HEADERS:
                del message[name]
    if message.get("Date") is not None:
        del message["Date"]
        message["Date"] = FIXED_DATE
    try:
        return message.as_bytes(policy=policy.compat32)
    except Exception:  # re-serialising a broken message can fail; keep the scrubbed one then
        return scrubbed


def _raw_texts(message: Message, name: str) -> list[str]:
    """A header's values as written, raw 8-bit UTF-8 read as text ("Félicitations"):
    compat32's ``get`` would hand back a Header of replacement characters."""
    return [fix_surrogates(value) for key, value in message.raw_items() if key.lower() == name.lower()]


def _header(text: str) -> str:
    """A value to set: non-ASCII text as UTF-8 encoded words, so that it survives."""
    return text if text.isascii() else Header(text, "utf-8").encode(linesep=" ")


def _address_header(text: str) -> str:
    """An address list to set: non-ASCII display names as encoded words, addresses as they are."""
    if text.isascii():
        return text
    try:
        return ", ".join(formataddr(pair, "utf-8") for pair in getaddresses([text]))
    except (UnicodeError, ValueError):  # a non-ASCII address itself: keep it, encoded
        return _header(text)


def scrub_message(data: bytes) -> bytes:
    """The message as its sender wrote it, as far as headers tell: receiving side removed.

    Removes the receiver's headers and Received hops, list subject tags, list footers, and
    replaces every recipient address (headers and bodies) with ``recipient@example.org``.
    """
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(data)
    except Exception:  # unparseable input is returned unchanged; the parser reports it
        return data
    addresses: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        for value in message.get_all(name) or []:
            addresses.extend(re.findall(r"[\w.+'-]+@[\w.-]+", str(value)))
    pattern = recipient_patterns(addresses)
    received = [str(v) for v in message.get_all("Received") or []]
    strip_received = _receiving_hops(received)
    for name in {key for key, _ in message.raw_items()}:
        if _RECEIVER_HEADERS.match(name):
            del message[name]
    if strip_received:
        kept = received[strip_received:]
        del message["Received"]
        for value in kept:
            message["Received"] = value  # appended after the other headers, in their order
    for name in ("To", "Cc"):
        values = _raw_texts(message, name)
        if values:
            del message[name]
            for value in values:
                message[name] = _address_header(mask_recipients(value, pattern))
    subjects = _raw_texts(message, "Subject")
    if subjects:
        del message["Subject"]
        message["Subject"] = _header(strip_list_tags(subjects[0]))
    _replace_payloads(message, pattern)
    try:
        return message.as_bytes(policy=policy.compat32)
    except Exception:  # re-serialising a broken message can fail; keep the original then
        return data
