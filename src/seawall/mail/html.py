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
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|div|br|tr|td|th|li|h[1-6]|table|tbody|ul|ol|blockquote|section|article|"
    r"header|footer|hr|center|dd|dt|pre|address|form|fieldset|option)[\s/>])",
    re.IGNORECASE,
)
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
    return clean_text(node.text(deep=True, separator=" "))


def analyse_html(html: str, source: str = "body") -> tuple[HtmlInfo, list[HtmlLink]]:
    """Parse one HTML document into visible text, structure and links; never raises."""
    info = HtmlInfo()
    links: list[HtmlLink] = []
    try:
        tree = LexborHTMLParser(_BLOCK_TAG.sub("\n<", html))
    except Exception:  # pragma: no cover - Lexbor accepts any input; kept as a last guard
        return info, links

    title = tree.css_first("title")
    if title is not None:
        info.title = _node_text(title)[:500]

    total_script = 0
    for script in tree.css("script"):
        src = script.attributes.get("src")
        if src:
            info.script_srcs.append(src[:MAX_URL_CHARS])
        body = script.text(deep=True) or ""
        if body and total_script < MAX_SCRIPTS_TOTAL:
            clipped = body[:MAX_SCRIPT_CHARS]
            info.scripts.append(clipped)
            total_script += len(clipped)

    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "refresh":
            match = _META_REFRESH_URL.search(meta.attributes.get("content") or "")
            if match:
                info.meta_refresh = match.group(1).strip()[:MAX_URL_CHARS]
                links.append(HtmlLink(info.meta_refresh, "html_meta_refresh"))

    base = tree.css_first("base[href]")
    if base is not None:
        info.base_href = (base.attributes.get("href") or "")[:MAX_URL_CHARS]

    for anchor in tree.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        info.anchor_count += 1
        text = _node_text(anchor)
        links.append(HtmlLink(href, "html_anchor", text))
    for area in tree.css("area[href]"):
        href = (area.attributes.get("href") or "").strip()
        if href:
            links.append(HtmlLink(href, "html_area", area.attributes.get("alt") or ""))
    for frame in tree.css("iframe[src],frame[src],embed[src],object[data]"):
        src = (frame.attributes.get("src") or frame.attributes.get("data") or "").strip()
        if src:
            links.append(HtmlLink(src, "html_iframe"))

    forms_seen_password = False
    for form in tree.css("form"):
        action = (form.attributes.get("action") or "").strip()
        input_types: list[str] = []
        input_names: list[str] = []
        for field in form.css("input,textarea,select"):
            kind = (field.attributes.get("type") or field.tag or "text").lower()
            input_types.append(kind)
            name = field.attributes.get("name") or field.attributes.get("id") or ""
            if name:
                input_names.append(name.lower()[:100])
        forms_seen_password |= "password" in input_types
        info.forms.append(
            Form(action=action[:MAX_URL_CHARS],
                 method=(form.attributes.get("method") or "get").lower(),
                 input_types=input_types[:100], input_names=input_names[:100], source=source)
        )
        if action and not action.startswith("#"):
            links.append(HtmlLink(action, "html_form"))
    if not forms_seen_password:
        # Phishing kits often drop the <form> and post password fields with script.
        if tree.css_first('input[type="password" i]') is not None:
            info.forms.append(Form(action="", method="script", input_types=["password"],
                                   source=source))

    info.image_count = len(tree.css("img"))

    hidden_parts: list[str] = []
    for node in _outermost(tree.css(_HIDDEN_SELECTOR)):
        text = _node_text(node)
        if text:
            hidden_parts.append(text)
        node.remove()
    info.hidden_text = "\n".join(hidden_parts)[:20000]
    for node in _outermost(tree.css(_TINY_SELECTOR)):
        info.tiny_text_chars += len(_node_text(node))
        node.remove()

    tree.strip_tags(["script", "style", "noscript", "template", "head", "title"])
    root = tree.body or tree.root
    if root is not None:
        info.visible_text = clean_text(root.text(deep=True, separator=""))
    return info, links
