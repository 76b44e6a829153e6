"""Link wrappers and click trackers: where a rewritten link really leads, when the URL says.

The list of services is data (``data/redirectors.yml``). Decoding Proofpoint's formats is
written here because no maintained library does it (Proofpoint publishes only a script).
Nothing is ever fetched: an opaque tracker stays opaque.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import parse_qs, unquote

import yaml

from seawall.mail.domains import UrlParts

MAX_UNWRAP = 3


@dataclass(frozen=True)
class Wrapper:
    name: str
    hosts: frozenset[str]
    path: re.Pattern[str] | None
    params: tuple[str, ...]
    decode: str


@dataclass(frozen=True)
class Unwrapped:
    """The outcome for one link: the destination when known, and what it went through."""

    destination: str | None
    via: str
    opaque: bool


def _host_matches(host: str, hosts: frozenset[str]) -> bool:
    if host in hosts:
        return True
    parts = host.split(".")
    return any(".".join(parts[i:]) in hosts for i in range(1, len(parts) - 1))


def _proofpoint_v2(value: str) -> str:
    # v2 replaces "%" by "-" and "/" by "_" before URL-quoting.
    return unquote(value.replace("-", "%").replace("_", "/"))


_PROOFPOINT_V3 = re.compile(r"^/v3/__(?P<url>.+?)__;(?P<chars>[^!]*)!")


def _proofpoint_v3(path_and_query: str) -> str | None:
    match = _PROOFPOINT_V3.match(path_and_query)
    if not match:
        return None
    url = match.group("url")
    # "*" marks characters carried base64-encoded after ";"; keep the URL's skeleton (the
    # host never contains them) by dropping the markers.
    return url.replace("*", "")


def _bing_click(value: str) -> str:
    """Bing's click redirect carries its destination as ``u=a1`` + URL-safe base64 (no
    padding); phishing uses it to hide a link behind bing.com."""
    if not value.startswith("a1"):
        return ""
    encoded = value[2:]
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return ""


class Redirectors:
    def __init__(self, wrappers: list[Wrapper], trackers: frozenset[str]) -> None:
        self.wrappers = wrappers
        self.trackers = trackers
        self._cache: dict[str, tuple[list[Wrapper], bool]] = {}

    def _classify(self, host: str) -> tuple[list[Wrapper], bool]:
        """Wrappers serving this host, and whether it is a tracker (cached per host)."""
        known = self._cache.get(host)
        if known is None:
            if len(self._cache) > 65536:
                self._cache.clear()
            known = (
                [w for w in self.wrappers if _host_matches(host, w.hosts)],
                _host_matches(host, self.trackers),
            )
            self._cache[host] = known
        return known

    def unwrap(self, url: str, host: str = "") -> Unwrapped | None:
        """None for an ordinary link; else the destination (or that it is opaque)."""
        if host:
            wrappers, tracker = self._classify(host)
            if not wrappers and not tracker:
                return None
        via: list[str] = []
        current = url
        for _ in range(MAX_UNWRAP):
            parts = UrlParts(current)
            host = parts.host
            if not host:
                break
            wrappers, tracker = self._classify(host)
            wrapper = next((w for w in wrappers if w.path is None or w.path.search(parts.path)), None)
            if wrapper is None:
                if tracker:
                    via.append(f"tracker {host}")
                    return Unwrapped(None, " -> ".join(via), opaque=True)
                break
            destination: str | None = None
            if wrapper.decode == "proofpoint_v3":
                destination = _proofpoint_v3(parts.path + ("?" + parts.query if parts.query else ""))
            else:
                query = parse_qs(parts.query)
                for param in wrapper.params:
                    if query.get(param):
                        destination = query[param][0]
                        break
                if destination and wrapper.decode == "proofpoint_v2":
                    destination = _proofpoint_v2(destination)
                elif destination and wrapper.decode == "bing_click":
                    destination = _bing_click(destination)
            via.append(wrapper.name)
            if not destination or "://" not in destination[:12]:
                return Unwrapped(None, " -> ".join(via), opaque=True)
            current = destination
        if not via:
            return None
        return Unwrapped(current, " -> ".join(via), opaque=False)


@cache
def default_redirectors() -> Redirectors:
    text = resources.files("seawall.detect").joinpath("data/redirectors.yml").read_text("utf-8")
    data = yaml.safe_load(text)
    wrappers = []
    for entry in data.get("wrappers", []):
        params = entry.get("param") or []
        wrappers.append(
            Wrapper(
                name=entry["name"],
                hosts=frozenset(h.lower() for h in entry["hosts"]),
                path=re.compile(entry["path"]) if entry.get("path") else None,
                params=tuple(params if isinstance(params, list) else [params]),
                decode=entry.get("decode", ""),
            )
        )
    return Redirectors(wrappers, frozenset(t.lower() for t in data.get("trackers", [])))
