"""Intelligence out: STIX 2.1 bundles (stix2), MISP events (pymisp) and CSV.

Identifiers are deterministic (UUIDv5 over what an object *is*: the indicator's kind and value,
the organisation and campaign number, the technique id), and ``created`` / ``modified`` come
from first and last sighting, so exporting again yields the same ids and OpenCTI or MISP
update their objects instead of duplicating them.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import stix2
import yaml
from pymisp import MISPEvent

from seawall import __version__
from seawall.intel.actors import default_gazetteer

NAMESPACE = uuid.UUID("5d1c3b7e-2f0a-4f57-9a43-5ea3a11f0001")
"""Seawall's UUIDv5 namespace for deterministic STIX ids."""

_PATTERNS = {
    "url": "url:value",
    "domain": "domain-name:value",
    "ipv4": "ipv4-addr:value",
    "ipv6": "ipv6-addr:value",
    "email": "email-addr:value",
    "sha256": "file:hashes.'SHA-256'",
    "sha1": "file:hashes.'SHA-1'",
    "md5": "file:hashes.MD5",
}
_MISP_TYPES = {
    "url": ("url", "Network activity"),
    "domain": ("domain", "Network activity"),
    "ipv4": ("ip-src", "Network activity"),
    "ipv6": ("ip-src", "Network activity"),
    "email": ("email-src", "Payload delivery"),
    "sha256": ("sha256", "Payload delivery"),
    "sha1": ("sha1", "Payload delivery"),
    "md5": ("md5", "Payload delivery"),
}
# Free-text sectors of the configuration -> STIX 2.1 industry-sector-ov.


@dataclass(slots=True)
class IndicatorOut:
    kind: str
    value: str
    first_seen: datetime
    last_seen: datetime
    count: int
    campaigns: list[int] = field(default_factory=list)


@dataclass(slots=True)
class CampaignOut:
    id: int
    label: str
    subject: str
    first_seen: datetime | None
    last_seen: datetime | None
    message_count: int
    waves: list[tuple[datetime, datetime, int]]
    techniques: list[str]
    targets: list[tuple[str, str]]
    """(organisation, sector) of the recipients."""
    actor: str = ""
    actor_country: str = ""
    actor_confidence: int = 0
    actor_evidence: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class Export:
    organisation: str
    sectors: list[str]
    campaigns: list[CampaignOut]
    indicators: list[IndicatorOut]


def stix_id(kind: str, *parts: object) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join(str(p) for p in (kind, *parts)))}"


def _ts(value: datetime | None) -> datetime:
    if value is None:
        return datetime(1970, 1, 1, tzinfo=UTC)
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.replace(microsecond=(value.microsecond // 1000) * 1000)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def stix_pattern(kind: str, value: str) -> str:
    return f"[{_PATTERNS[kind]} = '{_quote(value)}']"


@cache
def technique_names() -> dict[str, str]:
    text = resources.files("seawall.intel").joinpath("data/attack_techniques.json").read_text("utf-8")
    return dict(json.loads(text)["techniques"])


@cache
def _sector_vocabulary() -> dict[str, str]:
    text = resources.files("seawall.intel").joinpath("data/stix_sectors.yml").read_text("utf-8")
    return {str(name): str(term) for name, term in yaml.safe_load(text).items()}


def stix_sector(sector: str) -> str:
    """A sector name in STIX's industry-sector vocabulary ("oil-and-gas" is "energy")."""
    name = sector.strip().lower()
    return _sector_vocabulary().get(name, name.replace(" ", "-"))


def to_stix(export: Export) -> dict[str, Any]:
    """A STIX 2.1 bundle (as a JSON-ready dict) of the organisation's sightings."""
    org_id = stix_id("identity", "organisation", export.organisation)
    epoch = _ts(min((i.first_seen for i in export.indicators), default=None))
    objects: list[Any] = [
        stix2.v21.Identity(
            id=org_id,
            name=export.organisation,
            identity_class="organization",
            sectors=sorted({stix_sector(s) for s in export.sectors if s}) or None,
            created=epoch,
            modified=epoch,
        )
    ]
    seen: set[str] = {org_id}

    def add(obj: Any) -> None:
        if obj.id not in seen:
            seen.add(obj.id)
            objects.append(obj)

    campaign_ids: dict[int, str] = {}
    for campaign in export.campaigns:
        first, last = _ts(campaign.first_seen), _ts(campaign.last_seen or campaign.first_seen)
        waves = "; ".join(
            f"wave {n}: {a:%Y-%m-%d %H:%M} to {b:%Y-%m-%d %H:%M} UTC, {count} messages"
            for n, (a, b, count) in enumerate(campaign.waves, 1)
        )
        campaign_ref = stix_id("campaign", export.organisation, campaign.id)
        campaign_ids[campaign.id] = campaign_ref
        add(
            stix2.v21.Campaign(
                id=campaign_ref,
                name=f"{campaign.label}: {campaign.subject[:120]}" if campaign.subject else campaign.label,
                description=f"Phishing campaign seen by Seawall at {export.organisation}: "
                f"{campaign.message_count} messages. {waves}",
                first_seen=first,
                last_seen=last,
                created=first,
                modified=last,
                created_by_ref=org_id,
                external_references=[{"source_name": "seawall", "external_id": campaign.label}],
            )
        )
        for technique in campaign.techniques:
            pattern_id = stix_id("attack-pattern", technique)
            add(
                stix2.v21.AttackPattern(
                    id=pattern_id,
                    name=technique_names().get(technique, technique),
                    created=epoch,
                    modified=epoch,
                    external_references=[
                        {
                            "source_name": "mitre-attack",
                            "external_id": technique,
                            "url": f"https://attack.mitre.org/techniques/{technique.replace('.', '/')}/",
                        }
                    ],
                )
            )
            add(_relationship(campaign_ref, "uses", pattern_id, first, last, org_id))
        for organisation, sector in campaign.targets:
            if not organisation:
                continue
            target_id = stix_id("identity", "organisation", organisation)
            add(
                stix2.v21.Identity(
                    id=target_id,
                    name=organisation,
                    identity_class="organization",
                    sectors=[stix_sector(sector)] if sector else None,
                    created=epoch,
                    modified=epoch,
                )
            )
            add(_relationship(campaign_ref, "targets", target_id, first, last, org_id))
        if campaign.actor:
            actor = default_gazetteer().resolve(campaign.actor)
            set_id = stix_id("intrusion-set", actor.name if actor else campaign.actor)
            add(
                stix2.v21.IntrusionSet(
                    id=set_id,
                    name=actor.name if actor else campaign.actor,
                    aliases=(actor.aliases[:50] or None) if actor else None,
                    created=epoch,
                    modified=epoch,
                    external_references=(
                        [{"source_name": "mitre-attack", "external_id": actor.mitre}]
                        if actor is not None and actor.mitre
                        else None
                    ),
                )
            )
            evidence = "; ".join(
                f"{e.get('kind')} {e.get('value')} listed by {e.get('source')}"
                for e in campaign.actor_evidence
                if isinstance(e, dict)
            )
            add(
                stix2.v21.Relationship(
                    id=stix_id("relationship", campaign_ref, "attributed-to", set_id),
                    relationship_type="attributed-to",
                    source_ref=campaign_ref,
                    target_ref=set_id,
                    confidence=max(0, min(100, campaign.actor_confidence)),
                    description=f"Attributed through threat-intelligence matches: {evidence}",
                    created=first,
                    modified=last,
                    created_by_ref=org_id,
                )
            )
    for indicator in export.indicators:
        first, last = _ts(indicator.first_seen), _ts(indicator.last_seen)
        indicator_id = stix_id("indicator", indicator.kind, indicator.value)
        add(
            stix2.v21.Indicator(
                id=indicator_id,
                name=f"{indicator.kind} {indicator.value[:200]}",
                description=f"Seen in {indicator.count} phishing messages at {export.organisation}",
                indicator_types=["malicious-activity"],
                pattern=stix_pattern(indicator.kind, indicator.value),
                pattern_type="stix",
                valid_from=first,
                created=first,
                modified=last,
                created_by_ref=org_id,
            )
        )
        add(
            stix2.v21.Sighting(
                id=stix_id("sighting", export.organisation, indicator.kind, indicator.value),
                sighting_of_ref=indicator_id,
                where_sighted_refs=[org_id],
                count=max(1, min(indicator.count, 999_999_999)),
                first_seen=first,
                last_seen=last if last > first else None,
                created=first,
                modified=last,
                created_by_ref=org_id,
            )
        )
        for campaign_id in indicator.campaigns:
            if campaign_id in campaign_ids:
                add(_relationship(indicator_id, "indicates", campaign_ids[campaign_id], first, last, org_id))
    content = "|".join(sorted(f"{o.id}@{getattr(o, 'modified', '')}" for o in objects))
    bundle = stix2.v21.Bundle(objects=objects, id=stix_id("bundle", content), allow_custom=False)
    return json.loads(bundle.serialize())  # type: ignore[no-any-return]


def _relationship(
    source: str, kind: str, target: str, created: datetime, modified: datetime, org_id: str
) -> stix2.v21.Relationship:
    return stix2.v21.Relationship(
        id=stix_id("relationship", source, kind, target),
        relationship_type=kind,
        source_ref=source,
        target_ref=target,
        created=created,
        modified=max(created, modified),
        created_by_ref=org_id,
    )


def to_misp(export: Export) -> dict[str, Any]:
    """One MISP event with every indicator (its campaigns in the comment) and the actors."""
    event = MISPEvent()
    labels = ", ".join(c.label for c in export.campaigns[:20])
    event.info = f"Seawall phishing campaigns at {export.organisation}: {labels or 'indicators'}"
    event.uuid = str(uuid.uuid5(NAMESPACE, f"misp-event|{export.organisation}|{labels}"))
    first = min((i.first_seen for i in export.indicators), default=None)
    if first is not None:
        event.date = _ts(first).date()
    event.threat_level_id = 2
    event.analysis = 2
    event.add_tag("tlp:amber")
    event.add_tag(f'seawall:organisation="{export.organisation}"')
    for campaign in export.campaigns:
        if campaign.actor:
            event.add_tag(f'misp-galaxy:threat-actor="{campaign.actor}"')
        for technique in campaign.techniques:
            name = technique_names().get(technique)
            if name:
                event.add_tag(f'misp-galaxy:mitre-attack-pattern="{name} - {technique}"')
    campaign_labels = {c.id: c.label for c in export.campaigns}
    for indicator in export.indicators:
        misp_type, category = _MISP_TYPES[indicator.kind]
        comment = ", ".join(campaign_labels.get(c, f"C-{c}") for c in indicator.campaigns)
        event.add_attribute(
            misp_type,
            indicator.value,
            category=category,
            to_ids=True,
            comment=f"seen {indicator.count}x; campaigns: {comment}"
            if comment
            else f"seen {indicator.count}x",
            first_seen=_ts(indicator.first_seen),
            last_seen=_ts(indicator.last_seen),
            uuid=str(uuid.uuid5(NAMESPACE, f"misp-attribute|{indicator.kind}|{indicator.value}")),
        )
    return json.loads(event.to_json())  # type: ignore[no-any-return]


def to_csv(export: Export) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["type", "value", "first_seen", "last_seen", "count", "campaigns", "actor", "source"])
    actors = {c.id: c.actor for c in export.campaigns}
    labels = {c.id: c.label for c in export.campaigns}
    for indicator in export.indicators:
        actor = next((actors[c] for c in indicator.campaigns if actors.get(c)), "")
        writer.writerow(
            [
                indicator.kind,
                indicator.value,
                _ts(indicator.first_seen).isoformat(),
                _ts(indicator.last_seen).isoformat(),
                indicator.count,
                " ".join(labels.get(c, f"C-{c}") for c in indicator.campaigns),
                actor,
                f"seawall {__version__} at {export.organisation}",
            ]
        )
    return out.getvalue()
