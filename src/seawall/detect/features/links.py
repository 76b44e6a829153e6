"""Features of where the message sends its reader: every link's real destination (unwrapped
where a wrapper says it), lookalikes, trackers, hosting, and whether the sender stands behind them."""

from __future__ import annotations

import base64
import ipaddress
import re
from functools import cache
from urllib.parse import parse_qs

from seawall.detect.features.context import _LETTERS, FeatureContext, _Add, _host_in, _Lookalike, _tld
from seawall.detect.protected import ProtectedSet
from seawall.mail.domains import domain_shown_in_text, is_ip_literal, registered_domain
from seawall.mail.links import make_link
from seawall.mail.model import Link, ParsedMessage


def _server_program(path: str, extension: str, url: str) -> bool:
    """Whether a link runs a program on the web server instead of downloading it.

    IIS's ISAPI extensions are DLLs called with a query ("eBayISAPI.dll?ViewItem") and CGI
    programs live under a cgi directory ("/cgi-win/client.exe?readers"): both answer with a
    page. A download keeps its extension's risk even with a query (a chat CDN's
    "setup.exe?ex=..." is a file)."""
    called = len(url) > len(path) and url[len(path)] == "?"
    if not called:
        return False
    return extension == "dll" or "/cgi" in path.lower()


_RISKY_LINK_EXTENSIONS = frozenset(
    {
        "exe",
        "scr",
        "msi",
        "bat",
        "cmd",
        "pif",
        "cpl",
        "js",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "hta",
        "ps1",
        "lnk",
        "iso",
        "img",
        "vhd",
        "vhdx",
        "jar",
        "apk",
        "dll",
        "one",
        "msix",
        "appx",
        "appinstaller",
        "xll",
        "reg",
    }
)


_IPFS_HOSTS = frozenset(
    {
        "ipfs.io",
        "dweb.link",
        "cloudflare-ipfs.com",
        "mypinata.cloud",
        "nftstorage.link",
        "w3s.link",
        "4everland.link",
        "fleek.co",
        "infura-ipfs.io",
    }
)


def _hides_its_address(link: Link, host: str, url: str, owners: ProtectedSet) -> bool:
    """Whether a link to a bare IP address keeps the reader from seeing it: words or another
    address as the anchor's text, or a brand's domain in the path passing for the host
    ("http://203.0.113.9/signin.ebay.com/"). A URL shown as itself hides nothing (2001
    newsletters linked to their servers' addresses in plain text)."""
    path = url.split("//", 1)[-1].partition("/")[2].split("?", 1)[0]
    for segment in path.split("/"):
        shown = domain_shown_in_text(segment)
        if shown and owners.owner_of(shown) is not None:
            return True
    return link.where == "html_anchor" and host not in (link.text or "")


def _shows_a_host(userinfo: str) -> bool:
    """Whether the part of a URL before "@" shows a host a reader would take for the
    destination ("www.paypal.com@203.0.113.9", "ebay.com:signin@..."); a mail address
    mangled into a link ("http://consulting@scientech.com") shows none and hides nothing."""
    shown = userinfo.split(":", 1)[0]
    return bool(domain_shown_in_text(shown)) or is_ip_literal(shown)


# RFC 1918, loopback, link-local and unique-local ranges (not the documentation ranges, which
# ipaddress also calls private and which phishing examples use).
_LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)


def _private_address(host: str) -> bool:
    """A link to 10.x, 192.168.x, localhost...: a device on the reader's own network, which a
    phishing page cannot be (engineers mail such links about their test benches)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in _LOCAL_NETWORKS if network.version == address.version)


@cache
def _base64_forms(address: str) -> tuple[str, ...]:
    raw = address.encode("utf-8")
    forms = {base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return tuple(sorted(f for f in forms if len(f) >= 8))


def _links(
    message: ParsedMessage,
    context: FeatureContext,
    own_domains: frozenset[str],
    lookalike: _Lookalike,
    add: _Add,
) -> None:
    links = message.links
    add("link.count", len(links), "body")
    domains: set[str] = set()
    recipient_addresses = [r.address for r in message.recipients if "@" in r.address]
    owners = context.brands.static
    sender = message.from_
    sender_domain = (registered_domain(sender.domain) or sender.domain) if sender is not None else ""
    tracked = False
    # Every link to a protected brand's own site (its sign-in, account, support pages, not a
    # host where anyone publishes): the reader is sent to the brand itself, not to a stranger's
    # page ("IT Service Desk" <it@petroco-energy.com> linking passwordreset.microsoftonline.com).
    only_brand_sites = True
    for index, link in enumerate(links):
        where = f"link[{index}]" if link.source == "body" else f"link[{index}] in {link.source}"
        url = link.url
        scheme = link.scheme
        add("link.url", url, where)
        if scheme == "data":
            add("link.data_uri", url[:60], where)
            continue
        if scheme == "javascript":
            add("link.javascript_uri", url[:80], where)
            continue
        if scheme == "ipfs" or _host_in(link.host, _IPFS_HOSTS) or "/ipfs/" in url[:200]:
            add("link.ipfs", url, where)
        if scheme not in ("http", "https", "ftp", "") or not link.host:
            continue
        # A link-protection wrapper (Safe Links, URL Defense...) is judged by the destination
        # it carries; an ESP click tracker hides its destination, so its text is not compared.
        unwrapped = context.redirectors.unwrap(url, link.host)
        target = link
        opaque = False
        if unwrapped is not None:
            if unwrapped.opaque:
                opaque = tracked = True
                add("link.tracked", unwrapped.via, where)
            elif unwrapped.destination:
                target = make_link(unwrapped.destination, link.where, link.source, link.text)
                where = f"{where} via {unwrapped.via}"
                add("link.url", target.url, where)
        host = target.host
        reg = target.registered_domain
        if not host:
            continue
        if reg:
            domains.add(reg)
            add("link.domain", reg, where)
        if target.is_ip and not _private_address(host):
            add("link.ip_literal", host, where)
            if _hides_its_address(link, host, target.url, owners):
                add("link.ip_literal_hidden", host, where)
        shortener = _host_in(host, context.shorteners)
        if shortener:
            add("link.shortener", shortener, where)
        hosting = _host_in(host, context.free_hosting)
        if hosting:
            add("link.free_hosting", hosting, where)
        if not (
            reg
            and not target.is_ip
            and owners.owner_of(reg)
            and not hosting
            and not shortener
            and not _host_in(host, context.user_content)
        ):
            only_brand_sites = False
        if host.startswith("xn--") or ".xn--" in host:
            add("link.punycode", host, where)
        if reg and reg not in own_domains:
            imitation = lookalike(reg, host)
            if imitation:
                add("link.lookalike", imitation[0], f"{where} ({imitation[1]})")
        tld = _tld(reg)
        if tld in context.suspicious_tlds:
            add("link.suspicious_tld", tld, where)
        if target.port is not None and target.port not in (80, 443, 8080, 8443):
            add("link.nonstandard_port", target.port, where)
        target_url = target.url
        authority = target_url.split("//", 1)[-1].split("/", 1)[0]
        if "@" in authority and _shows_a_host(authority.rpartition("@")[0]):
            add("link.userinfo", target_url[:200], where)
        if link.where != "text" and _ESCAPED.search(authority):
            # "http://%64%38%31…%63%6F%6D/" behind an anchor's words: the browser decodes the
            # host, the reader cannot. Written out in a plain-text body it hides nothing (a list
            # post quoting a spam's URL to discuss it).
            add("link.escaped_host", target_url[:200], where)
        path = target_url.split("?", 1)[0].split("#", 1)[0]
        slash = path.rfind("/")
        last = path[slash + 1 :].lower() if slash >= 0 else ""
        if "." in last and "@" not in last and slash > target_url.find("//") + 1:
            extension = last.rsplit(".", 1)[-1]
            # A host named without a domain ("nahou-dmagn01p") resolves only inside the
            # reader's own network: no outsider serves a payload from there.
            intranet = "." not in host and not target.is_ip
            if (
                extension in _RISKY_LINK_EXTENSIONS
                and not intranet
                and not _server_program(path, extension, target_url)
            ):
                add("link.dangerous_file", extension, where)
        if link.where == "html_anchor" and link.text and not opaque:
            shown = domain_shown_in_text(link.text)
            if shown and reg and shown != reg:
                carried = _carried_destination(target_url)
                if carried is not None:
                    # A redirect that carries its destination: judge the destination.
                    reg = carried.registered_domain or reg
                elif sender_domain and reg == sender_domain and _own_tracker(target.host, path):
                    # The sender's own click tracker (links.example.org/c/...): it hides the
                    # destination, and it is the sender's domain the reader is sent to.
                    add("link.tracked", f"own tracker {target.host}", where)
                    reg = shown
            if shown and reg and shown != reg:
                shown_owner = owners.owner_of(shown)
                if shown_owner is None or shown_owner != owners.owner_of(reg):
                    add("link.text_domain_mismatch", f"{shown} -> {reg}", where)
        if recipient_addresses:
            head, _, fragment = target_url.partition("#")
            for address in recipient_addresses:
                encoded = _base64_forms(address)
                if address in fragment.lower() or any(form in fragment for form in encoded):
                    add("link.recipient_in_fragment", address, where)
                elif address in head.lower() or any(form in head for form in encoded):
                    add("link.recipient_in_url", address, where)
    add("link.domain_count", len(domains), "body")
    sender_owner = owners.owner_of(sender_domain) if sender_domain else None
    if (
        domains
        and sender_domain
        and not tracked
        and not only_brand_sites
        and not any(
            _domains_related(sender_domain, d) or (sender_owner and owners.owner_of(d) == sender_owner)
            for d in domains
        )
    ):
        add("link.unrelated_to_sender", ", ".join(sorted(domains)[:3]), "body")


def _domains_related(first: str, second: str) -> bool:
    """The same registered domain, or one that shares a word of four letters or more with it
    (``fredupton.com`` and ``uptonforallofus.com``; ``chase.com`` and ``chaseonline.com``)."""
    if first == second:
        return True
    words = [w for w in _LETTERS.findall(first.rsplit(".", 1)[0]) if len(w) >= 4]
    other = second.rsplit(".", 1)[0]
    return any(w in other for w in words) or any(w in first for w in _LETTERS.findall(other) if len(w) >= 4)


_TRACKER_LABELS = frozenset(
    {
        "links",
        "link",
        "lnk",
        "click",
        "clicks",
        "email",
        "e",
        "t",
        "track",
        "tracking",
        "go",
        "act",
        "em",
        "r",
        "l",
        "url",
        "trk",
        "mail",
        "news",
        "info",
    }
)


_ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}")
"""A percent escape, in a URL's host part only: hosts are names, and no one who wants a reader
to see where a link goes writes one in escapes."""
_TRACKER_PATH = re.compile(
    r"(?:^|/)(?:click|clicks|c|t|l|r|f|u|ls|track|trk|redirect|redir|page/m)(?:/|$)", re.IGNORECASE
)


def _own_tracker(host: str, path: str) -> bool:
    """Whether a link on the sender's own domain looks like its click tracker."""
    first = host.split(".", 1)[0]
    tail = path.split("//", 1)[-1].partition("/")[2]
    return first in _TRACKER_LABELS or bool(_TRACKER_PATH.search("/" + tail))


_BASE64_QUERY = re.compile(r"[A-Za-z0-9+/_-]{24,4096}={0,2}")


def _base64_text(query: str) -> str | None:
    """A query that is base64 of printable text, decoded; None for anything else."""
    if not _BASE64_QUERY.fullmatch(query):
        return None
    body = query.rstrip("=")
    try:
        text = base64.urlsafe_b64decode(body.replace("+", "-").replace("/", "_") + "=" * (-len(body) % 4))
        decoded = text.decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded if decoded.isprintable() else None


def _carried_destination(url: str) -> Link | None:
    """The destination a redirect URL carries in its query (``?redirect=https%3a%2f%2f…``)."""
    query = url.partition("?")[2]
    if "http" not in query.lower():
        # link-protection gateways (Sophos's among them) carry "…&url=https%3A…" base64-encoded
        decoded = _base64_text(query)
        if decoded is None or "http" not in decoded.lower():
            return None
        query = decoded
    for _name, values in parse_qs(query, keep_blank_values=False).items():
        for value in values:
            if value[:8].lower().startswith(("http://", "https://")):
                link = make_link(value, "text")
                if link.host:
                    return link
    return None
