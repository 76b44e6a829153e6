"""Faster MIME boundary matching for the standard library's feedparser.

``email.feedparser`` compiles a new regular expression for every multipart boundary it meets
(``(?P<sep>--boundary)(?P<end>--)?(?P<ws>[ \\t]*)(?P<linesep>\\r\\n|\\r|\\n)?$``). Boundaries
are unique per message, so Python's regex cache never helps, and compiling costs more than a
fifth of the parser's time on real mail. This module gives feedparser an object that behaves
exactly like that compiled pattern for ``match`` (the only method feedparser calls), built
with string operations; every other use of ``re`` inside feedparser is passed through.
``tests/test_boundaries.py`` checks equivalence with the real regular expression.
"""

from __future__ import annotations

import re
from email import feedparser
from typing import Any

_PREFIX = "(?P<sep>"
_SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)


class BoundaryMatch:
    """The subset of ``re.Match`` feedparser uses: ``group(name)`` and ``group(0)``."""

    __slots__ = ("_end", "_linesep", "_text", "_ws")

    def __init__(self, text: str, end: str | None, ws: str, linesep: str | None) -> None:
        self._text = text
        self._end = end
        self._ws = ws
        self._linesep = linesep

    def group(self, name: int | str = 0) -> str | None:
        if name == 0:
            return self._text
        if name == "end":
            return self._end
        if name == "linesep":
            return self._linesep
        if name == "ws":
            return self._ws
        if name == "sep":
            return self._text[
                : len(self._text) - len(self._end or "") - len(self._ws) - len(self._linesep or "")
            ]
        raise IndexError(name)

    def __bool__(self) -> bool:
        return True


class BoundaryMatcher:
    """Equivalent of the compiled boundary pattern for one separator."""

    __slots__ = ("pattern", "separator")

    def __init__(self, separator: str, pattern: str) -> None:
        self.separator = separator
        self.pattern = pattern

    def match(self, line: str) -> BoundaryMatch | None:
        separator = self.separator
        if not line.startswith(separator):
            return None
        position = len(separator)
        end = None
        if line.startswith("--", position):
            end = "--"
            position += 2
        ws_start = position
        length = len(line)
        while position < length and line[position] in " \t":
            position += 1
        ws = line[ws_start:position]
        rest = line[position:]
        # (?P<linesep>\r\n|\r|\n)? then $ (end of string, or before a final newline)
        for linesep in ("\r\n", "\r", "\n"):
            if rest.startswith(linesep):
                remaining = rest[len(linesep) :]
                if remaining in ("", "\n"):
                    return BoundaryMatch(line[: position + len(linesep)], end, ws, linesep)
        if rest in ("", "\n"):
            return BoundaryMatch(line[:position], end, ws, None)
        return None


class _FeedparserRe:
    """Stands in for the ``re`` module inside feedparser; only boundary patterns change."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if (
            isinstance(pattern, str)
            and not flags
            and pattern.startswith(_PREFIX)
            and pattern.endswith(_SUFFIX)
        ):
            escaped = pattern[len(_PREFIX) : -len(_SUFFIX)]
            return BoundaryMatcher(_UNESCAPE.sub(r"\1", escaped), pattern)
        return re.compile(pattern, flags)


def install() -> None:
    """Make feedparser use the fast matcher (idempotent)."""
    if not isinstance(getattr(feedparser, "re", None), _FeedparserRe):
        setattr(feedparser, "re", _FeedparserRe())  # noqa: B010 - mypy does not see feedparser.re
