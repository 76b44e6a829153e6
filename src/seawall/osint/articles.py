"""Reading reporting: plain-text articles, saved HTML pages, RSS/Atom feed files and PDF vendor
reports, offline.

HTML goes through trafilatura (main-text extraction and metadata: title, date, site name);
feeds through feedparser (parsing a file's bytes, never a URL); PDF through pypdf (text of
each page, with its decompression limits; no JavaScript, no links followed). Plain text scraped from a page
still carries the page's furniture (navigation, "Subscribe", comment prompts, other-language
fragments); no library cleans plain text, so :func:`clean_text` does, by line.
"""

from __future__ import annotations

import hashlib
import html as html_module
import io
import logging
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import msgspec

_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_](\d{2})(?:[-_](\d{2}))?(?!\d)")
_SENTENCE_END = re.compile(r"[.!?…\"”’)]\s*$")
_WIDGETS = re.compile(
    r"^(subscribe|newsfeed|log in|login|register|sign in|sign up|loader|chats?|share|comments?|"
    r"to participate in the discussion|read more|related|advertisement|cookies?|menu|search|world|"
    r"follow us|all materials|go to the mediabank|\d+)\b",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(r"^©|^\(c\)|photo:|image:", re.IGNORECASE)

log = logging.getLogger(__name__)


class Article(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One piece of reporting, as stored."""

    id: str
    """sha256 of the clean text (the same article read twice is one article)."""
    title: str = ""
    published: str = ""
    """ISO date (YYYY-MM-DD) or month (YYYY-MM) of publication; empty when unknown."""
    outlet: str = ""
    url: str = ""
    text: str
    path: str = ""


def _latin_share(line: str) -> float:
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for c in letters if c < "ɏ") / len(letters)


def clean_text(raw: str) -> tuple[str, str, str]:
    """(title, outlet, body) of a scraped plain-text page.

    A line is article text when it reads as prose: at least eight words, or ending like a
    sentence, mostly in the article's script, and not a widget label. The title is the first
    prose-like line without a final full stop that comes before the body, or the file's first
    line when a blank line follows it; the outlet, a leading "- Outlet" line.
    """
    lines = [line.strip() for line in raw.splitlines()]
    outlet = ""
    for line in lines[:3]:
        if line.startswith("- ") and len(line.split()) <= 5:
            outlet = line[2:].strip()
            break
    candidates = [
        line
        for line in lines
        if line
        and not _WIDGETS.match(line)
        and not _PHOTO_CREDIT.search(line)
        and _latin_share(line) >= 0.6  # drops another-language fragment (a Cyrillic caption)
        and not (outlet and line.startswith(("- " + outlet, outlet)) and len(line.split()) <= 6)
    ]
    title = ""
    start = 0
    first = lines[0] if lines else ""
    if (
        candidates
        and candidates[0] == first
        and len(lines) > 1
        and not lines[1]
        and 2 <= len(first.split()) <= 25
        and not first.endswith(".")
    ):
        # A file that opens with a line of its own is a title and its text ("Belgacom hack",
        # then the story), as a person or an export writes one; a scraped page opens with
        # furniture, where a title is told by its length alone.
        title, start = first, 1
    else:
        for position, line in enumerate(candidates[:12]):
            if 5 <= len(line.split()) <= 25 and not line.endswith("."):
                title, start = line, position + 1  # what precedes the headline is site furniture
                break
    body = []
    for line in candidates[start:]:
        words = len(line.split())
        if words >= 8 or (words >= 4 and _SENTENCE_END.search(line)):
            body.append(line)
    return title, outlet, "\n\n".join(body)


def date_from_name(name: str) -> str:
    """A publication date in a file name (2019-06-23 or 2019-06), else ""."""
    match = _DATE_IN_NAME.search(name)
    if not match:
        return ""
    year, month, day = match.groups()
    if not (1990 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        return ""
    return f"{year}-{month}-{day}" if day else f"{year}-{month}"


MAX_TITLE_CHARS = 500
"""A headline is a line (CASIE's longest title is under 200 characters); longer ones are cut:
the headline is parsed whole, not split into sentences, and a hostile title of 66,000
characters took 11 s to read, growing faster than its length."""

MAX_ARTICLE_TEXT_CHARS = 2_000_000
"""Text read from one article (a 300-page report is about 1 MB of text); the rest is dropped."""
MAX_MARKUP_TAGS = 50_000
"""Past this many tags a page or feed entry is not parsed as HTML (a parser's cost grows with
nesting and attributes); its tags are stripped in one linear pass instead."""
_ANY_TAG = re.compile(r"<[^<>]*>")
_OVERLONG_TAG = re.compile(r"<([A-Za-z][\w:-]{0,30})\s[^<>]{16384,}>")


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
"""Control characters but line breaks, tabs and form feeds (a PDF's page break): no reader's
text, and an escape sequence in an event's sentence would reach the analyst's terminal."""


def _make(text: str, **fields: str) -> Article:
    if len(text) > MAX_ARTICLE_TEXT_CHARS:
        log.warning("%s: text cut at %d characters", fields.get("path", "article"), MAX_ARTICLE_TEXT_CHARS)
        text = text[:MAX_ARTICLE_TEXT_CHARS]
    text = _CONTROLS.sub(" ", text)
    for name in ("title", "outlet"):
        if name in fields:
            fields[name] = _CONTROLS.sub(" ", fields[name][:MAX_TITLE_CHARS])
    return Article(id=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text, **fields)


MAX_ARTICLE_BYTES = 20 * 1024 * 1024
"""Larger files are not articles (a saved page is a few hundred KB, a feed a few MB)."""


_TAGGED_HEAD = re.compile(rb"<(?:title|source|date|text)[\s>]")
"""How a file of tagged fields (CASIE's) opens."""


class ArticleTooLargeError(ValueError):
    """A file past ``MAX_ARTICLE_BYTES``: skipped, never read into memory."""


def read_articles(path: Path, published: str = "", outlet: str = "") -> list[Article]:
    """Every article in one file: a feed gives many, a page or a text file one."""
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise ArticleTooLargeError(f"{size:,} bytes, more than the {MAX_ARTICLE_BYTES:,} an article may have")
    data = path.read_bytes()
    head = data[:2048].lstrip().lower()
    if (head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head)) or head.startswith(
        (b"<rss", b"<feed")
    ):
        return _from_feed(data, path, outlet)
    if data.startswith(b"%PDF-") or path.suffix.lower() == ".pdf":
        article = _from_pdf(data, path, published, outlet)
        return [article] if article is not None else []
    if b"<html" in head or b"<!doctype html" in head or path.suffix.lower() in (".html", ".htm"):
        article = _from_html(data, path, published, outlet)
        return [article] if article is not None else []
    text = data.decode("utf-8", errors="replace")
    if _TAGGED_HEAD.match(head):
        return [_from_tagged_text(text, path, published, outlet)]
    title, found_outlet, body = clean_text(text)
    if not body:
        return []
    return [
        _make(
            body,
            title=title,
            published=published or date_from_name(path.name),
            outlet=outlet or found_outlet,
            path=str(path),
        )
    ]


# A field ends at its closing tag, or where the next field opens when the closing tag is
# missing (CASIE's "<title>WSJ: How a Michigan Utility Got Hacked" has none), or at the end;
# an opening tag may carry attributes (``<title data-react-helmet="true">``).
_FIELDS = "title|source|date|text"
_TAG = re.compile(rf"<({_FIELDS})\b[^<>]*>(.*?)(?=</\1\s*>|<(?:{_FIELDS})\b[^<>]*>|\Z)", re.DOTALL)
_TAGGED_DATE = re.compile(r"^\s*(\d{4})[_-](\d{1,2})(?:[_-](\d{1,2}))?\s*$")


def _from_tagged_text(text: str, path: Path, published: str, outlet: str) -> Article:
    """A news article saved with its fields in tags, as the CASIE corpus keeps them:
    ``<title>``, ``<source>`` (the address), ``<date>`` (``2018_11_09``) and ``<text>``. The tags
    are read, never left in the title or the text."""
    fields = {name: value.strip() for name, value in _TAG.findall(text[:MAX_ARTICLE_BYTES])}
    found_date = _TAGGED_DATE.match(fields.get("date", ""))
    if found_date and not published:
        year, month, day = found_date.groups()
        published = f"{year}-{int(month):02d}-{int(day):02d}" if day else f"{year}-{int(month):02d}"
    body = fields.get("text", "").strip()
    return _make(
        body,
        title=" ".join(fields.get("title", "").split()),
        published=published or date_from_name(path.name),
        outlet=outlet,
        url=fields.get("source", ""),
        path=str(path),
    )


def _from_html(data: bytes, path: Path, published: str, outlet: str) -> Article | None:
    import trafilatura

    html = data.decode("utf-8", errors="replace")
    # A tag of thousands of attributes is no page's; lxml checks each attribute against the
    # others (quadratic). Such tags lose their attributes; too many tags, no parse at all.
    html = _OVERLONG_TAG.sub(r"<\1>", html)
    if html.count("<") > MAX_MARKUP_TAGS:
        text = _strip_tags_linearly(html)
        return (
            _make(
                text,
                title="",
                published=published or date_from_name(path.name),
                outlet=outlet,
                url="",
                path=str(path),
            )
            if text
            else None
        )
    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if document is None:
        return None
    text = str(getattr(document, "text", "") or "").strip()
    if not text:
        return None
    paragraphs = [p for p in text.split("\n") if _latin_share(p) >= 0.6]
    meta = {name: str(getattr(document, name, "") or "") for name in ("title", "date", "sitename", "url")}
    return _make(
        "\n\n".join(paragraphs),
        title=meta["title"],
        published=published or meta["date"][:10] or date_from_name(path.name),
        outlet=outlet or meta["sitename"],
        url=meta["url"],
        path=str(path),
    )


MAX_PDF_PAGES = 300
"""A vendor report is tens of pages; past this, pages are not read."""


class PdfReportError(ValueError):
    """A PDF that cannot be read as a report (encrypted with a password, no text layer)."""


def _from_pdf(data: bytes, path: Path, published: str, outlet: str) -> Article | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # a broken file is reported once, as this file's reason for being skipped, not as pypdf's
    # warnings on the way
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfReportError("encrypted with a password")
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except PyPdfError as exc:
        raise PdfReportError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    body = pdf_text(pages)
    if not body:
        return None
    meta = reader.metadata
    title = str(meta.title or "").strip() if meta else ""
    author = str(meta.author or "").strip() if meta else ""
    created = meta.creation_date if meta else None
    return _make(
        body,
        title=title,
        published=published or (created.date().isoformat() if created else "") or date_from_name(path.name),
        outlet=outlet or (author if 0 < len(author.split()) <= 5 else ""),
        path=str(path),
    )


_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d+(?:\s*(?:of|/)\s*\d+)?$", re.IGNORECASE)


def pdf_text(pages: list[str]) -> str:
    """The running text of a report's pages: paragraphs rejoined, page furniture dropped.

    A PDF's text layer breaks lines where the page did and repeats headers and footers on every
    page ("TLP:CLEAR", "Page 3 of 20"). Written by hand because no library we ship rebuilds
    prose from it: a line seen on half the pages or more (at least two) is furniture; a line
    not ending a sentence runs on into the next; a word hyphenated across lines is rejoined.
    """
    split = [[line.strip() for line in page.splitlines()] for page in pages]
    seen = Counter(line for lines in split for line in set(lines) if line)
    repeated = max(2, len(pages) / 2)
    furniture = {line for line, count in seen.items() if count >= repeated}
    paragraphs: list[str] = []
    current = ""
    for lines in split:
        for line in lines:
            if not line or line in furniture or _PAGE_NUMBER.match(line):
                if current and not line:
                    paragraphs.append(current)
                    current = ""
                continue
            if current.endswith("-") and line[:1].islower():
                current = current[:-1] + line
            else:
                current = f"{current} {line}" if current else line
            if _SENTENCE_END.search(line) and len(line.split()) < 12:
                paragraphs.append(current)  # a short line ending a sentence ends its paragraph
                current = ""
    if current:
        paragraphs.append(current)
    kept = [p for p in paragraphs if _latin_share(p) >= 0.6]
    return "\n\n".join(kept)


def _from_feed(data: bytes, path: Path, outlet: str) -> list[Article]:
    import feedparser

    parsed = feedparser.parse(data)  # bytes: parsed in memory, nothing is fetched
    feed_title = str(parsed.feed.get("title", "")) if parsed.get("feed") else ""
    articles = []
    for entry in parsed.entries:
        summary = (
            entry.get("content", [{}])[0].get("value") if entry.get("content") else entry.get("summary", "")
        )
        text = _strip_html(str(summary or ""))
        if not text:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        when = date(*stamp[:3]).isoformat() if stamp else ""
        articles.append(
            _make(
                text,
                title=str(entry.get("title", "")),
                published=when,
                outlet=outlet or feed_title,
                url=str(entry.get("link", "")),
                path=str(path),
            )
        )
    return articles


def _strip_tags_linearly(markup: str) -> str:
    """Text of markup too big to parse: tags dropped in one pass, entities read."""
    return " ".join(html_module.unescape(_ANY_TAG.sub(" ", markup)).split())


def _strip_html(fragment: str) -> str:
    if "<" not in fragment:
        return " ".join(fragment.split())
    if fragment.count("<") > MAX_MARKUP_TAGS:
        return _strip_tags_linearly(fragment)
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(fragment)
    return " ".join(tree.text(separator=" ").split())


def parse_published(value: str) -> tuple[date | None, str]:
    """(anchor date, precision: day / month / year / "") of a published string."""
    value = value.strip()
    for fmt, precision in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return datetime.strptime(value[: len(datetime(2000, 1, 1).strftime(fmt))], fmt).date(), precision
        except ValueError:
            continue
    return None, ""
