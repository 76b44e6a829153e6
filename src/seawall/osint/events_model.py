"""The event record: one cyber operation with everything the reporting says about it.

Stored as JSON in the store (``store/osint.py``), listed, exported as STIX; the pipeline
(``events.py``) fills it and ``merge.py`` folds reports of one operation together.
"""

from __future__ import annotations

import msgspec

from seawall.osint.dates import EventDate

GENERIC = "cyberattack"
"""The type of an operation the wording does not narrow down ("the Lazarus attack")."""
INTRUSION = "intrusion"
"""Breaking into systems: how the attacker got in, not what was done inside, so it goes with
any other type of the same operation ("broke into the networks and stole records")."""
UNSPECIFIC = frozenset({GENERIC, INTRUSION})
LEVELS = ("confirmed", "claimed", "widely believed", "reported")


class Source(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str
    kind: str = ""
    """``vendor``, ``outlet`` or ``publisher`` (the outlet the article came from)."""


class Evidence(msgspec.Struct, frozen=True, omit_defaults=True):
    article: str
    sentence: str
    outlet: str = ""
    published: str = ""


class Event(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One cyber operation, with everything the reporting says about it."""

    id: str = ""
    attacker_countries: list[str] = []
    aligned_countries: list[str] = []
    """The attacker countries known only through operators aligned with them ("pro-Russian
    hacktivists"), not through the state or a group it sponsors."""
    attacker_groups: list[str] = []
    attacker_text: list[str] = []
    malware: list[str] = []
    victim_countries: list[str] = []
    victim_regions: list[str] = []
    """World regions struck where no country is named ("ministries in Europe", "Middle East")."""
    victim_sectors: list[str] = []
    victim_text: list[str] = []
    types: list[str] = []
    techniques: list[str] = []
    date: EventDate | None = None
    sources: list[Source] = []
    attribution: str = "reported"
    evidence: list[Evidence] = []

    def key(self) -> str:
        """What identifies the operation: who, against whom, what, when (a malware name is not
        an attacker and is left out, so that two operations with one tool keep two ids)."""
        return "|".join(
            [
                ",".join(sorted({*self.attacker_countries, *self.attacker_groups})),
                ",".join(sorted(self.victim_countries)),
                ",".join(sorted(t.lower() for t in self.victim_text[:1])),
                ",".join(sorted(self.types)),
                self.date.start if self.date else "",
            ]
        )
