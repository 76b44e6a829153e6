"""HTML bodies and attachments: visible text, links, forms and scripts, read with a real parser.

selectolax (the Lexbor HTML5 engine) parses; nothing is rendered, no resource is fetched and
no script runs. Hidden elements are read apart from the visible text, so a lure hidden from
the reader (or padding hidden from a filter) is seen for what it is.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from seawall.mail.model import Form, HtmlInfo

MAX_SCRIPT_CHARS = 65536
MAX_SCRIPTS_TOTAL = 262144
MAX_URL_CHARS = 4096
MAX_ANCHOR_TEXT = 500

# Block-level tags end a line of visible text; inline tags (b, span, a) must not split a
# word. Lexbor's text() joins nodes with one separator for all, so a newline is inserted
# before each block tag in the source first: cheaper than walking every node in Python.
# Matched case-sensitively in lower and upper case (twice as fast as IGNORECASE); a
# mixed-case "<Div>" only loses a line break.
_BLOCK_NAMES = (
    "p|div|br|tr|td|th|li|h[1-6]|table|tbody|ul|ol|blockquote|section|article|header|"
    "footer|hr|center|dd|dt|pre|address|form|fieldset|option"
)
_BLOCK_TAG = re.compile(r"<(?=/?(?:" + _BLOCK_NAMES + "|" + _BLOCK_NAMES.upper() + r")[\s/>])")
# Horizontal white space and the invisible characters used to split words past filters.
_SPACES = re.compile(
    r"[ \t\r\f\v\u00a0\u200b\u200c\u200d\u2060\ufeff\u034f\u00ad\u2000-\u200a\u202f"
    r"\u205f\u3000\x1c-\x1f\x85\u2028\u2029]+"
)
_BLANK_LINES = re.compile(r" ?\n[ \n]*")

_HIDDEN_SELECTOR = ",".join(
    [
        "[hidden]",
        '[style*="display:none" i]',
        '[style*="display: none" i]',
        '[style*="visibility:hidden" i]',
        '[style*="visibility: hidden" i]',
        '[style*="opacity:0;" i]',
        '[style*="opacity: 0;" i]',
    ]
)
_TINY_SELECTOR = ",".join(
    [
        '[style*="font-size:0" i]',
        '[style*="font-size: 0" i]',
        '[style*="font-size:1px" i]',
        '[style*="font-size: 1px" i]',
    ]
)
_FONT_SIZE = re.compile(r"font-size\s*:\s*(\d*\.?\d+)\s*(px|pt|r?em|%)?", re.IGNORECASE)
_TINY_AT_MOST = {"": 1.0, "px": 1.0, "pt": 1.0, "em": 0.1, "rem": 0.1, "%": 10.0}
"""The largest size, per unit, at which no reader makes out the text (a 16-pixel em)."""


def _tiny_font(style: str) -> bool:
    """Whether an element's style sets a font no reader can make out."""
    match = _FONT_SIZE.search(style)
    return match is not None and float(match.group(1)) <= _TINY_AT_MOST[(match.group(2) or "").lower()]


_META_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Collapse runs of spaces and zero-width characters; keep one newline between lines."""
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


class HtmlLink:
    """A URL found in HTML, before domain analysis (done once, in ``mail.links``)."""

    __slots__ = ("text", "url", "where")

    def __init__(self, url: str, where: str, text: str = "") -> None:
        self.url = url[:MAX_URL_CHARS]
        self.where = where
        self.text = text[:MAX_ANCHOR_TEXT]


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """Drop nodes nested inside other selected nodes, so no text is counted twice."""
    if len(nodes) < 2:
        return nodes
    selected = {node.mem_id for node in nodes}
    kept = []
    for node in nodes:
        parent = node.parent
        nested = False
        while parent is not None:
            if parent.mem_id in selected:
                nested = True
                break
            parent = parent.parent
        if not nested:
            kept.append(node)
    return kept


def _node_text(node: LexborNode) -> str:
    """A node's text on one line; cheaper than clean_text for the many short anchor texts."""
    text = node.text(deep=True, separator=" ")
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u034f\u00ad]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0\s*;", re.IGNORECASE)
# One traversal collects every element of interest; each css() call walks the whole tree.
_ELEMENTS = (
    "title,script,meta[http-equiv],base[href],a[href],area[href],iframe[src],frame[src],"
    "embed[src],object[data],form,img,input"
)
_STATUS_WRITE = re.compile(r"\bstatus\s*=[^=]", re.IGNORECASE)
"""An event handler that sets the status bar's text ("window.status='…'", "status=…")."""
_LINK_ATTRIBUTE = {"iframe": "src", "frame": "src", "embed": "src", "object": "data"}


MAX_TAGS_UNCHECKED = 5000
MAX_NESTING = 1000
# A tag's attributes never hold "<": stopping there keeps a run of unclosed "<a " linear (the
# lazy "[^>]*?" scanned to the end of the document from every one of them).
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>")
# HTML5 ignores the self-closing slash on its own elements: "<div/>" opens a div. Only foreign
# (SVG, MathML) elements close themselves so.
_HTML_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "address",
        "article",
        "aside",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "body",
        "button",
        "caption",
        "center",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "fieldset",
        "figcaption",
        "figure",
        "font",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "html",
        "i",
        "iframe",
        "ins",
        "kbd",
        "label",
        "legend",
        "li",
        "main",
        "mark",
        "nav",
        "noscript",
        "object",
        "ol",
        "optgroup",
        "option",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "section",
        "select",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "u",
        "ul",
        "var",
        "video",
        "audio",
        "canvas",
    ]
)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "param",
        "keygen",
    }
)


def _limit_nesting(html: str) -> tuple[str, int]:
    """Cut the HTML where elements nest deeper than MAX_NESTING.

    The HTML5 tree builder's cost grows with the square of the nesting depth (100,000 nested
    divs take Lexbor twenty seconds); no real message nests a thousand elements deep. Only
    documents with many tags are scanned, so ordinary mail pays a single count().
    """
    depth = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if name in _VOID or (match.group(3).endswith("/") and name not in _HTML_ELEMENTS):
            continue
        depth += -1 if match.group(1) else 1
        if depth > MAX_NESTING:
            return html[: match.start()], match.start()
        depth = max(depth, 0)
    return html, 0


def analyse_html(html: str, source: str = "body") -> tuple[HtmlInfo, list[HtmlLink]]:
    """Parse one HTML document into visible text, structure and links; never raises."""
    info = HtmlInfo()
    links: list[HtmlLink] = []
    if html.count("<") > MAX_TAGS_UNCHECKED:
        html, cut = _limit_nesting(html)
        if cut:
            info.truncated = f"nesting deeper than {MAX_NESTING} elements; analysed up to offset {cut}"
    try:
        tree = LexborHTMLParser(_BLOCK_TAG.sub("\n<", html))
    except Exception:  # pragma: no cover - Lexbor accepts any input; kept as a last guard
        return info, links

    total_script = 0
    password_outside_form = False
    # handlers are read only in documents that write a status bar at all (most never do)
    status_written = "status" in html or "STATUS" in html or "Status" in html
    forms = []
    for node in tree.css(_ELEMENTS):
        tag = node.tag
        attributes = node.attributes
        if tag == "a":
            href = (attributes.get("href") or "").strip()
            if href and not href.startswith("#"):
                info.anchor_count += 1
                links.append(HtmlLink(href, "html_anchor", _node_text(node)))
                if status_written and any(
                    name.lower().startswith("on") and value and _STATUS_WRITE.search(value)
                    for name, value in attributes.items()
                ):
                    info.status_spoofs += 1
        elif tag == "img":
            info.image_count += 1
        elif tag == "input":
            if (attributes.get("type") or "").lower() == "password":
                password_outside_form = True
        elif tag == "form":
            forms.append(node)
        elif tag == "script":
            src = attributes.get("src")
            if src:
                info.script_srcs.append(src[:MAX_URL_CHARS])
            body = node.text(deep=True) or ""
            if body and total_script < MAX_SCRIPTS_TOTAL:
                clipped = body[:MAX_SCRIPT_CHARS]
                info.scripts.append(clipped)
                total_script += len(clipped)
        elif tag == "area":
            href = (attributes.get("href") or "").strip()
            if href:
                links.append(HtmlLink(href, "html_area", attributes.get("alt") or ""))
        elif tag in _LINK_ATTRIBUTE:
            src = (attributes.get(_LINK_ATTRIBUTE[tag]) or "").strip()
            if src:
                links.append(HtmlLink(src, "html_iframe"))
        elif tag == "meta":
            if (attributes.get("http-equiv") or "").lower() == "refresh":
                match = _META_REFRESH_URL.search(attributes.get("content") or "")
                if match and not info.meta_refresh:
                    info.meta_refresh = match.group(1).strip()[:MAX_URL_CHARS]
                    links.append(HtmlLink(info.meta_refresh, "html_meta_refresh"))
        elif tag == "base":
            info.base_href = info.base_href or (attributes.get("href") or "")[:MAX_URL_CHARS]
        elif tag == "title" and not info.title:
            info.title = _node_text(node)[:500]

    form_has_password = False
    for form in forms:
        action = (form.attributes.get("action") or "").strip()
        input_types: list[str] = []
        input_names: list[str] = []
        for field in form.css("input,textarea,select"):
            kind = (field.attributes.get("type") or field.tag or "text").lower()
            input_types.append(kind)
            name = field.attributes.get("name") or field.attributes.get("id") or ""
            if name:
                input_names.append(name.lower()[:100])
        form_has_password |= "password" in input_types
        info.forms.append(
            Form(
                action=action[:MAX_URL_CHARS],
                method=(form.attributes.get("method") or "get").lower(),
                input_types=input_types[:100],
                input_names=input_names[:100],
                source=source,
            )
        )
        if action and not action.startswith("#"):
            links.append(HtmlLink(action, "html_form"))
    if password_outside_form and not form_has_password:
        # Phishing kits often drop the <form> and post password fields with script.
        info.forms.append(Form(action="", method="script", input_types=["password"], source=source))

    hidden_parts: list[str] = []
    # the selector matches a prefix ("font-size:0" also matches "font-size:0.875rem"): only
    # what is hidden or set in a font no reader makes out is kept, before nesting is decided
    concealed = [
        node
        for node in tree.css(_HIDDEN_SELECTOR + "," + _TINY_SELECTOR)
        if "hidden" in node.attributes
        or _HIDDEN_STYLE.search(node.attributes.get("style") or "")
        or _tiny_font(node.attributes.get("style") or "")
    ]
    for node in _outermost(concealed):
        text = _node_text(node)
        style = node.attributes.get("style") or ""
        if "hidden" not in node.attributes and not _HIDDEN_STYLE.search(style):
            info.tiny_text_chars += len(text)
        elif text:
            hidden_parts.append(text)
        node.remove()
    info.hidden_text = "\n".join(hidden_parts)[:20000]

    tree.strip_tags(["script", "style", "noscript", "template", "head", "title"])
    root = tree.body or tree.root
    if root is not None:
        info.visible_text = clean_text(root.text(deep=True, separator=""))
    return info, links
