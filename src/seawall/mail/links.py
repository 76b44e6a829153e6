"""Links: URLs in plain text, and the host / registered domain of every link found.

URLs in plain text are found with a regular expression written here: the libraries that do
it (urlextract and friends) load a TLD list per call and are an order of magnitude slower,
while mail needs only explicit ``scheme://`` and ``www.`` forms — what a mail client links.
"""

from __future__ import annotations

import re

from seawall.mail.domains import UrlParts
from seawall.mail.html import MAX_URL_CHARS
from seawall.mail.model import Link

# The first character is matched as a class and the rest checked by look-behind: three
# times faster than an alternation, because the engine can skip to candidate letters.
_TEXT_URL = re.compile(
    r"""(?<![A-Za-z0-9])[hHfFwW](?:(?<=[hH])[tT][tT][pP][sS]?://|(?<=[fF])[tT][pP]://|"""
    r"""(?<=[wW])[wW][wW]\.)[^\s<>"'`{}|\\^\[\]]+"""
)
_TRAILING = ".,;:!?'\"*"


def _trim(url: str) -> str:
    """Trailing punctuation off; a closing parenthesis stays only when the URL opened one.
    Linear: the parentheses are counted once, not again for every one taken off (a URL
    followed by a megabyte of ")" took minutes)."""
    url = url.rstrip(_TRAILING)
    surplus = url.count(")") - url.count("(")
    while surplus > 0 and url.endswith(")"):
        url = url[:-1].rstrip(_TRAILING)
        surplus -= 1
    return url


def urls_in_text(text: str, limit: int) -> list[str]:
    if "://" not in text and "www." not in text and "WWW." not in text:
        return []
    found: list[str] = []
    for match in _TEXT_URL.finditer(text):
        found.append(_trim(match.group(0)[: 2 * MAX_URL_CHARS])[:MAX_URL_CHARS])
        if len(found) >= limit:
            break
    return found


def make_link(url: str, where: str, source: str = "body", text: str = "") -> Link:
    """A Link with its parsed host and registered domain (computed once, here)."""
    parts = UrlParts(url)
    return Link(
        url=url,
        where=where,
        source=source,
        text=text,
        scheme=parts.scheme or ("http" if url.lower().startswith("www.") else ""),
        host=parts.host,
        registered_domain=parts.registered_domain,
        is_ip=parts.is_ip,
        port=parts.port,
    )
