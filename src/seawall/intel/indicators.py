"""Indicators of compromise carried by a message, normalised so that they match feeds.

Kinds follow the STIX cyber-observable names Seawall exports: ``url``, ``domain``, ``ipv4``,
``ipv6``, ``email`` (sender-side addresses only: never our own recipients), ``sha256``,
``sha1``, ``md5``. Common benign domains and the organisation's own domains are allow-listed:
reporting ``google.com`` or our own domain as an indicator would poison every consumer.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import cache

from seawall.campaigns.fingerprint import common_domains, infrastructure_domain, link_destinations, sending_ip
from seawall.mail.domains import UrlParts, registered_domain
from seawall.mail.model import ParsedMessage

KINDS = ("url", "domain", "ipv4", "ipv6", "email", "sha256", "sha1", "md5")
MAX_VALUE = 1000
MAX_PER_MESSAGE = 200

_DEFANGS = (
    (re.compile(r"^hxxp", re.I), "http"),
    (re.compile(r"^fxp", re.I), "ftp"),
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.I), "."),
    (re.compile(r"\[:\]|\[://\]"), ":"),
    (re.compile(r"\[@\]|\[at\]|\(at\)", re.I), "@"),
)
_HEX = re.compile(r"^[0-9a-f]+$")


def refang(value: str) -> str:
    """Undo the usual defanging (hxxp, [.], [@]) of indicators written for humans."""
    value = value.strip()
    for pattern, replacement in _DEFANGS:
        value = pattern.sub(replacement, value)
    return value


def normalise_url(url: str) -> str:
    """Scheme and host lower-cased, default port and fragment dropped; path and query kept."""
    url = refang(url)
    parts = UrlParts(url)
    if not parts.host:
        return url[:MAX_VALUE]
    scheme = (url.split(":", 1)[0].lower() if "://" in url[:12] else "http") or "http"
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{parts.host}{port}{parts.path or '/'}{query}"[:MAX_VALUE]


def classify(value: str, kind: str = "") -> tuple[str, str] | None:
    """(kind, normalised value) of one indicator from a feed; None when it is not one."""
    value = refang(value)
    if not value:
        return None
    kind = kind.lower()
    if kind in ("sha256", "sha1", "md5") or (not kind and _HEX.match(value.lower())):
        lowered = value.lower()
        by_length = {64: "sha256", 40: "sha1", 32: "md5"}
        found = by_length.get(len(lowered))
        if found and _HEX.match(lowered) and (not kind or kind == found):
            return found, lowered
        return None
    if kind in ("url", "uri") or "://" in value:
        candidate = value if "://" in value[:12] else f"http://{value}"
        host = UrlParts(candidate).host
        if not host or ("." not in host and ":" not in host):
            return None
        return "url", normalise_url(candidate)
    if kind in ("email", "email-addr", "email-src") or ("@" in value and not kind):
        return "email", value.lower()
    try:
        address = ipaddress.ip_address(value.split("/", 1)[0])
        return ("ipv4" if address.version == 4 else "ipv6"), str(address)
    except ValueError:
        pass
    if kind in ("domain", "domain-name", "hostname", "") and "." in value and " " not in value:
        return "domain", value.lower().rstrip(".")
    return None


@cache
def _allowed(own: frozenset[str]) -> frozenset[str]:
    return common_domains() | own


def extract(
    message: ParsedMessage,
    own_domains: Iterable[str] = (),
    destinations: list[tuple[str, str, str]] | None = None,
) -> list[tuple[str, str]]:
    """The message's indicators as (kind, value), allow-listed domains left out
    (``destinations``: :func:`link_destinations` when the caller already has them)."""
    allowed = _allowed(frozenset(registered_domain(d) or d.lower() for d in own_domains))
    found: dict[tuple[str, str], None] = {}

    def add(kind: str, value: str) -> None:
        if value and len(found) < MAX_PER_MESSAGE:
            found.setdefault((kind, value[:MAX_VALUE]), None)

    for url, host, _path in destinations if destinations is not None else link_destinations(message):
        domain = infrastructure_domain(host)
        if not domain or domain in allowed or registered_domain(host) in allowed:
            continue
        add("url", normalise_url(url))
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
            add("ipv4" if literal.version == 4 else "ipv6", str(literal))
        except ValueError:
            add("domain", host)
            if domain != host:
                add("domain", domain)
    senders = [message.from_, message.sender, *message.reply_to]
    for address in senders:
        if address is None or "@" not in address.address:
            continue
        domain = registered_domain(address.domain) or address.domain
        if domain in allowed and domain not in common_domains():
            continue  # our own people are not indicators (a spoof of them is, in the rules)
        add("email", address.address.lower())
        if domain not in allowed:
            add("domain", address.domain.lower())
    ip = sending_ip(message)
    if ip:
        add("ipv4" if ":" not in ip else "ipv6", ip)
    for attachment in message.attachments:
        if attachment.sha256 and attachment.size > 0 and not attachment.sniffed_type.startswith("image/"):
            add("sha256", attachment.sha256)
            add("sha1", attachment.sha1)
            add("md5", attachment.md5)
    return list(found)
