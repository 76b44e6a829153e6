"""The parsed-message model: the one typed structure every later stage reads.

Every stage after ``mail`` (features, rules, model, campaigns, intel, store) works from a
``ParsedMessage``; none of them parses raw bytes again. The structs are msgspec Structs
because they are cheap to build (parsing is the hot path) and serialise straight to JSON.
Leaf structs are declared ``gc=False`` (they never form reference cycles), so the garbage
collector does not rescan the hundreds of them each message creates.
"""

from __future__ import annotations

import msgspec

from seawall.intake.source import Origin


class Address(msgspec.Struct, gc=False, frozen=True, omit_defaults=True):
    """A mailbox: display name and address as written, with the domain lower-cased."""

    address: str
    display_name: str = ""
    domain: str = ""
    name_apart: bool = False
    """The name stood apart from the address, a comma between them ('Microsoft account team
    ,_<x@y>', 'KundenService, <x@y>'): a mail client shows the name, a filter reads a mailbox
    without one."""


class Header(msgspec.Struct, gc=False, frozen=True, array_like=True):
    """One header field, RFC 2047 decoded and unfolded, in the order it appeared."""

    name: str
    value: str


class AuthResult(msgspec.Struct, gc=False, frozen=True, omit_defaults=True):
    """One ``method=result`` clause of an Authentication-Results header (RFC 8601)."""

    method: str
    result: str
    reason: str = ""
    properties: dict[str, str] = {}


class AuthResults(msgspec.Struct, frozen=True, omit_defaults=True):
    """One Authentication-Results (or ARC-Authentication-Results) header.

    ``position`` counts header fields from the top (0 = added last, nearest the reader),
    so a consumer can tell which receiving hop wrote it.
    """

    authserv_id: str
    results: list[AuthResult]
    position: int
    arc_instance: int | None = None


class Received(msgspec.Struct, gc=False, frozen=True, omit_defaults=True):
    """One Received hop, top (newest) first."""

    raw: str
    from_host: str = ""
    from_ip: str = ""
    by_host: str = ""
    protocol: str = ""
    timestamp: float | None = None
    position: int = -1
    """Index of the header among all the message's headers (as AuthResults.position)."""


class Link(msgspec.Struct, gc=False, frozen=True, omit_defaults=True):
    """A URL found in the message.

    ``where`` says how it was presented: ``text`` (plain-text body), ``html_anchor``,
    ``html_form``, ``html_area`` (image map), ``html_meta_refresh``, ``html_iframe``,
    ``html_base``; ``source`` is ``body`` or ``attachment:<path>`` for links found inside
    HTML attachments or attached messages. ``text`` is the visible text of an anchor.
    """

    url: str
    where: str
    source: str = "body"
    text: str = ""
    scheme: str = ""
    host: str = ""
    registered_domain: str = ""
    is_ip: bool = False
    port: int | None = None


class Form(msgspec.Struct, gc=False, frozen=True, omit_defaults=True):
    """An HTML form: where it posts and which kinds of inputs it asks for."""

    action: str
    method: str = "get"
    input_types: list[str] = []
    input_names: list[str] = []
    source: str = "body"

    @property
    def asks_password(self) -> bool:
        return "password" in self.input_types


class HtmlInfo(msgspec.Struct, omit_defaults=True):
    """What the HTML of a body or attachment contains beyond its visible text."""

    visible_text: str = ""
    title: str = ""
    forms: list[Form] = []
    scripts: list[str] = []
    script_srcs: list[str] = []
    hidden_text: str = ""
    tiny_text_chars: int = 0
    image_count: int = 0
    anchor_count: int = 0
    status_spoofs: int = 0
    """Links whose event handlers write the browser's status bar
    (``window.status='https://www.paypal.com'``): the address shown on hovering is not where the
    link goes."""
    meta_refresh: str = ""
    base_href: str = ""
    truncated: str = ""
    """Why only part of the HTML was analysed (empty when all of it was)."""


class OfficeInfo(msgspec.Struct, gc=False, frozen=True, omit_defaults=True):
    """What oletools found in an Office document (never executed, only read)."""

    has_macros: bool = False
    autoexec: list[str] = []
    suspicious: list[str] = []
    error: str = ""


class Attachment(msgspec.Struct, omit_defaults=True):
    """A file carried by the message, or found inside another attachment.

    Attachments form a flat list; ``parent`` is the index of the container (archive or
    attached message), ``path`` the human path (``invoice.zip/payload.exe``) and ``depth``
    the archive nesting level (0 for a file attached to the message itself).
    """

    index: int
    filename: str
    path: str
    declared_type: str
    sniffed_type: str
    size: int
    md5: str
    sha1: str
    sha256: str
    parent: int | None = None
    depth: int = 0
    disposition: str = ""
    content_id: str = ""
    encrypted: bool = False
    is_archive: bool = False
    is_message: bool = False
    members: int = 0
    password_found: str | None = None
    html: HtmlInfo | None = None
    office: OfficeInfo | None = None
    pdf_keywords: list[str] = []
    text_excerpt: str = ""

    @property
    def extension(self) -> str:
        name = self.filename.lower().rstrip(". ")
        dot = name.rfind(".")
        return name[dot + 1 :] if dot > 0 else ""


class Defect(msgspec.Struct, gc=False, frozen=True, omit_defaults=True):
    """Something wrong with the message; hostile input becomes defects, never exceptions."""

    kind: str
    detail: str = ""
    part: str = ""


class ParsedMessage(msgspec.Struct, omit_defaults=True):
    """One message, parsed once, with everything the later stages need."""

    sha256: str
    origin: Origin
    size: int
    headers: list[Header] = []
    subject: str = ""
    message_id: str = ""
    date: str = ""
    timestamp: float | None = None
    from_: Address | None = msgspec.field(default=None, name="from")
    from_count: int = 0
    sender: Address | None = None
    reply_to: list[Address] = []
    return_path: str = ""
    to: list[Address] = []
    cc: list[Address] = []
    auth_results: list[AuthResults] = []
    received: list[Received] = []
    text: str = ""
    html: HtmlInfo | None = None
    links: list[Link] = []
    attachments: list[Attachment] = []
    defects: list[Defect] = []
    part_count: int = 0
    mime_depth: int = 0

    @property
    def visible_text(self) -> str:
        """What a reader sees: the HTML rendering when there is one, else the plain text."""
        if self.html is not None and self.html.visible_text.strip():
            return self.html.visible_text
        return self.text

    def header(self, name: str) -> str | None:
        """The first header of that name (case-insensitive), or None."""
        lowered = name.lower()
        for header in self.headers:
            if header.name.lower() == lowered:
                return header.value
        return None

    def header_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [h.value for h in self.headers if h.name.lower() == lowered]

    @property
    def recipients(self) -> list[Address]:
        return [*self.to, *self.cc]
