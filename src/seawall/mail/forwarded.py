"""A message forwarded inline ("Fw: …" with the original's From, Date, To and Subject written
into the body), rebuilt as the message it forwards.

Users who report phishing by pressing "Forward" rather than the client's report button send the
suspect this way; the report mailbox (``seawall imap watch``) judges the original, as it does an
attached one. The header block is what Outlook, Gmail, Apple Mail and Thunderbird write, with
the labels of ``data/forward_labels.yml``; the standard library parses the message, and nothing
here parses mail but that block (no library reads inline forwards).
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, parseaddr
from functools import cache
from importlib import resources
from typing import Any

import yaml

HEADER_LINES = 12
"""A forwarded header block is read within this many lines of its From line."""
LOOK_WITHIN = 4000
"""The block must start within this many characters of the body's top (a reply's quoted
history further down is not a forward)."""


@cache
def _labels() -> dict[str, Any]:
    text = resources.files("seawall.mail").joinpath("data/forward_labels.yml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _line(field: str) -> re.Pattern[str]:
    labels = "|".join(re.escape(label) for label in _labels()[field])
    # "From: x", "*From:* x" (Gmail's bold in plain text), "De : x" (French spacing)
    line = rf"^[ \t>]*\*?(?:{labels})\s?:\*?[ \t]*(?P<value>.*?)\s*$"
    return re.compile(line, re.IGNORECASE | re.MULTILINE)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    prefixes = "|".join(re.escape(p) for p in _labels()["prefixes"])
    return {
        "from": _line("from"),
        "to": _line("to"),
        "subject": _line("subject"),
        "forward": re.compile(rf"^\s*(?:\[?(?:{prefixes})\]?\s?:\s*)+", re.IGNORECASE),
    }


def _address(value: str) -> str:
    """A forwarded From or To as a header value with its address ("Name <a@b>", "Name
    [mailto:a@b]", "a@b"), or "" when it names no address: Outlook writes a colleague as
    "Smith, John", and a message rebuilt from a name alone would look like a sender hiding its
    address, which the forward never did."""
    value = re.sub(r"\[mailto:([^\]\s]+)\]", r"<\1>", value)
    name, address = parseaddr(value)
    return formataddr((name, address)) if address and "@" in address else ""


def inline_forward(data: bytes) -> bytes | None:
    """The message a forward carries inline, rebuilt with its From, Date, To and Subject and the
    forwarded text (and the forward's HTML, which holds the original's links); None when the
    message is no inline forward."""
    patterns = _patterns()
    try:
        outer = BytesParser(policy=policy.default).parsebytes(data)
        if not patterns["forward"].match(str(outer.get("Subject", ""))):
            return None
        if any(part.get_content_disposition() == "attachment" for part in outer.walk()):
            return None  # an attached original is read as such (service/imap.py)
        plain = outer.get_body(("plain",))
        text = plain.get_content() if plain is not None else ""
    except Exception:  # a message the parser cannot read is judged as it is
        return None
    if not isinstance(text, str):
        return None
    sender = patterns["from"].search(text[:LOOK_WITHIN])
    if sender is None or not sender.group("value"):
        return None
    block = "\n".join(text[sender.end() :].split("\n", HEADER_LINES + 1)[: HEADER_LINES + 1])
    subject = patterns["subject"].search(block)
    if subject is None:
        return None
    original_sender = _address(sender.group("value"))
    if not original_sender:
        return None  # nothing to judge of the original's sender: the forward is judged itself
    recipients = patterns["to"].search(block)
    body_start = sender.end() + subject.end()
    rebuilt = EmailMessage()
    _set(rebuilt, "From", original_sender)
    _set(rebuilt, "Subject", subject.group("value"))
    if recipients is not None and "@" in recipients.group("value"):
        _set(rebuilt, "To", recipients.group("value"))
    elif outer.get("To"):
        _set(rebuilt, "To", str(outer["To"]))  # names alone: the forward's own recipients
    if outer.get("Date"):
        _set(rebuilt, "Date", str(outer["Date"]))  # the forwarded date is in the client's words
    try:
        rebuilt.set_content(text[body_start:].lstrip("\n"))
        html = outer.get_body(("html",))
        if html is not None:
            rebuilt.add_alternative(html.get_content(), subtype="html")
        return rebuilt.as_bytes(policy=policy.SMTP)
    except Exception:  # what the standard library will not write is judged as it came
        return None


def _set(message: EmailMessage, name: str, value: str) -> None:
    """A header as written when the standard library can read it, else with what it cannot read
    (angle brackets, quotes, line breaks) taken out: a forwarded header is hostile input too."""
    value = value[:998]
    try:
        message[name] = value
    except Exception:
        del message[name]
        try:
            message[name] = re.sub(r"[^\w .,@'()-]+", " ", value).strip() or "(unreadable)"
        except Exception:
            del message[name]  # left out: the message is judged without it
