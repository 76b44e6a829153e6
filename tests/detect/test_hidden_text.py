"""Text hidden from the reader: padding that shows filters words of its own, told from a hidden
copy of what the reader sees and from fonts that only look small in the style sheet."""

from __future__ import annotations

from seawall.mail.model import ParsedMessage
from tests.support.features import features_of, html_message

VISIBLE = (
    "Friends, today the candidate is back in Chicago collecting big checks from donors. "
    "Chip in five dollars before midnight to fund our response ads. "
)
PADDING = (
    "Meteorologists expect warmer weather across northern provinces while rivers recede slowly "
    "after heavy spring rainfall; harvest cooperatives report modest yields of barley. "
)


def parsed(html: str) -> ParsedMessage:
    return html_message(html, "Campaign <info@campaign.example>", "Before midnight")


def hidden_chars(html: str) -> float:
    return sum(float(hit.value) for hit in features_of(parsed(html)).get("html.hidden_text_chars", []))


def test_hidden_words_of_its_own_count_and_a_hidden_copy_of_the_visible_text_does_not() -> None:
    padded = f"<p>{VISIBLE}</p><div style='display:none'>{PADDING * 8}</div>"
    assert hidden_chars(padded) >= 1000
    preview_copy = f"<div style='display: none; max-height: 0px'>{VISIBLE * 8}</div><p>{VISIBLE}</p>"
    assert hidden_chars(preview_copy) == 0


def test_a_font_size_is_read_as_a_size_not_as_a_prefix() -> None:
    # "font-size:0.875rem" (14 px) is a reply's ordinary text, not hidden or tiny
    reply = parsed(f"<div style='direction:ltr;font-size:0.875rem'>{VISIBLE}</div>")
    assert reply.html is not None
    assert reply.html.tiny_text_chars == 0 and "candidate is back in Chicago" in reply.html.visible_text
    for tiny in ("font-size:0", "font-size: 0px", "font-size:1px", "font-size:0.05em"):
        message = parsed(f"<p>Hello</p><span style='{tiny}'>{PADDING}</span>")
        assert message.html is not None
        assert message.html.tiny_text_chars == len(PADDING.strip()), tiny
        assert "Meteorologists" not in message.html.visible_text
    # a hidden element inside text of an ordinary size is still found
    nested = parsed(f"<div style='font-size:0.9em'><p>{VISIBLE}</p><div hidden>{PADDING}</div></div>")
    assert nested.html is not None and nested.html.hidden_text.startswith("Meteorologists")
