"""Bytes -> ParsedMessage. The only place in Seawall where raw mail is parsed.

Uses the standard library's ``email`` parser with ``policy.compat32`` (three times faster
than ``policy.default`` on real mail and more forgiving of broken MIME), walks the MIME tree
iteratively (a 500-deep message must not exhaust the Python stack), and turns every problem
into a ``Defect``. ``parse_message`` never raises on any input.
"""

from __future__ import annotations

import codecs
import logging
import re
import time
from email import policy
from email.errors import MessageError
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser

from seawall.intake.source import RawMessage
from seawall.mail import attachments as att
from seawall.mail import boundaries
from seawall.mail.auth import parse_authentication_results, parse_received
from seawall.mail.headers import (
    angle_stripped,
    decode_value,
    encoding_broken,
    fix_surrogates,
    parse_addresses,
    parse_date,
)
from seawall.mail.html import HtmlLink, analyse_html
from seawall.mail.limits import DEFAULT_LIMITS, Limits
from seawall.mail.links import make_link, urls_in_text
from seawall.mail.model import (
    Attachment,
    Defect,
    Header,
    HtmlInfo,
    Link,
    ParsedMessage,
)

boundaries.install()
_PARSER = BytesParser(policy=policy.compat32)
_DECODE_LONG_HEADERS = 1024
_DISPLAY_HEADERS = frozenset(
    {
        "subject",
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "sender",
        "thread-topic",
        "comments",
        "keywords",
        "content-description",
        "disposition-notification-to",
    }
)
_HEADER_PARSER = BytesHeaderParser(policy=policy.compat32)

_SINGLETON_HEADERS = ("from", "sender", "reply-to", "to", "cc", "subject", "date", "message-id")
_KNOWN_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "content-type",
        "cc",
        "sender",
        "reply-to",
    }
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml"})
_HTML_EXTENSIONS = ("htm", "html", "shtml", "xhtml", "svg", "mht", "mhtml", "hta")
_OFFICE_EXTENSIONS = frozenset(
    {
        "doc",
        "dot",
        "xls",
        "xlt",
        "xla",
        "ppt",
        "pps",
        "pot",
        "docm",
        "dotm",
        "xlsm",
        "xltm",
        "xlam",
        "xlsb",
        "pptm",
        "potm",
        "ppsm",
        "docx",
        "xlsx",
        "pptx",
        "rtf",
    }
)

# Passwords quoted in the body for an encrypted archive ("Password: 1234", "Passwort: x",
# "Senha: y"); tried only against archives in the same message, never anywhere else.
_PASSWORD_HINT = re.compile(
    r"(?:password|passwort|kennwort|senha|wachtwoord|mot de passe|contrase[ñn]a|"
    r"parol[ae]?|pass|pw|pwd|code)\s*(?:is|ist|é|:|=|-|：)\s*[\"'“„«]?([^\s\"'”“«»]{3,40})",
    re.IGNORECASE,
)

log = logging.getLogger(__name__)


def _decode_text(payload: bytes, charset: str | None, part_path: str, defects: list[Defect]) -> str:
    """Decode a text part; unknown and lying charsets become defects, never errors."""
    if b"\x00" in payload:
        defects.append(Defect("nul_bytes", "NUL bytes removed from text", part_path))
        payload = payload.replace(b"\x00", b"")
    declared = (charset or "").strip().strip('"').lower()
    if declared:
        try:
            codecs.lookup(declared)
        except (LookupError, ValueError):  # unknown, or a name with a NUL in it
            defects.append(Defect("unknown_charset", declared[:60], part_path))
            declared = ""
    if declared in ("", "us-ascii", "ascii"):
        declared = declared if declared else "utf-8"
    try:
        return payload.decode(declared)
    except (UnicodeError, LookupError, ValueError):
        # a lying charset, or a codec that is no text encoding ("undefined", "idna", "base64")
        pass
    # The declared charset lies. Mostly-UTF-8 text (the usual lie) is read as UTF-8 with the odd
    # bad byte replaced; anything else as Windows-1252, which maps almost every byte.
    text = payload.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    # UTF-8 when its multi-byte sequences outnumber the bytes it cannot read.
    if sum(1 for char in text if ord(char) > 127) - bad >= bad:
        detail = "decoded as utf-8" + (f", {bad} bad bytes replaced" if bad else "")
    else:
        text = payload.decode("cp1252", "replace")
        detail = "decoded as cp1252"
    defects.append(Defect("charset_mismatch", f"declared {charset or 'none'}, {detail}", part_path))
    return text


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (TypeError, ValueError, LookupError, UnicodeError):
        name = None
    if name is None:
        try:
            name = part.get_param("name")  # type: ignore[assignment]
        except (TypeError, ValueError):
            name = None
        if isinstance(name, tuple):
            name = str(name[2])
    if not name:
        return ""
    text, _ = decode_value(str(name))
    # Keep only the last path component: a name such as "../../etc/passwd" must never be a path.
    text = text.replace("\\", "/").split("/")[-1]
    return text[:255]


class _Walker:
    """State for one message walk: the budget left, and everything found so far."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.defects: list[Defect] = []
        self.attachments: list[Attachment] = []
        self.html_links: list[tuple[HtmlLink, str]] = []
        self.text_links: list[tuple[str, str]] = []
        self.texts: list[str] = []
        self.html_infos: list[HtmlInfo] = []
        self.attachment_text: list[str] = []
        self.decoded_budget = limits.max_decoded_bytes
        self.archive_budget = att.ArchiveBudget(remaining=limits.max_archive_expanded_bytes)
        self.part_count = 0
        self.max_depth = 0
        self.text_chars = 0
        self.encrypted_archives: dict[int, bytes] = {}

    # -- payloads ---------------------------------------------------------------------
    def payload(self, part: Message, part_path: str) -> bytes | None:
        """The decoded payload of a leaf part, within the decoded-bytes budget."""
        try:
            raw = part.get_payload()
        except (ValueError, LookupError, UnicodeError, MessageError) as exc:
            # compat32 decodes an 8-bit payload with its declared charset ("undefined", "idna")
            self.defects.append(Defect("undecodable_part", f"{type(exc).__name__}", part_path))
            return None
        if isinstance(raw, list):
            return None
        if not isinstance(raw, str):
            try:
                raw = str(raw)
            except (ValueError, LookupError, UnicodeError, MessageError) as exc:
                # a payload held as a Header in a charset that cannot decode it ("undefined")
                self.defects.append(Defect("undecodable_part", f"{type(exc).__name__}", part_path))
                return None
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        estimate = len(raw) * 3 // 4 if encoding == "base64" else len(raw)
        if estimate > self.decoded_budget:
            self.defects.append(
                Defect(
                    "decoded_too_large",
                    f"part of about {estimate} bytes exceeds the remaining decode budget",
                    part_path,
                )
            )
            self.decoded_budget = 0
            return None
        try:
            data = part.get_payload(decode=True)
        except (ValueError, TypeError, LookupError, UnicodeError, AssertionError, MessageError) as exc:
            self.defects.append(Defect("undecodable_part", f"{type(exc).__name__}", part_path))
            return None
        if not isinstance(data, bytes):
            data = b""
        if encoding == "base64" and raw.strip() and not data:
            self.defects.append(Defect("invalid_base64", "base64 payload decoded to nothing", part_path))
        self.decoded_budget -= len(data)
        return data

    # -- bodies -----------------------------------------------------------------------
    def add_text(self, text: str, source: str, part_path: str) -> None:
        if self.text_chars >= self.limits.max_text_chars:
            self.defects.append(Defect("text_truncated", "text beyond max_text_chars ignored", part_path))
            return
        text = text[: self.limits.max_text_chars - self.text_chars]
        self.text_chars += len(text)
        for url in urls_in_text(text, self.limits.max_links):
            self.text_links.append((url, source))
        if source == "body":
            self.texts.append(text)
        else:
            self.attachment_text.append(text)

    def add_html(self, html: str, source: str, part_path: str) -> HtmlInfo:
        if len(html) > self.limits.max_html_bytes:
            self.defects.append(
                Defect(
                    "html_truncated",
                    f"{len(html)} characters, analysed the first {self.limits.max_html_bytes}",
                    part_path,
                )
            )
            html = html[: self.limits.max_html_bytes]
        if "\x00" in html:
            html = html.replace("\x00", "")
        info, links = analyse_html(html, source)
        if info.truncated:
            self.defects.append(Defect("html_truncated", info.truncated, part_path))
        anchor_texts = {link.text for link in links} | {link.url for link in links}
        for link in links:
            self.html_links.append((link, source))
        # URLs written as text but not linked (clients auto-link them).
        for url in urls_in_text(info.visible_text, self.limits.max_links):
            if url not in anchor_texts:
                self.text_links.append((url, source))
        return info

    # -- attachments ------------------------------------------------------------------
    def add_attachment(
        self,
        data: bytes | None,
        filename: str,
        declared: str,
        part_path: str,
        parent: int | None,
        depth: int,
        disposition: str = "",
        content_id: str = "",
        encrypted: bool = False,
        declared_size: int | None = None,
    ) -> Attachment:
        index = len(self.attachments)
        parent_path = self.attachments[parent].path if parent is not None else ""
        label = filename or f"part-{part_path}"
        path = f"{parent_path}/{label}" if parent_path else label
        if data is not None:
            digest = att.hashes(data)
            sniffed = att.sniff_type(data)
            size = len(data)
        else:
            digest = att.Hashes("", "", "")
            sniffed = "application/x-encrypted" if encrypted else "application/x-unread"
            size = declared_size or 0
        attachment = Attachment(
            index=index,
            filename=filename,
            path=path,
            declared_type=declared,
            sniffed_type=sniffed,
            size=size,
            md5=digest.md5,
            sha1=digest.sha1,
            sha256=digest.sha256,
            parent=parent,
            depth=depth,
            disposition=disposition,
            content_id=content_id,
            encrypted=encrypted,
        )
        self.attachments.append(attachment)
        if data is not None and size <= self.limits.max_attachment_analysis_bytes:
            self.inspect(attachment, data, depth)
        return attachment

    def inspect(self, attachment: Attachment, data: bytes, depth: int) -> None:
        """Look inside an attachment: archive members, HTML, Office macros, PDF keywords."""
        sniffed = attachment.sniffed_type
        extension = attachment.extension
        source = f"attachment:{attachment.path}"
        if sniffed in att.ZIP_TYPES and not att.zip_has_member(data, "[content_types].xml"):
            attachment.is_archive = True
            self.expand_zip(attachment, data, depth, password=None)
        elif att.is_archive_type(sniffed):
            attachment.is_archive = True
        if (
            sniffed in _HTML_TYPES
            or extension in _HTML_EXTENSIONS
            or (
                sniffed.startswith("text/")
                and data.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))
            )
        ):
            text = _decode_text(data, None, attachment.path, self.defects)
            attachment.html = self.add_html(text, source, attachment.path)
            attachment.text_excerpt = attachment.html.visible_text[:2000]
        elif sniffed.startswith("text/") and extension not in _OFFICE_EXTENSIONS:
            text = _decode_text(data[:200_000], None, attachment.path, self.defects)
            attachment.text_excerpt = text[:2000]
            self.add_text(text, source, attachment.path)
        if (
            sniffed in att.OLE_TYPES
            or sniffed.startswith(att.OOXML_PREFIX)
            or sniffed in att.OOXML_MACRO_TYPES
            or (extension in _OFFICE_EXTENSIONS and sniffed in att.ZIP_TYPES)
            or (sniffed in att.ZIP_TYPES and att.zip_has_member(data, "vbaproject.bin"))
        ):
            attachment.office = att.analyse_office(data, attachment.filename)
        if sniffed == "application/pdf" or data[:1024].lstrip().startswith(b"%PDF"):
            names, uris = att.pdf_keywords(data)
            attachment.pdf_keywords = names
            for uri in uris:
                self.text_links.append((uri, source))

    def expand_zip(self, attachment: Attachment, data: bytes, depth: int, password: str | None) -> None:
        if depth + 1 > self.limits.max_archive_depth:
            self.defects.append(
                Defect(
                    "archive_too_deep",
                    f"nesting deeper than {self.limits.max_archive_depth}",
                    attachment.path,
                )
            )
            return
        pwd = password.encode("utf-8") if password is not None else None
        members = 0
        for member in att.list_zip(data, attachment.path, self.limits, self.archive_budget, pwd):
            members += 1
            if member.encrypted and password is None:
                attachment.encrypted = True
            name = member.name.replace("\\", "/").split("/")[-1] or member.name
            self.add_attachment(
                member.data,
                name,
                "",
                attachment.path,
                attachment.index,
                depth + 1,
                encrypted=member.encrypted and member.data is None,
                declared_size=member.size,
            )
        attachment.members = members
        self.defects.extend(self.archive_budget.defects)
        self.archive_budget.defects.clear()

    def try_archive_passwords(self, body_text: str, archives: dict[int, bytes]) -> None:
        """Open encrypted zips with passwords quoted in the body, to see what they hide."""
        if not archives:
            return
        candidates: list[str] = []
        for match in _PASSWORD_HINT.finditer(body_text):
            word = match.group(1).strip(".,;:!?)(")
            if word and word not in candidates:
                candidates.append(word)
        for index, data in archives.items():
            archive = self.attachments[index]
            for candidate in candidates[: self.limits.max_password_attempts]:
                if att.zip_password_works(data, candidate):
                    archive.password_found = candidate
                    # Replace the unreadable encrypted children by the decrypted ones.
                    self.attachments = [a for a in self.attachments if a.parent != index]
                    self.expand_zip(archive, data, archive.depth, password=candidate)
                    break


# Headers that say who sent the message: an undecodable encoded word there is evidence.
_SENDER_HEADERS = frozenset({"from", "sender", "reply-to", "return-path"})


def _header_list(message: Message, limits: Limits, defects: list[Defect]) -> list[Header]:
    # raw_items(): compat32's get()/items() turn 8-bit header values into Header objects
    # whose str() loses the bytes; the raw values keep them (as surrogate escapes).
    items = list(message.raw_items())
    if len(items) > limits.max_headers:
        defects.append(Defect("too_many_headers", f"{len(items)} > {limits.max_headers}"))
        items = items[: limits.max_headers]
    headers: list[Header] = []
    injected: list[str] = []
    too_long: list[str] = []
    for name, value in items:
        if isinstance(value, str) and len(value) > limits.max_header_chars:
            too_long.append(name)
            value = value[: limits.max_header_chars]
        if isinstance(value, str) and value.isascii():
            # The common case, inlined: plain ASCII, at most folded (unfolding removes the
            # line break and keeps the white space after it, RFC 5322 section 2.2.3).
            if "\n" in value:
                value = value.replace("\r\n", "").replace("\n", "")
            if "\t" in value:
                value = value.replace("\t", " ")
            if value.isprintable() and (
                "=?" not in value
                or (len(value) > _DECODE_LONG_HEADERS and name.lower() not in _DISPLAY_HEADERS)
            ):
                # Long machine headers (X-Microsoft-Antispam-Message-Info...) are kept encoded:
                # decoding them costs more than the rest of the message and no one reads them.
                headers.append(Header(name if name.isascii() else fix_surrogates(name), value.strip()))
                continue
        text, has_control = decode_value(value)
        if has_control:
            injected.append(name)
        if name.lower() in _SENDER_HEADERS and encoding_broken(value):
            defects.append(
                Defect("sender_encoding_invalid", f"{name}: an encoded word that cannot be decoded")
            )
        headers.append(Header(fix_surrogates(name), text))
    if too_long:
        names = ", ".join(sorted(set(too_long)))
        defects.append(Defect("header_too_long", f"over {limits.max_header_chars} characters, cut: {names}"))
    if injected:
        defects.append(
            Defect(
                "header_injection",
                "control characters in decoded header(s): " + ", ".join(sorted(set(injected))),
            )
        )
    return headers


def _raw_all(message: Message, name: str) -> list[str]:
    lowered = name.lower()
    return [str(value) for key, value in message.raw_items() if key.lower() == lowered]


def parse_message(raw: RawMessage, limits: Limits = DEFAULT_LIMITS) -> ParsedMessage:
    """Parse one message; every problem is recorded as a defect, nothing is raised."""
    defects: list[Defect] = []
    data = raw.data
    size = len(data)
    if size == 0:
        return ParsedMessage(
            sha256=raw.sha256,
            origin=raw.origin,
            size=0,
            defects=[Defect("empty", "the message has no bytes"), Defect("not_a_message", "empty input")],
        )
    if size > limits.max_message_bytes:
        defects.append(
            Defect("message_too_large", f"{size} bytes; parsed the first {limits.max_message_bytes}")
        )
        data = data[: limits.max_message_bytes]
    try:
        message = _PARSER.parsebytes(data)
    except RecursionError:
        defects.append(Defect("mime_too_deep", "MIME nesting too deep to parse; headers only"))
        message = _HEADER_PARSER.parsebytes(data)
    except Exception as exc:  # the stdlib parser is lenient; this is a last guard
        defects.append(Defect("unparseable", f"{type(exc).__name__}: {exc}"[:200]))
        message = _HEADER_PARSER.parsebytes(data)
    try:
        return _build(raw, message, size, limits, defects)
    except RecursionError:
        defects.append(Defect("mime_too_deep", "structure too deep to analyse; headers only"))
    except Exception as exc:  # a bug must cost this message its body, never its verdict
        log.debug("parser error on %s", raw.origin, exc_info=True)
        defects.append(Defect("parser_error", f"{type(exc).__name__}: {exc}"[:200]))
    try:
        return _build(raw, _HEADER_PARSER.parsebytes(data), size, limits, defects)
    except Exception as exc:  # even the headers cannot be read: an empty message, judged as such
        log.debug("parser error on the headers of %s", raw.origin, exc_info=True)
        defects.append(Defect("parser_error", f"headers: {type(exc).__name__}: {exc}"[:200]))
        return ParsedMessage(sha256=raw.sha256, origin=raw.origin, size=size, defects=defects)


def _build(
    raw: RawMessage, message: Message, size: int, limits: Limits, defects: list[Defect]
) -> ParsedMessage:
    headers = _header_list(message, limits, defects)
    lowered_names = [h.name.lower() for h in headers]
    if not any(name in _KNOWN_HEADERS for name in lowered_names):
        defects.append(Defect("not_a_message", "no recognisable RFC 5322 header"))
    for name in _SINGLETON_HEADERS:
        if lowered_names.count(name) > 1:
            defects.append(Defect("duplicate_header", f"{name} appears {lowered_names.count(name)} times"))
    for defect in message.defects:
        defects.append(
            Defect(
                "mime_" + type(defect).__name__.removesuffix("Defect").lower(),
                str(getattr(defect, "__doc__", "") or "").strip().split("\n")[0][:120],
            )
        )

    def first(name: str) -> str:
        for header in headers:
            if header.name.lower() == name:
                return header.value
        return ""

    from_list = parse_addresses(_raw_all(message, "From"))
    sender_list = parse_addresses(_raw_all(message, "Sender"))
    walker = _Walker(limits)
    _walk(message, walker)

    archives = walker.encrypted_archives
    body_text = "\n".join(walker.texts)
    html_info = _merge_html(walker.html_infos)
    if archives:
        walker.try_archive_passwords(
            body_text + "\n" + (html_info.visible_text if html_info else ""), archives
        )

    links: list[Link] = []
    for html_link, source in walker.html_links:
        links.append(make_link(html_link.url, html_link.where, source, html_link.text))
    for url, source in walker.text_links:
        links.append(make_link(url, "text", source))
    if len(links) > limits.max_links:
        defects.append(Defect("too_many_links", f"{len(links)} > {limits.max_links}"))
        links = links[: limits.max_links]
    if walker.part_count > limits.max_parts:
        defects.append(Defect("too_many_parts", f"more than {limits.max_parts} MIME parts"))
    defects.extend(walker.defects)

    auth_results = []
    for index, header in enumerate(headers):
        lname = lowered_names[index]
        if lname == "authentication-results":
            auth_results.append(parse_authentication_results(header.value, index))
        elif lname == "arc-authentication-results":
            auth_results.append(parse_authentication_results(header.value, index, arc=True))
    received = [
        parse_received(h.value, index)
        for index, (h, n) in enumerate(zip(headers, lowered_names, strict=True))
        if n == "received"
    ]
    date_value = first("date")
    return ParsedMessage(
        sha256=raw.sha256,
        origin=raw.origin,
        size=size,
        headers=headers,
        subject=first("subject"),
        message_id=angle_stripped(first("message-id")),
        date=date_value,
        timestamp=parse_date(date_value),
        from_=from_list[0] if from_list else None,
        from_count=len(from_list),
        sender=sender_list[0] if sender_list else None,
        reply_to=parse_addresses(_raw_all(message, "Reply-To")),
        return_path=angle_stripped(first("return-path")).lower(),
        to=parse_addresses(_raw_all(message, "To")),
        cc=parse_addresses(_raw_all(message, "Cc")),
        auth_results=auth_results,
        received=received,
        text=body_text.strip(),
        html=html_info,
        links=links,
        attachments=walker.attachments,
        defects=defects,
        part_count=walker.part_count,
        mime_depth=walker.max_depth,
    )


def _merge_html(infos: list[HtmlInfo]) -> HtmlInfo | None:
    if not infos:
        return None
    if len(infos) == 1:
        return infos[0]
    merged = HtmlInfo()
    for info in infos:
        merged.visible_text = (merged.visible_text + "\n" + info.visible_text).strip()
        merged.title = merged.title or info.title
        merged.forms = [*merged.forms, *info.forms]
        merged.scripts = [*merged.scripts, *info.scripts]
        merged.script_srcs = [*merged.script_srcs, *info.script_srcs]
        merged.hidden_text = (merged.hidden_text + "\n" + info.hidden_text).strip()
        merged.tiny_text_chars += info.tiny_text_chars
        merged.image_count += info.image_count
        merged.anchor_count += info.anchor_count
        merged.meta_refresh = merged.meta_refresh or info.meta_refresh
        merged.base_href = merged.base_href or info.base_href
    return merged


def _walk(message: Message, walker: _Walker) -> None:
    """Iterative depth-first walk of the MIME tree (no recursion: nesting is hostile input)."""
    limits = walker.limits
    # (part, depth, path, parent attachment index, source of links found inside)
    stack: list[tuple[Message, int, str, int | None, str]] = [(message, 0, "1", None, "body")]
    deadline = time.monotonic() + limits.time_budget_seconds
    while stack:
        part, depth, path, parent, source = stack.pop()
        if time.monotonic() > deadline:
            walker.defects.append(
                Defect("time_budget_exceeded", f"parts after {path} not read within the time budget", path)
            )
            break
        walker.part_count += 1
        if walker.part_count > limits.max_parts:
            break
        walker.max_depth = max(walker.max_depth, depth)
        if depth > limits.max_mime_depth:
            walker.defects.append(Defect("mime_too_deep", f"deeper than {limits.max_mime_depth}", path))
            continue
        for defect in part.defects if part is not message else ():
            walker.defects.append(
                Defect("mime_" + type(defect).__name__.removesuffix("Defect").lower(), "", path)
            )
        content_type = part.get_content_type()
        if part.is_multipart():
            children = part.get_payload()
            if not isinstance(children, list):
                continue
            if content_type == "message/rfc822" or content_type.startswith("message/"):
                inner = children[0] if children else None
                if not isinstance(inner, Message):
                    continue
                subject, _ = decode_value(next(iter(_raw_all(inner, "Subject")), ""))
                filename = _filename(part) or (subject[:80] + ".eml" if subject else "attached-message.eml")
                as_bytes = _message_bytes(inner)
                attachment = walker.add_attachment(
                    as_bytes, filename, content_type, path, parent, 0, disposition="attachment"
                )
                attachment.is_message = True
                inner_from = ", ".join(a.address for a in parse_addresses(_raw_all(inner, "From")))
                attachment.text_excerpt = f"From: {inner_from}\nSubject: {subject}"[:2000]
                stack.append(
                    (inner, depth + 1, f"{path}.1", attachment.index, f"attachment:{attachment.path}")
                )
                continue
            for number in range(len(children) - 1, -1, -1):
                child = children[number]
                if isinstance(child, Message):
                    stack.append((child, depth + 1, f"{path}.{number + 1}", parent, source))
            continue
        disposition_header = part.get("Content-Disposition")
        disposition = str(disposition_header or "").split(";")[0].strip().lower()
        # get_filename() is slow (RFC 2231 parameter parsing): ask only when a name can exist.
        has_name = disposition_header is not None or "name" in str(part.get("Content-Type", "")).lower()
        filename = _filename(part) if has_name else ""
        is_body = content_type in ("text/plain", "text/html") and not filename and disposition != "attachment"
        data = walker.payload(part, path)
        if data is None:
            if not is_body:
                walker.add_attachment(None, filename, content_type, path, parent, 0, disposition)
            continue
        if is_body:
            try:
                charset = part.get_content_charset()
            except (ValueError, LookupError, UnicodeError):
                charset = None
            text = _decode_text(data, charset, path, walker.defects)
            if source == "body" and content_type == "text/html":
                walker.html_infos.append(walker.add_html(text, source, path))
            elif source == "body":
                walker.add_text(text, source, path)
            elif content_type == "text/html":
                info = walker.add_html(text, source, path)
                if parent is not None:
                    holder = walker.attachments[parent]
                    holder.html = holder.html or info
                    holder.text_excerpt = (holder.text_excerpt + "\n" + info.visible_text)[:2000]
            else:
                walker.add_text(text, source, path)
                if parent is not None:
                    holder = walker.attachments[parent]
                    holder.text_excerpt = (holder.text_excerpt + "\n" + text)[:2000]
            continue
        content_id = str(part.get("Content-ID", "")).strip("<> ")[:200]
        attachment = walker.add_attachment(
            data, filename, content_type, path, parent, 0, disposition, content_id
        )
        if attachment.encrypted and attachment.is_archive:
            walker.encrypted_archives[attachment.index] = data


def _message_bytes(inner: Message) -> bytes:
    try:
        return inner.as_bytes(policy=policy.compat32)
    except Exception:  # a broken attached message is still recorded, without its bytes
        return b""
