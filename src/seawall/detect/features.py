"""ParsedMessage -> named features, each mapped to the places it was found.

Features are computed once per message, in one pass, and every rule reads them. Like capa's
``{feature: {locations}}``, each feature keeps its hits: the value found and where
(``header:From``, ``link[3]``, ``attachment:invoice.zip/run.exe``, ``subject``, ``body``),
so a rule that matches can say exactly what triggered it. ``FEATURES`` documents every name;
the rule loader rejects a rule that uses a name not listed there.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Protocol
from urllib.parse import parse_qs

import msgspec

from seawall.config import Settings
from seawall.detect.lexicon import Lexicon, default_lexicon, normalise_words
from seawall.detect.protected import BrandBook, ProtectedSet, organisation_brand_book
from seawall.detect.redirectors import Redirectors, default_redirectors
from seawall.mail.domains import domain_shown_in_text, email_domain, is_ip_literal, registered_domain
from seawall.mail.headers import angle_stripped
from seawall.mail.links import make_link
from seawall.mail.model import AuthResults, HtmlInfo, Link, ParsedMessage

FeatureValue = str | int | float | bool


class Hit(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One occurrence of a feature: its value and where in the message it was found."""

    feature: str
    value: FeatureValue
    where: str


Features = dict[str, list[Hit]]

FEATURES: dict[str, str] = {
    # sender
    "from.address": "the From address",
    "from.domain": "the From domain",
    "from.registered_domain": "the registered domain of the From address",
    "from.display_name": "the From display name",
    "from.missing": "no usable From address",
    "from.multiple": "more than one From address",
    "from.freemail": "From is a free webmail address",
    "from.own_domain": "From uses one of the organisation's (or recipients') own domains",
    "from.brand_domain": "From uses a protected brand's own domain, not its webmail (value: brand)",
    "from.suspicious_tld": "From is under a top-level domain with high abuse rates (value: tld)",
    "from.restricted_registry": "From is under a government-only registry such as .gov (value: suffix)",
    "from.display_name_brand": "display name claims a protected brand the sender is not (value: brand)",
    "from.display_name_own_org": "display name claims the organisation while the sender is external",
    "from.display_name_executive": "display name is one of the organisation's executives; sender external",
    "from.display_name_it_role": "display name claims an IT / mail-system role; sender external",
    "from.display_name_address": "display name holds an address of another domain (value: that address)",
    "from.display_name_mixed_script": "display name mixes Latin with Cyrillic or Greek letters",
    "from.list_rewrite": "display name 'X via List': a mailing list rewrote From (DMARC mitigation)",
    "from.display_name_unrelated": "display name names nobody its (non-webmail) address does",
    "from.lookalike": "From domain imitates a protected domain (value: imitated domain; where: kind)",
    "from.display_name_names_links": "the display name spells the site every link goes to (value: the names)",
    "from.brand_wrapped_linking_brand": "From wraps a brand's name in other words, but every link is "
    "that brand's own (value: brand's domain)",
    "from.punycode": "From domain is internationalised (xn--)",
    "sender.diverges": "Sender header domain differs from From",
    "reply_to.diverges": "Reply-To registered domain differs from From (value: Reply-To domain)",
    "reply_to.freemail": "Reply-To is free webmail while From is not",
    "reply_to.lookalike": "Reply-To domain imitates a protected domain",
    "return_path.diverges": "Return-Path registered domain differs from From",
    "message_id.missing": "no Message-ID",
    "message_id.domain_mismatch": "Message-ID domain unrelated to From, not a mail platform (value: it)",
    "date.missing": "no Date header",
    "subject.text": "the subject",
    "subject.fake_reply": "subject says RE:/FW: but no In-Reply-To or References header",
    "subject.mixed_script": "subject words mix Latin with Cyrillic or Greek letters",
    "subject.invisible_chars": "subject contains zero-width or bidi control characters",
    "thread.reply": "the message answers another (In-Reply-To or References present)",
    "recipients.count": "number of To and Cc recipients",
    "list.id": "the List-Id header (mailing-list traffic)",
    "list.from_is_list": "From is the mailing list's own address (list rewriting, DMARC mitigation)",
    "recipients.undisclosed": "no visible recipient, or only the sender",
    # authentication (only from trusted authserv-ids)
    "auth.trusted": "a trusted Authentication-Results header is present",
    "auth.spf": "SPF result from a trusted receiver (value: pass, fail, softfail...)",
    "auth.dkim": "DKIM result from a trusted receiver",
    "auth.dmarc": "DMARC result from a trusted receiver",
    "auth.dmarc_policy": "the From domain's published DMARC policy as the receiver reports it (none...)",
    "auth.arc": "ARC result from a trusted receiver",
    "auth.aligned_pass": "DMARC pass, or DKIM pass aligned with the From domain, from a trusted receiver",
    # links
    "link.url": "every link URL",
    "link.domain": "the registered domain of every link",
    "link.count": "number of links",
    "link.domain_count": "number of distinct link domains",
    "link.text_domain_mismatch": "anchor text shows one domain, href goes to another ('shown -> real')",
    "link.ip_literal": "link to a bare IP address",
    "link.ip_literal_hidden": "link to a bare IP address hidden from the reader (anchor text, brand in path)",
    "link.shortener": "link through a URL shortener",
    "link.free_hosting": "link to free hosting, a site builder, form service or tunnel",
    "link.punycode": "link host is internationalised (xn--)",
    "link.lookalike": "link domain imitates a protected domain",
    "link.userinfo": "URL with user@ before the host (http://paypal.com@evil.example)",
    "link.suspicious_tld": "link under a top-level domain with high abuse rates",
    "link.nonstandard_port": "http(s) link with an explicit unusual port",
    "link.dangerous_file": "link path ends in an executable or script extension (value: extension)",
    "link.data_uri": "data: link (content carried inside the mail)",
    "link.javascript_uri": "javascript: link",
    "link.ipfs": "link to an IPFS gateway or ipfs:// URL",
    "link.recipient_in_url": "a recipient's address (plain or base64) inside a URL",
    "link.recipient_in_fragment": "a recipient's address (plain or base64) after # (phishing-kit pre-fill)",
    "link.brand_mismatch": "a brand named in the text, links to none of its domains (value: brand)",
    "link.brand_mismatch_claimed": "the subject names a brand whose domains no link leads to (value: brand)",
    "link.tracked": "link through an ESP click tracker whose destination is not in the URL (value: tracker)",
    "link.unrelated_to_sender": "no link leads to a domain related to the sender's",
    # html
    "html.password_form": "HTML with a password field (where: body or attachment)",
    "html.form_external": "HTML form posting to an external http(s) address",
    "html.smuggling": "script that assembles a file in the browser (Blob / data URI + download)",
    "html.obfuscated_script": "script using eval / unescape / atob / fromCharCode",
    "html.script_redirect": "script or meta refresh sending the reader elsewhere",
    "html.hidden_text_chars": "characters of text hidden from the reader",
    "html.tiny_text_chars": "characters of text in zero or one-pixel fonts",
    "html.image_only": "almost no visible text, but images and a link",
    # attachments
    "attachment.count": "number of attachments (including archive members)",
    "attachment.name": "every attachment file name",
    "attachment.extension": "every attachment extension (where: its path)",
    "attachment.sniffed_type": "every attachment's real MIME type",
    "attachment.double_extension": "name like invoice.pdf.exe",
    "attachment.type_mismatch": "declared extension disagrees with the real type (value: 'ext -> type')",
    "attachment.rtlo": "file name with bidi override characters",
    "attachment.encrypted_archive": "password-protected archive",
    "attachment.archive_password_in_body": "encrypted archive, password in the body (value: password)",
    "attachment.in_archive_extension": "extension of a file inside an archive",
    "attachment.macros": "Office document with VBA macros",
    "attachment.macro_autoexec": "macro runs itself on open (value: trigger)",
    "attachment.macro_suspicious": "macro uses a suspicious call (value: keyword)",
    "attachment.pdf_risky": "PDF with JavaScript, launch actions or embedded files (value: name)",
    "attachment.html": "HTML or SVG attachment",
    "attachment.is_message": "attached e-mail message",
    # language
    "text.language": "language of the visible text (en, de, pt, fr, nl, es, unknown)",
    "text.length": "characters of visible text",
    "text.urgency": "urgency or deadline language (where: subject/body; value: phrase)",
    "text.credential_request": "asks to verify, confirm or re-enter credentials",
    "text.account_threat": "threatens suspension or reports suspicious activity",
    "text.payment_request": "asks for a transfer or announces changed bank details",
    "text.gift_card": "asks for gift cards",
    "text.secrecy": "asks for availability or secrecy (CEO-fraud opening)",
    "text.generic_greeting": "addresses the reader as 'dear customer'",
    "text.document_lure": "a shared document, fax or voicemail waiting",
    "text.delivery_lure": "a parcel held, a delivery or customs fee",
    "text.prize_lure": "a prize, refund or reward to claim",
    "text.extortion": "claims of a hacked device or recorded video, demands for bitcoin",
    "text.brand": "a protected brand named in the subject or text (value: brand)",
    # parse
    "defect": "a parse defect (value: kind)",
}

BODY_WORDS_CHARS = 5000
"""The body's words are read from its first 5,000 characters (features and model alike)."""
_LEXICON_FEATURES = {
    "extortion",
    "urgency",
    "credential_request",
    "account_threat",
    "payment_request",
    "gift_card",
    "secrecy",
    "generic_greeting",
    "document_lure",
    "delivery_lure",
    "prize_lure",
}

# Reply prefixes only: a forward (FW:, WG:, TR:) legitimately starts a new thread.
_FAKE_REPLY = re.compile(r"^\s*(?:re|aw|res|sv|antw|vs)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_QUOTED_LINE = re.compile(r"^[ \t]*>[ \t]*\S", re.MULTILINE)
# What a top-posted reply carries instead of "> " lines: the mail client's separator or the
# original's header block ("From: ... / Sent: ..."), as Outlook, Lotus and webmail write it in
# the languages our mail comes in.
_QUOTED_ORIGINAL = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:original message|urspr[üu]ngliche nachricht|message d'origine|"
    r"mensaje original|mensagem original|oorspronkelijk bericht)[ \t]*-{2,}"
    r"|(?:from|von|de|van):[^\n]*\n[ \t]*"
    r"(?:sent|gesendet|envoy[ée]|enviado|verzonden|date|datum|fecha|data):)",
    re.MULTILINE | re.IGNORECASE,
)
_WORD_RUN = re.compile(r"\w+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_GREEK_OR_CYRILLIC = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")


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


_QUOTED_LINES = re.compile(r"^[ \t]*>[^\n]*\n?", re.MULTILINE)


def _own_words(text: str) -> str:
    """The text without its "> " quoted lines: what the writer quotes is someone else's (a
    list reply quoting "a gpg encrypted message"); a lure that rides on a real thread writes
    its request above the quote."""
    return _QUOTED_LINES.sub("", text) if ">" in text else text


def _answers_something(text: str) -> bool:
    """Whether a text quotes what it replies to ("> " lines or the original's header block)."""
    return bool(_QUOTED_LINE.search(text[:3000]) or _QUOTED_ORIGINAL.search(text[:20000]))


def _mixed_script(text: str) -> bool:
    """A word that mixes Latin with Greek or Cyrillic letters ("Pаypal" with a Cyrillic a).
    Word by word, so that one long word costs its length once (a pair of look-aheads over
    every position of a 100 KB word took minutes)."""
    return any(
        _LATIN_LETTER.search(word) and _GREEK_OR_CYRILLIC.search(word)
        for word in (match.group(0) for match in _WORD_RUN.finditer(text))
    )


# "Jane Doe via USRP-users", "'Jane Doe' via Google Groups": Mailman and Google Groups put
# the poster in Reply-To and the list in From when the poster's domain publishes DMARC.
_VIA_LIST = re.compile(r"\bvia\s+([\w .@'-]{2,60})$", re.IGNORECASE)


def _is_list_address(list_name: str, address: str) -> bool:
    """Whether the From address is that list's own address (the rewrite's other half)."""
    squeeze = re.compile(r"[^a-z0-9]")
    name = squeeze.sub("", list_name.lower())
    local, _, domain = address.partition("@")
    return bool(name) and (
        name in squeeze.sub("", local) or domain.startswith("lists.") or domain == "googlegroups.com"
    )


_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
# Starts only where an address can start, and a local part is at most 64 characters: the
# unanchored "[\w.+-]+@" tried every position of a long word and scanned to its end each time.
_EMAIL_IN_TEXT = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@([\w-]+(?:\.[\w-]+)+)")
_SMUGGLING = re.compile(
    r"(?:new\s+Blob\s*\(|msSaveOrOpenBlob|msSaveBlob|createObjectURL\s*\(|\.download\s*=|"
    r"setAttribute\(\s*['\"]download|data:application/(?:octet-stream|x-msdownload|zip|x-zip|"
    r"vnd\.ms-|x-iso9660)|navigator\.msSaveBlob)",
    re.IGNORECASE,
)
_OBFUSCATION = re.compile(
    r"(?:\beval\s*\(|\bunescape\s*\(|\batob\s*\(|String\.fromCharCode|\\x[0-9a-f]{2}\\x[0-9a-f]{2}\\x|"
    r"document\.write\s*\(\s*(?:unescape|atob|decodeURIComponent))",
    re.IGNORECASE,
)
_SCRIPT_REDIRECT = re.compile(
    r"(?:window\.location|document\.location|location\.href|location\.replace|location\.assign|"
    r"window\.open)\s*[=(]",
    re.IGNORECASE,
)
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
_DANGEROUS_TYPES_FOR_DOCS = (
    "application/x-dosexec",
    "application/x-msdownload",
    "application/vnd.microsoft.portable-executable",
    "application/x-executable",
    "application/x-ms-shortcut",
    "application/x-iso9660-image",
    "text/html",
    "application/zip",
    "application/x-rar",
    "application/x-7z-compressed",
    "application/hta",
    "application/javascript",
    "text/javascript",
    "application/x-sharedlib",
)
_DOCUMENT_EXTENSIONS = frozenset(
    {
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "txt",
        "rtf",
        "csv",
        "odt",
    }
)
_ARCHIVE_EXTENSIONS = frozenset(
    {"zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "cab", "ace", "arj", "lzh", "z", "iso", "img"}
)
_DOMAIN_ENDING = re.compile(r"\.[a-zA-Z]{2,6}(?:/|$)")


_LETTERS = re.compile(r"[a-z]{3,}")
_EXPORT_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "mime-version"}
    | {"content-type", "content-transfer-encoding"}
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


def _names_related(display_name: str, address: str) -> bool:
    """Whether a display name and the address it comes with name the same sender.

    Real senders' names recur in their address ("Energy Weekly" <news@energyweekly.com>,
    "Kay Mann" <kmann@...>, initials); a lure's borrowed name ("Stellar.org",
    "Lowes") rarely does. Compared on letters only, so any Latin-script language works."""
    words = _LETTERS.findall(" ".join(normalise_words(display_name)))
    if not words:
        return True  # nothing to compare (digits, another script)
    local, _, domain = address.lower().partition("@")
    address_words = _LETTERS.findall(local) + _LETTERS.findall(" ".join(domain.split(".")[:-1]))
    address_letters = "".join(address_words)
    name_letters = "".join(words)
    if any(word in address_letters for word in words):
        return True
    if any(len(word) >= 4 and word in name_letters for word in address_words):
        return True
    initials = "".join(word[0] for word in words)
    return len(initials) >= 2 and initials in address_letters


def _without_addresses(text: str) -> str:
    """The text without addresses, URLs and host names ("x@google.com", "github.com/org")."""
    return " ".join(
        token
        for token in text.split()
        if "@" not in token
        and "://" not in token
        and not ("." in token and _DOMAIN_ENDING.search(token.rstrip(".,;:!?)")))
    )


_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _tld(registered: str) -> str:
    """The top-level domain of a registered domain ("" for none)."""
    return registered.rsplit(".", 1)[-1] if registered else ""


def _same_government(registry: str, brand_domains: Iterable[str], context: FeatureContext) -> bool:
    """Whether a sender under a government-only ``registry`` speaks for a brand that is a body
    of that same government (a domain of the brand lies under it)."""
    return bool(registry) and any(
        _restricted_registry(domain, context.restricted_registries) == registry for domain in brand_domains
    )


def _restricted_registry(domain: str, registries: frozenset[str]) -> str:
    """The government-only suffix ``domain`` lies under ("gov" for mail.house.gov), or ""."""
    labels = domain.lower().rstrip(".").split(".")
    for start in range(1, len(labels)):
        suffix = ".".join(labels[start:])
        if suffix in registries:
            return suffix
    return ""


def data_lines(name: str, package: str = "seawall.detect") -> frozenset[str]:
    """A shipped list (one lower-cased entry per line, ``#`` comments) from ``<package>/data``."""
    text = resources.files(package).joinpath(f"data/{name}").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


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


def _host_in(host: str, suffixes: frozenset[str]) -> str:
    """The listed suffix that ``host`` equals or is a subdomain of, or ``""``."""
    if host in suffixes:
        return host
    position = host.find(".")
    while position >= 0:
        candidate = host[position + 1 :]
        if candidate in suffixes:
            return candidate
        position = host.find(".", position + 1)
    return ""


@dataclass(frozen=True)
class FeatureContext:
    """What feature extraction needs beyond the message: lists, lexicon, organisation."""

    brands: BrandBook
    lexicon: Lexicon
    own_domains: frozenset[str]
    executives: tuple[tuple[str, ...], ...]
    trusted_authserv_ids: frozenset[str]
    protect_recipient_domains: bool
    freemail: frozenset[str]
    shorteners: frozenset[str]
    free_hosting: frozenset[str]
    mail_platforms: frozenset[str]
    suspicious_tlds: frozenset[str]
    redirectors: Redirectors
    restricted_registries: frozenset[str] = frozenset()
    user_content: frozenset[str] = frozenset()
    trust_microsoft365: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> FeatureContext:
        org = settings.organisation
        return cls(
            brands=organisation_brand_book(org.name, tuple(org.names), tuple(org.domains)),
            lexicon=default_lexicon(),
            own_domains=frozenset(registered_domain(d) or d.lower() for d in org.domains),
            executives=tuple(tuple(normalise_words(e)) for e in org.executives if normalise_words(e)),
            trusted_authserv_ids=frozenset(a.lower() for a in settings.authentication.trusted_authserv_ids),
            trust_microsoft365=settings.authentication.microsoft365,
            protect_recipient_domains=org.protect_recipient_domains,
            freemail=data_lines("freemail.txt"),
            shorteners=data_lines("shorteners.txt"),
            free_hosting=data_lines("free_hosting.txt"),
            mail_platforms=data_lines("mail_platforms.txt"),
            suspicious_tlds=data_lines("suspicious_tlds.txt"),
            restricted_registries=data_lines("restricted_registries.txt"),
            user_content=data_lines("user_content.txt"),
            redirectors=default_redirectors(),
        )


@lru_cache(maxsize=256)
def _recipient_protected(domains: frozenset[str], generic: frozenset[str]) -> ProtectedSet:
    # Recipients' domains are protected against imitations of the name itself, not against
    # another suffix (companies own several) or the name as a subdomain of someone else's.
    protected = ProtectedSet(
        generic_labels=generic,
        tld_swap_owners=frozenset(),
        max_typo_distance=1,
        allowed_kinds=frozenset({"homoglyph", "hyphenation", "typo", "subdomain", "brand_in_domain"}),
    )
    for domain in sorted(domains):
        protected.add(domain, "recipient domain")
    return protected


@cache
def _base64_forms(address: str) -> tuple[str, ...]:
    raw = address.encode("utf-8")
    forms = {base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return tuple(sorted(f for f in forms if len(f) >= 8))


class _Add(Protocol):
    def __call__(self, name: str, value: FeatureValue = True, where: str = "message") -> None: ...


class _Lookalike(Protocol):
    def __call__(self, domain: str, host: str = "") -> tuple[str, str] | None: ...


class _Collector:
    """Accumulates hits; a tiny helper so extraction code reads as a list of facts."""

    __slots__ = ("features",)

    def __init__(self) -> None:
        self.features: Features = {}

    def add(self, name: str, value: FeatureValue = True, where: str = "message") -> None:
        hit = Hit(name, value, where)
        existing = self.features.get(name)
        if existing is None:
            self.features[name] = [hit]
        else:
            existing.append(hit)


def extract_features(message: ParsedMessage, context: FeatureContext) -> Features:
    """Compute every feature of one message (the only place features are computed)."""
    out = _Collector()
    add = out.add
    sender = message.from_
    from_domain = sender.domain if sender else ""
    from_reg = registered_domain(from_domain) if from_domain else ""

    recipient_domains = frozenset(
        d
        for d in (registered_domain(a.domain) for a in message.recipients if a.domain)
        if d and d not in context.freemail
    )
    # Configured domains are ours; recipients' domains are only protected against lookalikes.
    own_domains = context.own_domains
    protected_domains = own_domains | recipient_domains if context.protect_recipient_domains else own_domains
    recipient_set = (
        _recipient_protected(
            frozenset(recipient_domains - context.brands.static.owners.keys()),
            context.brands.static.generic_labels,
        )
        if context.protect_recipient_domains and recipient_domains
        else None
    )

    def lookalike(domain: str, host: str = "") -> tuple[str, str] | None:
        found = context.brands.static.check(domain, host)
        if found is None and recipient_set is not None and domain not in protected_domains:
            found = recipient_set.check(domain, host)
        if found is None:
            return None
        return found.imitates, found.kind

    # -- sender ---------------------------------------------------------------------------
    if sender is None or "@" not in sender.address:
        add("from.missing", True, "header:From")
    else:
        add("from.address", sender.address, "header:From")
        add("from.domain", from_domain, "header:From")
        add("from.registered_domain", from_reg, "header:From")
        if message.from_count > 1:
            add("from.multiple", message.from_count, "header:From")
        is_own = from_reg in own_domains
        external = not is_own
        if is_own:
            add("from.own_domain", from_reg, "header:From")
        freemail = from_reg in context.freemail
        if freemail:
            add("from.freemail", from_reg, "header:From")
        # gmail.com is Google's, but a gmail.com sender is anyone: the brand is not speaking.
        owner = None if freemail else context.brands.static.owner_of(from_reg)
        if owner:
            add("from.brand_domain", owner, "header:From")
        sender_tld = _tld(from_reg)
        if sender_tld in context.suspicious_tlds:
            add("from.suspicious_tld", sender_tld, "header:From")
        registry = _restricted_registry(from_domain, context.restricted_registries)
        if registry:
            add("from.restricted_registry", registry, "header:From")
        if from_domain.startswith("xn--") or ".xn--" in from_domain:
            add("from.punycode", from_domain, "header:From")
        imitation = lookalike(from_reg, from_domain)
        if imitation:
            add("from.lookalike", imitation[0], f"header:From ({imitation[1]})")
        name = sender.display_name
        if name:
            add("from.display_name", name, "header:From")
            words = normalise_words(name)
            for brand, keyword in context.brands.claimed_brands(words):
                if brand is context.brands.organisation:
                    if external:
                        add("from.display_name_own_org", keyword, "header:From")
                elif from_reg not in brand.domains and not _same_government(registry, brand.domains, context):
                    # (a government body named from its government's own registry is that
                    # government speaking: "HMRC" <noreply@tax.service.gov.uk>; nobody else can
                    # register under gov.uk)
                    add("from.display_name_brand", brand.name, "header:From")
            if external:
                for executive in context.executives:
                    if _contains_sequence(words, executive):
                        add("from.display_name_executive", " ".join(executive), "header:From")
                role = context.lexicon.it_role(words)
                # Outside which organisation? Without configured domains only a role the
                # address does not carry claims someone else's IT ("IT Support"
                # <user@hotel.id>); "NOI Administrator" <admin@networksonline.com> is theirs.
                # No IT department writes from webmail.
                # Without configured domains, the reader's own domain is the organisation's: an
                # HR or IT role writing from it ("Ressources humaines" <rh@example.org> to
                # maria@example.org) is that organisation's own; a forgery of it is for the
                # authentication rules to catch.
                internal = not own_domains and from_reg in recipient_domains
                if (
                    role
                    and not internal
                    and (own_domains or freemail or not _names_related(name, sender.address))
                ):
                    add("from.display_name_it_role", role, "header:From")
            for match in _EMAIL_IN_TEXT.finditer(name):
                shown = registered_domain(match.group(1).lower())
                if shown and shown != from_reg:
                    add("from.display_name_address", match.group(0).lower(), "header:From")
            if not name.isascii() and _mixed_script(name):
                add("from.display_name_mixed_script", name, "header:From")
            via = _VIA_LIST.search(name)
            if via and _is_list_address(via.group(1), sender.address):
                add("from.list_rewrite", name, "header:From")
            elif not via and not freemail and not _names_related(name, sender.address):
                # (a webmail account's owner picks any handle: "Marcus" <patchvonbraun@gmail.com>)
                add("from.display_name_unrelated", name, "header:From")
        if message.sender is not None and message.sender.domain:
            sender_reg = registered_domain(message.sender.domain)
            if sender_reg and sender_reg != from_reg:
                add("sender.diverges", sender_reg, "header:Sender")
        for reply in message.reply_to:
            reply_reg = registered_domain(reply.domain) if reply.domain else ""
            if reply_reg and reply_reg != from_reg:
                add("reply_to.diverges", reply_reg, "header:Reply-To")
                if reply_reg in context.freemail and from_reg not in context.freemail:
                    add("reply_to.freemail", reply_reg, "header:Reply-To")
                reply_imitation = lookalike(reply_reg, reply.domain)
                if reply_imitation:
                    add("reply_to.lookalike", reply_imitation[0], f"header:Reply-To ({reply_imitation[1]})")
        if message.return_path:
            rp_reg = registered_domain(email_domain(message.return_path))
            if rp_reg and rp_reg != from_reg:
                add("return_path.diverges", rp_reg, "header:Return-Path")

    # A message that kept no header beyond From, To, Subject, Date and MIME (an export, a
    # forwarded report) has lost what its sender wrote: what is missing then says nothing.
    exported = all(header.name.lower() in _EXPORT_HEADERS for header in message.headers)
    if not message.message_id:
        if not exported:
            add("message_id.missing", True, "header:Message-ID")
    elif sender is not None and from_reg:
        mid_domain = email_domain(message.message_id)
        mid_reg = registered_domain(mid_domain) if mid_domain else ""
        if (
            mid_reg
            and mid_reg != from_reg
            and mid_reg not in context.mail_platforms
            and mid_domain not in context.mail_platforms
        ):
            add("message_id.domain_mismatch", mid_reg, "header:Message-ID")
    if not message.date:
        add("date.missing", True, "header:Date")

    subject = message.subject
    if subject:
        add("subject.text", subject, "subject")
        if (
            not exported
            and _FAKE_REPLY.match(subject)
            and not message.header("In-Reply-To")
            and not message.header("References")
            # A list server answering a command quotes it ("> subscribe ...") without threading
            # headers, and a reply exported without them (a mailbox export, a forwarded report)
            # still carries its original; a fake "RE:" lure has nothing it answers.
            and not _answers_something(message.visible_text)
        ):
            add("subject.fake_reply", subject[:80], "subject")
        if not subject.isascii():
            if _mixed_script(subject):
                add("subject.mixed_script", subject[:120], "subject")
            if _INVISIBLE.search(subject):
                add("subject.invisible_chars", len(_INVISIBLE.findall(subject)), "subject")

    if message.header("In-Reply-To") or message.header("References"):
        add("thread.reply", True, "header:In-Reply-To")
    list_id = message.header("List-Id")
    if list_id:
        add("list.id", list_id[:200], "header:List-Id")
        list_domain = registered_domain(angle_stripped(list_id).split("@")[-1].strip(".").lower())
        # Mailing lists rewrite From to the list address (DMARC mitigation) and put the poster
        # in Reply-To: ordinary list traffic, not a diverted conversation.
        if from_reg and (list_domain == from_reg or from_reg in list_id.lower()):
            add("list.from_is_list", from_reg, "header:List-Id")
    recipients = message.recipients
    add("recipients.count", len(recipients), "header:To")
    visible = [r for r in recipients if r.address and (sender is None or r.address != sender.address)]
    if not visible:
        add("recipients.undisclosed", True, "header:To")

    _authentication(message, context, from_reg, add)
    _links(message, context, protected_domains, lookalike, add)
    _brand_wrap_linking_brand(out.features, context.brands.static)
    _name_and_links_agree(out.features, context.brands)
    _html(message, add)
    _attachments(message, add)
    _language(message, context, add, out.features)
    for defect in message.defects:
        add("defect", defect.kind, f"part:{defect.part}" if defect.part else "message")
    return out.features


def _name_and_links_agree(features: Features, brands: BrandBook) -> None:
    """A display name that names the site every reader is sent to ("SWM Kundenservice"
    <rechnung@stadtwerke-muenchen.de> linking swm.de; "Energy Weekly" linking
    energyweekly.com) stands behind its links, and they behind it: only the address differs,
    as when a company bills from another of its domains. Neither is then "unrelated". A name
    that claims a protected brand is left to the brand rules."""
    names = features.get("from.display_name")
    if not names or not ("from.display_name_unrelated" in features or "link.unrelated_to_sender" in features):
        return
    words = normalise_words(str(names[0].value))
    if any(brands.claimed_brands(words)):
        return
    letters = _LETTERS.findall(" ".join(words))
    spelled = set(letters) | ({"".join(letters)} if len(letters) > 1 else set())
    own = [str(hit.value) for hit in features.get("from.registered_domain", [])]
    # the sites the address does not explain, by name ("swm" of swm.de)
    linked = {
        str(hit.value).split(".", 1)[0].replace("-", "")
        for hit in features.get("link.domain", [])
        if not any(_domains_related(domain, str(hit.value)) for domain in own)
    }
    if not linked or not linked <= spelled:
        return
    for name in ("from.display_name_unrelated", "link.unrelated_to_sender"):
        features.pop(name, None)
    features["from.display_name_names_links"] = [
        Hit("from.display_name_names_links", ", ".join(sorted(linked)), "header:From")
    ]


_WRAPPING_KINDS = ("(brand_in_domain)", "(brand_in_subdomain)")


def _brand_wrap_linking_brand(features: Features, owners: ProtectedSet) -> None:
    """A sender domain that wraps a brand's name ("yahoo-inc.com") while every link of the
    message is that brand's own has no way to the reader but the brand's: whatever it is, its
    name alone (or a display name claiming that brand) deceives no one into anything. The wrap
    is then a fact for the model to weigh, not a deception (a brand's own links are not
    evidence against a message claiming it)."""
    hits = features.get("from.lookalike")
    links = features.get("link.domain")
    if not hits or not links or not hits[0].where.endswith(_WRAPPING_KINDS):
        return
    brand = owners.owner_of(str(hits[0].value))
    if brand is None or any(owners.owner_of(str(link.value)) != brand for link in links):
        return
    del features["from.lookalike"]
    features["from.brand_wrapped_linking_brand"] = [
        Hit("from.brand_wrapped_linking_brand", hits[0].value, hits[0].where)
    ]
    # Nor does a display name that claims the same brand ("SharePoint Online"
    # <no-reply@sharepointonline.com>, every link on sharepoint.com): it says whose the
    # message is, and every way out of it is that brand's.
    claimed = [hit for hit in features.get("from.display_name_brand", []) if hit.value != brand]
    if claimed:
        features["from.display_name_brand"] = claimed
    else:
        features.pop("from.display_name_brand", None)


def _contains_sequence(words: list[str], sequence: tuple[str, ...]) -> bool:
    length = len(sequence)
    return any(tuple(words[i : i + length]) == sequence for i in range(len(words) - length + 1))


_EXCHANGE_ONLINE_FRONTENDS = (
    ".mail.protection.outlook.com",  # worldwide
    ".mail.protection.office365.us",  # GCC High / DoD
    ".mail.protection.partner.outlook.cn",  # operated by 21Vianet
)


def _microsoft365_stamp(message: ParsedMessage) -> AuthResults | None:
    """Exchange Online's verdict on arrival: the topmost Authentication-Results, with no
    authserv-id, written above the hop by which the message entered Exchange Online's frontend
    (the topmost Received "by ….mail.protection.outlook.com"). One a sender wrote sits below
    that hop, so it is never taken for the stamp."""
    topmost = next((h for h in message.auth_results if h.arc_instance is None), None)
    if topmost is None or topmost.authserv_id:
        return None
    arrival = next(
        (hop for hop in message.received if hop.by_host.endswith(_EXCHANGE_ONLINE_FRONTENDS)),
        None,
    )
    if arrival is None or arrival.position < topmost.position:
        return None
    return topmost


def _authentication(message: ParsedMessage, context: FeatureContext, from_reg: str, add: _Add) -> None:
    if not context.trusted_authserv_ids and not context.trust_microsoft365:
        return
    stamp = _microsoft365_stamp(message) if context.trust_microsoft365 else None
    aligned = False
    for header in message.auth_results:
        receiver = header.authserv_id
        if header is stamp:
            receiver = "microsoft365"
        elif not receiver or receiver not in context.trusted_authserv_ids:
            continue
        kind = "ARC-Authentication-Results" if header.arc_instance is not None else "Authentication-Results"
        where = f"header:{kind}[{header.position}] ({receiver})"
        add("auth.trusted", receiver, where)
        for result in header.results:
            if result.method in ("spf", "dkim", "dmarc", "arc"):
                add(f"auth.{result.method}", result.result, where)
            if result.method == "dmarc" and "policy.published" in result.properties:
                add("auth.dmarc_policy", result.properties["policy.published"], where)
            if result.method == "dmarc" and result.result == "pass":
                aligned = True
            if result.method == "dkim" and result.result == "pass" and from_reg:
                signer = result.properties.get("header.d") or email_domain(
                    result.properties.get("header.i", "")
                )
                if signer and registered_domain(signer.lstrip("@")) == from_reg:
                    aligned = True
        if aligned:
            add("auth.aligned_pass", True, where)
            return


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


def _html_parts(message: ParsedMessage) -> list[tuple[str, HtmlInfo]]:
    parts: list[tuple[str, HtmlInfo]] = []
    if message.html is not None:
        parts.append(("body", message.html))
    for attachment in message.attachments:
        if attachment.html is not None:
            parts.append((f"attachment:{attachment.path}", attachment.html))
    return parts


def _html(message: ParsedMessage, add: _Add) -> None:
    hidden = 0
    tiny = 0
    for where, html in _html_parts(message):
        for form in html.forms:
            if form.asks_password:
                add("html.password_form", form.action or "(script)", where)
            if form.action.lower().startswith(("http://", "https://")):
                add("html.form_external", form.action[:200], where)
        scripts = "\n".join(html.scripts)
        if scripts:
            smuggling = _SMUGGLING.search(scripts)
            if smuggling and ("blob" in scripts.lower() or "data:" in scripts.lower()):
                add("html.smuggling", smuggling.group(0)[:60], where)
            obfuscation = _OBFUSCATION.search(scripts)
            if obfuscation:
                add("html.obfuscated_script", obfuscation.group(0)[:40], where)
            redirect = _SCRIPT_REDIRECT.search(scripts)
            if redirect:
                add("html.script_redirect", redirect.group(0)[:40], where)
        if html.meta_refresh:
            add("html.script_redirect", "meta refresh", where)
        hidden += len(html.hidden_text)
        tiny += html.tiny_text_chars
    for link in message.links:
        if link.scheme == "data" and link.where == "html_anchor":
            add("html.smuggling", "data: URI download link", f"link in {link.source}")
            break
    add("html.hidden_text_chars", hidden, "body")
    add("html.tiny_text_chars", tiny, "body")
    if message.html is not None:
        visible = len(message.html.visible_text.strip())
        if visible < 40 and message.html.image_count and message.links:
            add("html.image_only", visible, "body")


def _attachments(message: ParsedMessage, add: _Add) -> None:
    attachments = message.attachments
    add("attachment.count", len(attachments), "message")
    for attachment in attachments:
        where = f"attachment:{attachment.path}"
        name = attachment.filename
        extension = attachment.extension
        if name:
            add("attachment.name", name, where)
        if extension:
            add("attachment.extension", extension, where)
            if attachment.parent is not None and attachments[attachment.parent].is_archive:
                add("attachment.in_archive_extension", extension, where)
        add("attachment.sniffed_type", attachment.sniffed_type, where)
        if name:
            parts = name.lower().rstrip(". ").split(".")
            if (
                len(parts) >= 3
                and parts[-2] in _DOCUMENT_EXTENSIONS
                and parts[-1] not in _DOCUMENT_EXTENSIONS
            ):
                add("attachment.double_extension", name, where)
            if _BIDI.search(name):
                add("attachment.rtlo", name, where)
        if (
            extension in _DOCUMENT_EXTENSIONS
            and attachment.sniffed_type.startswith(_DANGEROUS_TYPES_FOR_DOCS)
            and not (extension in ("docx", "xlsx", "pptx") and attachment.sniffed_type == "application/zip")
        ):
            add("attachment.type_mismatch", f"{extension} -> {attachment.sniffed_type}", where)
        if attachment.is_archive and attachment.encrypted:
            add("attachment.encrypted_archive", name or attachment.path, where)
            if attachment.password_found:
                add("attachment.archive_password_in_body", attachment.password_found, where)
        if attachment.office is not None:
            office = attachment.office
            if office.has_macros:
                add("attachment.macros", name, where)
            for trigger in office.autoexec:
                add("attachment.macro_autoexec", trigger, where)
            for keyword in office.suspicious:
                add("attachment.macro_suspicious", keyword, where)
        for keyword in attachment.pdf_keywords:
            add("attachment.pdf_risky", keyword, where)
        if attachment.html is not None:
            add("attachment.html", name or attachment.path, where)
        if attachment.is_message:
            add("attachment.is_message", name, where)


def _language(message: ParsedMessage, context: FeatureContext, add: _Add, features: Features) -> None:
    lexicon = context.lexicon
    visible = message.visible_text
    add("text.length", len(visible), "body")
    # Lures say what they want early; the first 5,000 characters bound the cost of long threads.
    body_words = normalise_words(_own_words(visible[:BODY_WORDS_CHARS]))
    subject_words = normalise_words(message.subject) if message.subject else []
    add("text.language", lexicon.language(subject_words + body_words), "body")
    sources: list[tuple[str, list[str]]] = [("subject", subject_words), ("body", body_words)]
    for attachment in message.attachments:
        if attachment.html is not None and attachment.html.visible_text:
            sources.append(
                (f"attachment:{attachment.path}", normalise_words(attachment.html.visible_text[:6000]))
            )
        elif attachment.is_message and attachment.text_excerpt:
            sources.append((f"attachment:{attachment.path}", normalise_words(attachment.text_excerpt)))
    for where, words in sources:
        for match in lexicon.find(words):
            if match.category in _LEXICON_FEATURES:
                add(f"text.{match.category}", f"{match.text} [{match.language}]", where)
    # Brands count only where the lure speaks (subject, opening lines) and not inside
    # addresses or URLs: "Signed-off-by: x@google.com" does not claim to come from Google.
    brands_named: dict[str, str] = {}
    for where, text in (("subject", message.subject), ("body", visible[:600])):
        words = normalise_words(_without_addresses(text))
        for brand, _keyword in context.brands.claimed_brands(words[:80]):
            if brand.name not in brands_named:
                brands_named[brand.name] = where
    for brand_name, where in brands_named.items():
        add("text.brand", brand_name, where)
    _brand_link_mismatch(message, context, brands_named, features, add)


def _brand_link_mismatch(
    message: ParsedMessage,
    context: FeatureContext,
    brands_named: dict[str, str],
    features: Features,
    add: _Add,
) -> None:
    """A brand named in the text whose links all lead away from the brand."""
    if not brands_named or "link.domain" not in features:
        return
    link_domains = {hit.value for hit in features["link.domain"]}
    # A link whose visible text is the brand ("Facebook" in a newsletter's social bar) leads to
    # the brand, through the sender's click tracker: that is a link to it, not away from it.
    linked_brands = {
        brand.name
        for link in message.links[:200]
        if link.text and len(link.text) < 40
        for brand, _keyword in context.brands.claimed_brands(normalise_words(link.text))
    }
    sender = message.from_
    from_reg = registered_domain(sender.domain) if sender and sender.domain else ""
    for name, where in brands_named.items():
        brand = context.brands.brand_named(name)
        if (
            brand is None
            or brand is context.brands.organisation
            or not brand.domains
            or from_reg in brand.domains
            or name in linked_brands
        ):
            continue
        if not (link_domains & brand.domains):
            add("link.brand_mismatch", name, where)
            if where == "subject":
                add("link.brand_mismatch_claimed", name, where)
