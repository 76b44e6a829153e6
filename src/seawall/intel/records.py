"""Imported threat-intelligence indicators as they are stored and matched.

Kept apart from ``feeds.py`` so that scanning mail does not import the feed readers (pymisp,
stix2-patterns), which only ``seawall intel import`` needs.
"""

from __future__ import annotations

import msgspec


class FeedIndicator(msgspec.Struct, frozen=True, omit_defaults=True):
    kind: str
    value: str
    source: str
    actor: str = ""
    actor_country: str = ""
    confidence: int = 50
    description: str = ""
