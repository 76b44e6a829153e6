"""The fast boundary matcher behaves exactly like the regular expression feedparser compiles."""

from __future__ import annotations

import random
import re

from seawall.mail.boundaries import BoundaryMatcher, _FeedparserRe

ALPHABET = ["-", "-", "a", "=", " ", "\t", "\r", "\n", "x", "_", "."]


def real(separator: str) -> re.Pattern[str]:
    return re.compile(
        "(?P<sep>" + re.escape(separator) + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
    )


def test_matcher_agrees_with_the_regex_on_random_lines() -> None:
    rng = random.Random(20240611)
    for _ in range(20000):
        boundary = "".join(rng.choice("ab=_.-+()?*[]\\ ") for _ in range(rng.randint(1, 8)))
        separator = "--" + boundary
        pattern = real(separator)
        fast = _FeedparserRe().compile(pattern.pattern)
        assert isinstance(fast, BoundaryMatcher) and fast.separator == separator
        tail = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))
        line = separator + tail if rng.random() < 0.9 else tail + separator
        expected = pattern.match(line)
        got = fast.match(line)
        assert (expected is None) == (got is None), (separator, line)
        if expected is not None and got is not None:
            for group in (0, "end", "ws", "linesep", "sep"):
                assert got.group(group) == expected.group(group), (separator, line, group)


def test_other_patterns_are_compiled_normally() -> None:
    shim = _FeedparserRe()
    assert isinstance(shim.compile(r"\r\n|\n"), re.Pattern)
    assert shim.escape("a.b") == re.escape("a.b")
