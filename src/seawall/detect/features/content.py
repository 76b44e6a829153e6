"""Features of what the message says and carries: HTML tricks, attachments, and the lexicon's
categories in the writer's own words."""

from __future__ import annotations

import re

from seawall.detect.features.catalogue import Features
from seawall.detect.features.context import FeatureContext, _Add
from seawall.detect.lexicon import normalise_words
from seawall.mail.domains import registered_domain
from seawall.mail.model import HtmlInfo, ParsedMessage

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


_QUOTED_LINES = re.compile(r"^[ \t]*>[^\n]*\n?", re.MULTILINE)


def _own_words(text: str) -> str:
    """The text without its "> " quoted lines: what the writer quotes is someone else's (a
    list reply quoting "a gpg encrypted message"); a lure that rides on a real thread writes
    its request above the quote."""
    return _QUOTED_LINES.sub("", text) if ">" in text else text


def _answers_something(text: str) -> bool:
    """Whether a text quotes what it replies to ("> " lines or the original's header block)."""
    return bool(_QUOTED_LINE.search(text[:3000]) or _QUOTED_ORIGINAL.search(text[:20000]))


_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
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


def _html_parts(message: ParsedMessage) -> list[tuple[str, HtmlInfo]]:
    parts: list[tuple[str, HtmlInfo]] = []
    if message.html is not None:
        parts.append(("body", message.html))
    for attachment in message.attachments:
        if attachment.html is not None:
            parts.append((f"attachment:{attachment.path}", attachment.html))
    return parts


_HIDDEN_WORD = re.compile(r"\w+")


def _unseen_chars(hidden: str, seen: set[str]) -> int:
    """Characters of the hidden words a reader does not also see. Padding hides words of its
    own from the reader and shows them to filters; a hidden copy of the visible text (some
    senders' preview copy) hides nothing."""
    return sum(len(word) + 1 for word in _HIDDEN_WORD.findall(hidden) if word.casefold() not in seen)


def _html(message: ParsedMessage, add: _Add) -> None:
    hidden = 0
    tiny = 0
    seen: set[str] | None = None  # the words a reader sees, read only when something is hidden
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
        if html.status_spoofs:
            add("html.status_bar_spoof", html.status_spoofs, where)
        if html.hidden_text:
            if seen is None:
                shown = f"{message.visible_text}\n{message.text}"
                seen = {word.casefold() for word in _HIDDEN_WORD.findall(shown)}
            hidden += _unseen_chars(html.hidden_text, seen)
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


_SIGNING_WORD = re.compile(r"©|\(c\)|copyright|team")
"""Where a signature may stand, in the lower-cased text: a copyright sign or word, or "team";
found first so that the patterns below run only there (run at every word they cost a
millisecond a message)."""
MAX_SIGNING_WORDS = 50
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_OWNER = re.compile(
    r"\s*(?:©|\([cC]\))?\s*(?P<year>\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?(?P<name>[^\n.,;|©]{2,60})"
)
_NAME_BEFORE_TEAM = re.compile(r"(?:\b[Tt]he\s+)?(?P<name>[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,2})\s+$")
_NAME_AFTER_TEAM = re.compile(r"\s+(?P<name>[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,2})")


def _signatures(text: str) -> list[str]:
    """The names a text signs with, at most ten: a copyright notice's owner ("© 2023 Ripple,
    All Rights Reserved") or a signing team ("The MetaMask Team", "Team Ripple")."""
    names: list[str] = []
    done = 0
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters: offsets must hold in both
        lowered = text.translate(_ASCII_LOWER)
    for count, word in enumerate(_SIGNING_WORD.finditer(lowered)):
        start, end = word.span()
        if count == MAX_SIGNING_WORDS:
            break
        if start < done:
            continue  # inside a notice already read ("Copyright (C) 2002 …")
        if word.group() != "©" and (lowered[start - 1 : start].isalnum() or lowered[end : end + 1].isalnum()):
            continue  # inside a word ("steam", "copyrighted")
        match: re.Match[str] | None
        if word.group() == "team":
            before = _NAME_BEFORE_TEAM.search(text, max(0, start - 80), start)
            match = before or _NAME_AFTER_TEAM.match(text, end)
        else:
            match = _OWNER.match(text, end)
            if match is not None and word.group() == "(c)" and not match.group("year"):
                continue  # "(c)" of a list ("a), b), (c) Microsoft will …") is no copyright
        if match is None:
            continue
        names.append(match.group("name"))
        done = max(done, match.end())
        if len(names) == 10:
            break
    return names


def _language(message: ParsedMessage, context: FeatureContext, add: _Add, features: Features) -> None:
    lexicon = context.lexicon
    visible = message.visible_text
    add("text.length", len(visible), "body")
    # Lures say what they want early; the first 5,000 characters bound the cost of long threads.
    own_words = _own_words(visible[:BODY_WORDS_CHARS])
    body_words = normalise_words(own_words)
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
    # who the writer signs as ("© 2023 Ripple, All Rights Reserved", "The MetaMask Team") is a
    # claim of who sends it, like the subject's, wherever in the writer's own words it stands
    for claim in _signatures(own_words):
        for brand, _keyword in context.brands.claimed_brands(normalise_words(claim)[:8]):
            if brands_named.get(brand.name) != "subject":
                brands_named[brand.name] = "signature"
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
            elif where == "signature":
                add("link.brand_mismatch_signed", name, where)
