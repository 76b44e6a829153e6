"""Threat intelligence in: STIX 2.1 bundles, MISP events and CSV indicator lists.

Each format becomes a list of :class:`FeedIndicator` (kind and value normalised the way
:mod:`seawall.intel.indicators` extracts them from mail, so that they match), with the feed's
name and the actor it attributes the indicator to, resolved through the gazetteer.
STIX patterns are read with stix2-patterns (only equality comparisons on the observables
Seawall sees in mail become indicators); MISP events are read with pymisp.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from pymisp import MISPEvent
from stix2patterns.pattern import Pattern

from seawall.intel.actors import default_gazetteer
from seawall.intel.indicators import classify
from seawall.intel.records import FeedIndicator

# STIX observable path -> Seawall kind.
_STIX_PATHS = {
    ("url", "value"): "url",
    ("domain-name", "value"): "domain",
    ("ipv4-addr", "value"): "ipv4",
    ("ipv6-addr", "value"): "ipv6",
    ("email-addr", "value"): "email",
    ("email-message", "from_ref.value"): "email",
    ("email-message", "sender_ref.value"): "email",
    ("file", "hashes.SHA-256"): "sha256",
    ("file", "hashes.SHA-1"): "sha1",
    ("file", "hashes.MD5"): "md5",
}
# MISP attribute type -> Seawall kind (composite types carry the indicator after "|").
_MISP_TYPES = {
    "url": "url",
    "uri": "url",
    "link": "url",
    "domain": "domain",
    "hostname": "domain",
    "ip-src": "",
    "ip-dst": "",
    "email-src": "email",
    "email": "email",
    "email-reply-to": "email",
    "sha256": "sha256",
    "sha1": "sha1",
    "md5": "md5",
    "filename|sha256": "sha256",
    "filename|sha1": "sha1",
    "filename|md5": "md5",
    "domain|ip": "domain",
}
_ACTOR_TYPES = ("intrusion-set", "threat-actor")


class FeedError(ValueError):
    """The file is not a feed Seawall can read; the message says why."""


def _actor(name: str) -> tuple[str, str]:
    """(canonical actor name, sponsor country) for a name from a feed; unknown names stay as given."""
    if not name:
        return "", ""
    gazetteer = default_gazetteer()
    actor = gazetteer.resolve(name)
    if actor is not None:
        return actor.name, actor.country
    return name, gazetteer.sponsor_country(name)


def _indicator(
    value: str, kind: str, source: str, actor: tuple[str, str], confidence: int, description: str
) -> FeedIndicator | None:
    """A feed entry normalised as mail indicators are, or None when it is not an indicator."""
    found = classify(value, kind)
    if found is None:
        return None
    return FeedIndicator(
        kind=found[0],
        value=found[1],
        source=source,
        actor=actor[0],
        actor_country=actor[1],
        confidence=max(0, min(100, confidence)),
        description=description[:500],
    )


def load_feed(path: Path, source: str = "") -> list[FeedIndicator]:
    """Indicators from one file; the format is recognised from its content."""
    data = path.read_bytes()
    name = source or path.name
    text = data.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FeedError(f"{path}: not valid JSON: {exc}") from exc
        if isinstance(document, dict) and document.get("type") == "bundle":
            return from_stix(document, name)
        if isinstance(document, dict) and ("Event" in document or "Attribute" in document):
            return from_misp(document, name)
        if (
            isinstance(document, list)
            and document
            and isinstance(document[0], dict)
            and "Event" in document[0]
        ):
            return [i for event in document for i in from_misp(event, name)]
        raise FeedError(f"{path}: JSON that is neither a STIX 2.1 bundle nor a MISP event")
    return from_csv(text, name)


# -- STIX 2.1 --------------------------------------------------------------------------------
def _pattern_values(pattern: str) -> list[tuple[str, str]]:
    try:
        comparisons = Pattern(pattern).inspect().comparisons
    except Exception:  # stix2-patterns raises its own parse errors; a bad pattern skips one object
        return []
    out = []
    for object_type, entries in comparisons.items():
        for path, operator, value in entries:
            if operator != "=" or not isinstance(value, str) or not value.startswith("'"):
                continue
            kind = _STIX_PATHS.get((object_type, ".".join(str(p) for p in path)))
            if kind:
                out.append((kind, value[1:-1].replace("\\'", "'").replace("\\\\", "\\")))
    return out


def from_stix(bundle: dict[str, Any], source: str) -> list[FeedIndicator]:
    objects = [o for o in bundle.get("objects", []) if isinstance(o, dict)]
    by_id = {o.get("id"): o for o in objects}
    actor_of: dict[str, str] = {}
    # indicator -indicates-> intrusion-set / threat-actor, or -> campaign -attributed-to-> actor
    campaign_actor: dict[str, str] = {}
    for o in objects:
        if o.get("type") == "relationship" and o.get("relationship_type") == "attributed-to":
            target = by_id.get(o.get("target_ref"), {})
            if target.get("type") in _ACTOR_TYPES:
                campaign_actor[o.get("source_ref", "")] = target.get("name", "")
    for o in objects:
        if o.get("type") == "relationship" and o.get("relationship_type") == "indicates":
            target = by_id.get(o.get("target_ref"), {})
            name = target.get("name", "") if target.get("type") in _ACTOR_TYPES else ""
            name = name or campaign_actor.get(o.get("target_ref", ""), "")
            if name:
                actor_of[o.get("source_ref", "")] = name
    out = []
    for o in objects:
        if o.get("type") != "indicator" or o.get("pattern_type", "stix") != "stix":
            continue
        actor = _actor(actor_of.get(o["id"], ""))
        description = str(o.get("name") or o.get("description") or "")
        for kind, value in _pattern_values(o.get("pattern", "")):
            item = _indicator(value, kind, source, actor, int(o.get("confidence", 50)), description)
            if item is not None:
                out.append(item)
    return out


# -- MISP -------------------------------------------------------------------------------------
def _misp_actor(event: MISPEvent) -> str:
    for tag in event.tags:
        name = tag.name or ""
        if name.startswith("misp-galaxy:threat-actor=") or name.startswith(
            "misp-galaxy:mitre-intrusion-set="
        ):
            return name.split("=", 1)[1].strip('"').split(" - ")[0]
    for galaxy in getattr(event, "galaxies", []) or []:
        if getattr(galaxy, "type", "") in ("threat-actor", "mitre-intrusion-set"):
            for cluster in getattr(galaxy, "clusters", []) or []:
                return str(cluster.value).split(" - ")[0]
    return ""


def from_misp(document: dict[str, Any], source: str) -> list[FeedIndicator]:
    event = MISPEvent()
    try:
        event.load(document)
    except Exception as exc:  # pymisp raises several types for malformed events
        raise FeedError(f"not a MISP event: {exc}") from exc
    actor = _actor(_misp_actor(event))
    attributes = list(event.attributes) + [a for o in event.objects for a in o.attributes]
    out = []
    for attribute in attributes:
        misp_type = attribute.type
        if misp_type not in _MISP_TYPES:
            continue
        value = str(attribute.value)
        if "|" in misp_type:
            value = value.split("|", 1)[1] if misp_type != "domain|ip" else value.split("|", 1)[0]
        confidence = 80 if getattr(attribute, "to_ids", False) else 50
        item = _indicator(value, _MISP_TYPES[misp_type], source, actor, confidence, event.info or "")
        if item is not None:
            out.append(item)
    return out


# -- CSV --------------------------------------------------------------------------------------
_VALUE_COLUMNS = ("value", "indicator", "ioc", "observable")
_KIND_COLUMNS = ("type", "kind", "indicator_type")


def from_csv(text: str, source: str) -> list[FeedIndicator]:
    """A CSV list: with a header naming ``value`` (and optionally ``type``, ``actor``,
    ``confidence``, ``description``, ``source``), or one indicator per line without one."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return []
    sample = lines[0].lower()
    has_header = any(column in sample for column in (*_VALUE_COLUMNS, *_KIND_COLUMNS))
    out = []
    if not has_header:
        for line in lines:
            item = _indicator(line.split(",", 1)[0], "", source, ("", ""), 50, "")
            if item is not None:
                out.append(item)
        return out
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        value = next((row[c] for c in _VALUE_COLUMNS if row.get(c)), "")
        kind = next((row[c] for c in _KIND_COLUMNS if row.get(c)), "")
        try:
            confidence = int(float(row.get("confidence") or 50))
        except ValueError:
            confidence = 50
        item = _indicator(
            value,
            _kind_alias(kind),
            row.get("source") or source,
            _actor(row.get("actor", "")),
            confidence,
            row.get("description", ""),
        )
        if item is not None:
            out.append(item)
    return out


def _kind_alias(kind: str) -> str:
    kind = kind.lower().strip()
    return {
        "ip": "",
        "ipv4": "",
        "ipv6": "",
        "ip-dst": "",
        "ip-src": "",
        "hostname": "domain",
        "domain-name": "domain",
        "email-addr": "email",
        "email-src": "email",
        "sha-256": "sha256",
        "sha-1": "sha1",
    }.get(kind, kind)
