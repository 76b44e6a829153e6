"""OSINT events as STIX 2.1: reports, intrusion sets, victims, techniques and dated relationships.

Each event becomes an ``intrusion-set`` (the named group, or "<country> state operators",
with an ``originates-from`` relationship to the country's ``location``), victims as
``identity`` (sector or organisation) and ``location`` objects it ``targets``, and the ATT&CK
``attack-pattern``s it ``uses``. Relationship ``start_time`` / ``stop_time`` are the
operation's dates from the text, not the day it was read; ``confidence`` follows the
attribution language. Each article is a ``report`` referring to what it reported.
Ids are deterministic (see ``seawall.intel.export``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import stix2

from seawall.intel.actors import default_gazetteer
from seawall.intel.export import stix_id, stix_sector, technique_names
from seawall.osint.articles import Article
from seawall.osint.events import victim_organisations
from seawall.osint.events_model import Event
from seawall.osint.gazetteer import lexicon, regions

CONFIDENCE = {"confirmed": 95, "claimed": 85, "widely believed": 70, "reported": 50}


def _day(value: str, end: bool = False) -> datetime:
    moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return moment.replace(hour=23, minute=59, second=59) if end else moment


def _country_name(code: str) -> str:
    for _text, (kind, country, name) in lexicon().name_table.items():
        if kind == "country" and country == code:
            return name
    return code


def to_stix(events: list[Event], articles: list[Article]) -> dict[str, Any]:
    objects: dict[str, Any] = {}
    epoch = datetime(2000, 1, 1, tzinfo=UTC)

    def add(obj: Any) -> str:
        objects.setdefault(obj.id, obj)
        return str(obj.id)

    def location(code: str) -> str:
        return add(
            stix2.v21.Location(
                id=stix_id("location", code),
                name=_country_name(code),
                country=code,
                created=epoch,
                modified=epoch,
            )
        )

    def region(name: str) -> str | None:
        """A world region as STIX's region vocabulary names it; none for the whole world."""
        stix_region = regions().get(name, [""])[0]
        if not stix_region:
            return None
        return add(
            stix2.v21.Location(
                id=stix_id("location", "region", name),
                name=name,
                region=stix_region,
                created=epoch,
                modified=epoch,
            )
        )

    refs_by_article: dict[str, list[str]] = {}
    for event in events:
        if event.date is None:
            continue
        start, stop = _day(event.date.start), _day(event.date.end, end=True)
        confidence = CONFIDENCE.get(event.attribution, 50)
        description = " ".join(f"“{e.sentence}”" for e in event.evidence[:3])
        sources = ", ".join(s.name for s in event.sources)
        refs: list[str] = []
        attackers: list[str] = []
        for group in event.attacker_groups:
            actor = default_gazetteer().resolve(group)
            attackers.append(
                add(
                    stix2.v21.IntrusionSet(
                        id=stix_id("intrusion-set", group),
                        name=group,
                        aliases=(actor.aliases[:30] or None) if actor else None,
                        created=epoch,
                        modified=epoch,
                    )
                )
            )
        for code in event.attacker_countries:
            if code in event.aligned_countries:
                # hacktivists on a state's side are not its operators: no state, no origin claimed
                attackers.append(
                    add(
                        stix2.v21.IntrusionSet(
                            id=stix_id("intrusion-set", "aligned", code),
                            name=f"pro-{_country_name(code)} operators",
                            description="Operators aligned with this state (hacktivists and the like), "
                            "named by open-source reporting; not shown to act for the state.",
                            created=epoch,
                            modified=epoch,
                        )
                    )
                )
                continue
            set_id = add(
                stix2.v21.IntrusionSet(
                    id=stix_id("intrusion-set", "state", code),
                    name=f"{_country_name(code)} state operators",
                    description="State actors named by open-source reporting, not a specific group.",
                    created=epoch,
                    modified=epoch,
                )
            )
            attackers.append(set_id)
            refs.append(location(code))
            refs.append(
                add(
                    stix2.v21.Relationship(
                        id=stix_id("relationship", set_id, "originates-from", code),
                        relationship_type="originates-from",
                        source_ref=set_id,
                        target_ref=stix_id("location", code),
                        created=epoch,
                        modified=epoch,
                    )
                )
            )
        for name in event.malware:
            attackers.append(
                add(
                    stix2.v21.Malware(
                        id=stix_id("malware", name), name=name, is_family=True, created=epoch, modified=epoch
                    )
                )
            )
        targets: list[str] = [location(code) for code in event.victim_countries]
        targets += [ref for name in event.victim_regions if (ref := region(name))]
        for sector in event.victim_sectors:
            targets.append(
                add(
                    stix2.v21.Identity(
                        id=stix_id("identity", "sector", sector, ",".join(event.victim_countries)),
                        name=f"{sector} sector"
                        + (f" ({', '.join(event.victim_countries)})" if event.victim_countries else ""),
                        identity_class="class",
                        sectors=[stix_sector(sector)],
                        created=epoch,
                        modified=epoch,
                    )
                )
            )
        for organisation in victim_organisations(event):
            targets.append(
                add(
                    stix2.v21.Identity(
                        id=stix_id("identity", "organisation", organisation.lower()),
                        name=organisation,
                        identity_class="organization",
                        sectors=sorted({stix_sector(s) for s in event.victim_sectors}) or None,
                        created=epoch,
                        modified=epoch,
                    )
                )
            )
        patterns = [
            add(
                stix2.v21.AttackPattern(
                    id=stix_id("attack-pattern", technique),
                    name=technique_names().get(technique, technique),
                    external_references=[{"source_name": "mitre-attack", "external_id": technique}],
                    created=epoch,
                    modified=epoch,
                )
            )
            for technique in event.techniques
        ]
        for attacker in attackers:
            refs.append(attacker)
            for kind, targets_of_kind in (("targets", targets), ("uses", patterns)):
                for target in targets_of_kind:
                    relationship_type = "uses" if kind == "uses" else "targets"
                    if attacker.startswith("malware--") and relationship_type == "uses":
                        continue
                    refs.append(
                        add(
                            stix2.v21.Relationship(
                                id=stix_id("relationship", event.id, attacker, relationship_type, target),
                                relationship_type=relationship_type,
                                source_ref=attacker,
                                target_ref=target,
                                start_time=start,
                                stop_time=stop if stop > start else None,
                                confidence=confidence,
                                description=f"{', '.join(event.types)} ({event.attribution}; "
                                f"sources: {sources}). {description}",
                                created=start,
                                modified=start,
                            )
                        )
                    )
        refs.extend(targets)
        refs.extend(patterns)
        for evidence in event.evidence:
            refs_by_article.setdefault(evidence.article, []).extend(refs)
    for article in articles:
        refs = list(dict.fromkeys(refs_by_article.get(article.id, [])))
        if not refs:
            continue
        published = _published(article)
        add(
            stix2.v21.Report(
                id=stix_id("report", article.id),
                name=article.title or article.path or article.id[:12],
                published=published,
                report_types=["threat-report"],
                object_refs=refs,
                description=f"{article.outlet}: {article.title}".strip(": "),
                external_references=[{"source_name": article.outlet or "article", "url": article.url}]
                if article.url
                else None,
                created=published,
                modified=published,
            )
        )
    ordered = [objects[key] for key in sorted(objects)]
    bundle = stix2.v21.Bundle(objects=ordered, id=stix_id("bundle", "|".join(sorted(objects))))
    return json.loads(bundle.serialize())  # type: ignore[no-any-return]


def _published(article: Article) -> datetime:
    value = article.published
    if len(value) == 7:
        value += "-01"
    try:
        return _day(value[:10])
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)
