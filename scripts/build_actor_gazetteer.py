"""Build Seawall's threat-actor gazetteer from the MISP galaxy clusters.

    python scripts/build_actor_gazetteer.py [../shared/osint/gazetteers] \
        [-o src/seawall/intel/data/actors.json]

Inputs: ``threat-actor.json`` (MISP threat actors), ``mitre-intrusion-set.json`` (MITRE ATT&CK
groups) and ``microsoft-activity-group.json`` from the MISP galaxy (CC0 1.0 or BSD-2-Clause;
the notice is copied into the output). Output: one small JSON file of actors (name, aliases,
suspected sponsor country, ATT&CK group id, the kinds of operation the CFR's tracker records for
it) and an alias index.

How entries become actors (documented in docs/intel.md):
1. Every MISP threat-actor entry is one actor (MISP keeps e.g. APT35 and Charming Kitten apart;
   so do we: merging them silently would be a guess).
2. A MITRE intrusion set joins the MISP actor that lists its ATT&CK id (G0059) among its
   synonyms or name attributions; failing that, the MISP actor whose name equals the set's
   name; failing that it is an actor of its own.
3. A Microsoft activity group joins the MISP actor that lists its name as a synonym or that it
   declares "similar"; failing that it is an actor of its own.
Alias conflicts (one alias claimed by several actors) are resolved explicitly, in this order:
(a) the actor whose own name is the alias (a MISP entry before its copy in another galaxy);
(b) the one claimant that carries the alias as its ATT&CK group id; (c) the one claimant whose
own MISP threat-actor entry lists the alias (an alias picked up only through a MITRE or
Microsoft merge ranks lower); otherwise the alias stays *ambiguous*: it is listed with its
candidates and their sponsor countries, and a lookup names no actor (only the sponsor country,
when every candidate has the same one).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTICE = (
    "Derived from the MISP galaxy clusters threat-actor, mitre-intrusion-set and "
    "microsoft-activity-group (https://github.com/MISP/misp-galaxy), dual-licensed CC0 1.0 or "
    "BSD-2-Clause: Copyright (c) 2015-2018 Alexandre Dulaunoy, CIRCL - Computer Incident "
    "Response Center Luxembourg, Andras Iklody, Raphael Vinot, Deborah Servili and various "
    "contributors to the MISP Project. MITRE ATT&CK content (c) The MITRE Corporation, "
    "reproduced under its terms of use."
)
_GROUP_ID = re.compile(r"^G\d{4}$")


def alias_key(name: str) -> str:
    """How aliases are compared: case-folded, spaces, hyphens and underscores removed."""
    return re.sub(r"[\s\-_]+", "", name.casefold())


def _load(folder: Path, name: str) -> dict[str, Any]:
    return json.loads((folder / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def build(folder: Path) -> dict[str, Any]:
    countries = {
        v["meta"]["ISO"].upper(): v["description"]
        for v in _load(folder, "country.json")["values"]
        if v.get("meta", {}).get("ISO")
    }
    misp = _load(folder, "threat-actor.json")
    mitre = _load(folder, "mitre-intrusion-set.json")
    microsoft = _load(folder, "microsoft-activity-group.json")
    actors: dict[str, dict[str, Any]] = {}
    by_uuid: dict[str, str] = {}
    by_name: dict[str, str] = {}
    by_synonym: dict[str, list[str]] = defaultdict(list)
    misp_claims: dict[str, set[str]] = defaultdict(set)

    for entry in misp["values"]:
        meta = entry.get("meta", {})
        actor_id = f"misp:{entry['uuid']}"
        country = (meta.get("country") or "").upper()
        sponsor = meta.get("cfr-suspected-state-sponsor") or ""
        synonyms = [s for s in meta.get("synonyms", []) if isinstance(s, str)]
        attributions = [a.split(":", 1)[0] for a in meta.get("name-attribution", []) if isinstance(a, str)]
        incidents = meta.get("cfr-type-of-incident") or []
        incidents = [incidents] if isinstance(incidents, str) else incidents
        actors[actor_id] = {
            "id": actor_id,
            "name": entry["value"],
            "aliases": sorted({*synonyms, *attributions} - {entry["value"]}),
            "country": country,
            "sponsor": sponsor if sponsor and sponsor != "Unknown" else countries.get(country, ""),
            "mitre": "",
            "sources": ["misp-threat-actor"],
        }
        if incidents:
            actors[actor_id]["incidents"] = sorted({str(i) for i in incidents if i})
        by_uuid[entry["uuid"]] = actor_id
        by_name[alias_key(entry["value"])] = actor_id
        for related in entry.get("related", []):
            by_uuid.setdefault(related["dest-uuid"], actor_id)
        for synonym in {*synonyms, *attributions}:
            by_synonym[alias_key(synonym)].append(actor_id)
        misp_claims[alias_key(entry["value"])].add(actor_id)
        for synonym in synonyms:
            misp_claims[alias_key(synonym)].add(actor_id)

    for entry in mitre["values"]:
        meta = entry.get("meta", {})
        group_id = meta.get("external_id", "")
        name = entry["value"].split(" - ")[0]
        owners = [a for a in by_synonym.get(alias_key(group_id), []) if group_id]
        actor_id = owners[0] if len(owners) == 1 else by_name.get(alias_key(name), "")
        if not actor_id:
            actor_id = f"mitre:{group_id or entry['uuid']}"
            actors[actor_id] = {
                "id": actor_id,
                "name": name,
                "aliases": [],
                "country": "",
                "sponsor": "",
                "mitre": "",
                "sources": [],
            }
        actor = actors[actor_id]
        actor["mitre"] = group_id
        actor["sources"] = sorted({*actor["sources"], "mitre-intrusion-set"})
        actor["aliases"] = sorted(
            {*actor["aliases"], name, group_id, *meta.get("synonyms", [])} - {actor["name"]}
        )

    for entry in microsoft["values"]:
        meta = entry.get("meta", {})
        name = entry["value"]
        owners = by_synonym.get(alias_key(name), [])
        actor_id = owners[0] if len(owners) == 1 else ""
        if not actor_id:
            for related in entry.get("related", []):
                if related["dest-uuid"] in by_uuid:
                    actor_id = by_uuid[related["dest-uuid"]]
                    break
        if not actor_id:
            actor_id = f"microsoft:{entry['uuid']}"
            country = (meta.get("country") or "").upper()
            actors[actor_id] = {
                "id": actor_id,
                "name": name,
                "aliases": [],
                "country": country,
                "sponsor": countries.get(country, meta.get("microsoft-origin-threat", "")),
                "mitre": "",
                "sources": [],
            }
        actor = actors[actor_id]
        actor["sources"] = sorted({*actor["sources"], "microsoft-activity-group"})
        actor["aliases"] = sorted({*actor["aliases"], name, *meta.get("synonyms", [])} - {actor["name"]})
        if not actor["country"] and meta.get("country"):
            actor["country"] = meta["country"].upper()
            actor["sponsor"] = actor["sponsor"] or countries.get(actor["country"], "")

    claims: dict[str, set[str]] = defaultdict(set)
    for actor_id, actor in actors.items():
        for alias in [actor["name"], *actor["aliases"]]:
            if alias_key(alias):
                claims[alias_key(alias)].add(actor_id)
    aliases: dict[str, str] = {}
    resolutions: dict[str, dict[str, Any]] = {}
    ambiguous: dict[str, dict[str, list[str]]] = {}
    for key, owners in sorted(claims.items()):
        if len(owners) == 1:
            aliases[key] = next(iter(owners))
            continue
        named = [a for a in owners if alias_key(actors[a]["name"]) == key]
        named_misp = [a for a in named if a.startswith("misp:")]
        by_group = [a for a in owners if actors[a]["mitre"] and alias_key(actors[a]["mitre"]) == key]
        by_misp = [a for a in owners if a in misp_claims.get(key, ())]
        if len(named) == 1:
            aliases[key] = named[0]
            rule = "the actor whose own name this is"
        elif len(named_misp) == 1:
            aliases[key] = named_misp[0]
            rule = "the MISP threat-actor entry of this name (others are its copies in other galaxies)"
        elif len(by_group) == 1:
            aliases[key] = by_group[0]
            rule = "the actor carrying this ATT&CK group id"
        elif len(by_misp) == 1:
            aliases[key] = by_misp[0]
            rule = "the one actor whose own MISP threat-actor entry lists this alias"
        else:
            ambiguous[key] = {
                "candidates": sorted(actors[a]["name"] for a in owners),
                "sponsors": sorted({actors[a]["country"] for a in owners}),
            }
            continue
        resolutions[key] = {
            "chosen": actors[aliases[key]]["name"],
            "candidates": sorted(actors[a]["name"] for a in owners),
            "rule": rule,
        }
    return {
        "schema": "seawall.actors/1",
        "attribution": NOTICE,
        "sources": {
            "threat-actor": misp.get("version"),
            "mitre-intrusion-set": mitre.get("version"),
            "microsoft-activity-group": microsoft.get("version"),
        },
        "actors": sorted(actors.values(), key=lambda a: a["name"].casefold()),
        "aliases": aliases,
        "resolutions": resolutions,
        "ambiguous": ambiguous,
    }


def build_techniques(folder: Path) -> dict[str, Any]:
    """ATT&CK technique id -> name (for exported attack-patterns and the console)."""
    patterns = _load(folder, "mitre-attack-pattern.json")
    names = {}
    for entry in patterns["values"]:
        technique = entry.get("meta", {}).get("external_id", "")
        if re.match(r"^T\d{4}(\.\d{3})?$", technique):
            names[technique] = entry["value"].rsplit(" - ", 1)[0]
    return {"attribution": NOTICE, "techniques": names}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared/osint/gazetteers"))
    parser.add_argument("-o", "--output", default=str(ROOT / "src/seawall/intel/data/actors.json"))
    parser.add_argument("--techniques", default=str(ROOT / "src/seawall/intel/data/attack_techniques.json"))
    args = parser.parse_args()
    techniques = build_techniques(Path(args.folder))
    Path(args.techniques).write_text(json.dumps(techniques, indent=0, sort_keys=True) + "\n", "utf-8")
    print(f"{len(techniques['techniques'])} ATT&CK techniques -> {args.techniques}")
    data = build(Path(args.folder))
    Path(args.output).write_text(
        json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8"
    )
    print(
        f"{len(data['actors'])} actors, {len(data['aliases'])} aliases, "
        f"{len(data['resolutions'])} conflicts resolved, {len(data['ambiguous'])} ambiguous -> {args.output}"
    )


if __name__ == "__main__":
    main()
