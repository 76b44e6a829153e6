"""Host names, registered domains and URLs, computed offline.

tldextract is used with its bundled Public Suffix List snapshot only (``suffix_list_urls=()``
and no cache directory), so nothing is fetched at run time and nothing is written to disk.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)

# Hand-written because it must be tolerant in ways urllib is not: real phishing mail carries
# hosts with trailing dots, upper case, IDNA and decimal/hex IP literals.
_HEX_OR_DECIMAL_IP = re.compile(r"^(?:0x[0-9a-f]{1,8}|\d{8,10})$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def normalise_host(host: str) -> str:
    """Lower-case, strip brackets and trailing dot, and leave IDNA labels as written."""
    host = host.strip().strip("[]").rstrip(".").lower()
    return host


@lru_cache(maxsize=65536)
def is_ip_literal(host: str) -> bool:
    """True for dotted IPv4, IPv6, and the decimal / hex forms browsers also accept."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HEX_OR_DECIMAL_IP.match(host))


_NUMBER_PART = re.compile(r"^(?:\d+|0x[0-9a-f]*)$", re.IGNORECASE)


def ends_in_a_number(host: str) -> bool:
    """Whether a browser reads a URL's host as an IPv4 address (WHATWG URL, "ends in a number"):
    "220.65.283", "0300.0250.0.1" and "192.168.1" all reach an address, not a name. Only for
    hosts of URLs: in a link's text, "2019" or "3.2" is no address. Written by hand: neither
    ``ipaddress`` nor ``urllib`` parse hosts as browsers do."""
    last = host.rstrip(".").rpartition(".")[2]
    return bool(last) and bool(_NUMBER_PART.match(last))


@lru_cache(maxsize=65536)
def registered_domain(host: str) -> str:
    """The registrable domain (``login.microsoftonline.com`` -> ``microsoftonline.com``).

    Returns the host itself for IP literals. Under a suffix the Public Suffix List does not
    know (.local, .internal, the reserved .example and .test) the last two labels stand in,
    so internal and test domains still group; a bare suffix gives ``""``.
    """
    host = normalise_host(host)
    if not host or is_ip_literal(host):
        return host
    parts = _EXTRACT(host)
    if not parts.suffix:
        labels = [label for label in host.split(".") if label]
        return ".".join(labels[-2:]) if len(labels) >= 2 else ""
    if not parts.domain:
        return ""
    return f"{parts.domain}.{parts.suffix}"


@lru_cache(maxsize=65536)
def _known_suffix(host: str) -> bool:
    """Whether the host ends in a suffix the Public Suffix List knows (cached: anchor texts
    repeat across a batch, and tldextract does not cache its own answers)."""
    return bool(_EXTRACT(host).suffix)


@lru_cache(maxsize=65536)
def domain_label(host: str) -> str:
    """The label left of the public suffix (``paypal`` for ``www.paypal.co.uk``)."""
    host = normalise_host(host)
    if is_ip_literal(host):
        return ""
    return str(_EXTRACT(host).domain)


@lru_cache(maxsize=65536)
def public_suffix(host: str) -> str:
    suffix = str(_EXTRACT(normalise_host(host)).suffix)
    if not suffix and "." in host:
        return host.rsplit(".", 1)[-1].lower()
    return suffix


def email_domain(address: str) -> str:
    """The lower-cased domain of an address, without brackets or trailing dot."""
    at = address.rfind("@")
    if at < 0:
        return ""
    return normalise_host(address[at + 1 :].strip(" <>"))


class UrlParts:
    """The parts of a URL that detection needs, parsed without raising."""

    __slots__ = ("host", "is_ip", "path", "port", "query", "registered_domain", "scheme", "userinfo")

    def __init__(self, url: str) -> None:
        self.scheme = ""
        self.host = ""
        self.port: int | None = None
        self.userinfo = ""
        self.path = ""
        self.query = ""
        candidate = url.strip()
        if candidate.lower().startswith("www."):
            candidate = "http://" + candidate
        try:
            split = urlsplit(candidate)
            self.scheme = split.scheme.lower()
            netloc = split.netloc
            if "@" in netloc:
                self.userinfo, _, netloc = netloc.rpartition("@")
            hostport = netloc
            if hostport.startswith("["):
                end = hostport.find("]")
                self.host = hostport[1:end] if end > 0 else hostport[1:]
                rest = hostport[end + 1 :] if end > 0 else ""
                if rest.startswith(":") and rest[1:].isdigit():
                    self.port = int(rest[1:])
            else:
                host, sep, port = hostport.rpartition(":")
                if sep and port.isdigit():
                    self.host = host
                    self.port = int(port)
                else:
                    self.host = hostport
            self.host = normalise_host(unquote(self.host))
            self.path = split.path
            self.query = split.query
        except ValueError:
            pass
        self.is_ip = is_ip_literal(self.host) or ends_in_a_number(self.host)
        if self.is_ip:
            self.registered_domain = self.host
        else:
            self.registered_domain = registered_domain(self.host) if self.host else ""


# Visible strings that look like a domain (``www.paypal.com``, ``paypal.com/login``); used to
# read what an anchor's text claims the destination is.
_DOMAIN_IN_TEXT = re.compile(
    r"(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}(?=$|[/\s:?#)\]>,;])",
    re.IGNORECASE,
)


def domain_shown_in_text(text: str) -> str:
    """The registered domain a piece of visible text claims to be, or ``""``.

    Only text that *is* a URL or host name counts ("www.paypal.com", "https://x.org/a"),
    not prose that happens to mention one.
    """
    stripped = text.strip().strip("<>\"'")
    if not stripped or " " in stripped or len(stripped) > 300:
        return ""
    match = _DOMAIN_IN_TEXT.match(stripped)
    if not match:
        return ""
    host = match.group(0)
    written_as_url = "://" in host or host.lower().startswith("www.")
    if "://" in host:
        host = host.split("://", 1)[1]
    if "@" in stripped[: match.end()]:
        return ""
    if not written_as_url and not _known_suffix(normalise_host(host)):
        # "b205-antenna.mp4", "report.pdf": a file name, not a host (no such public suffix);
        # a name under a real suffix ("invoice.zip") still counts, as a reader would take it
        return ""
    return registered_domain(host)
