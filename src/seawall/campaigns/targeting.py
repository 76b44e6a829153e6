"""Who a campaign targets: recipients mapped to organisations and sectors, and the most
attacked people (after Proofpoint's "Very Attacked People")."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from seawall.config import Settings, Target
from seawall.mail.domains import email_domain


@dataclass(frozen=True, slots=True)
class Placement:
    organisation: str
    sector: str


UNKNOWN = Placement("", "")


class Targeting:
    """Recipient domain -> organisation and sector (a subdomain inherits its parent's entry)."""

    def __init__(self, targets: Iterable[Target]) -> None:
        self.by_domain: dict[str, Placement] = {}
        for target in targets:
            for domain in target.domains:
                self.by_domain[domain.lower().strip(".")] = Placement(target.organisation, target.sector)

    @classmethod
    def from_settings(cls, settings: Settings) -> Targeting:
        return cls(settings.targets)

    def place(self, address: str) -> Placement:
        domain = email_domain(address)
        while domain:
            found = self.by_domain.get(domain)
            if found is not None:
                return found
            domain = domain.partition(".")[2]
        return UNKNOWN


@dataclass(slots=True)
class AttackedPerson:
    address: str
    organisation: str
    sector: str
    messages: int = 0
    campaigns: set[int] = field(default_factory=set)
    attack_index: float = 0.0
    """Sum of the scores (0-1) of the campaign messages this person received."""


def summarise_targets(
    targeting: Targeting, recipients: Iterable[tuple[str, int, float]]
) -> tuple[list[AttackedPerson], Counter[str], Counter[str]]:
    """(people ranked by attack index, messages per organisation, messages per sector)
    from (recipient, campaign id, score 0-100) triples."""
    people: dict[str, AttackedPerson] = {}
    organisations: Counter[str] = Counter()
    sectors: Counter[str] = Counter()
    seen: defaultdict[str, int] = defaultdict(int)
    for address, campaign_id, score in recipients:
        placement = targeting.place(address)
        person = people.get(address)
        if person is None:
            person = people[address] = AttackedPerson(address, placement.organisation, placement.sector)
        person.messages += 1
        person.campaigns.add(campaign_id)
        person.attack_index += score / 100.0
        seen[address] += 1
        organisations[placement.organisation or "(unknown)"] += 1
        sectors[placement.sector or "(unknown)"] += 1
    ranked = sorted(people.values(), key=lambda p: (-p.attack_index, p.address))
    return ranked, organisations, sectors
