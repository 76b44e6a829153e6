"""Build Seawall's country gazetteer for the OSINT pillar.

    python scripts/build_country_gazetteer.py [../shared/osint/gazetteers/country.json]

Names and ISO codes come from the MISP galaxy country cluster (CC0 1.0 / BSD-2-Clause; notice
kept in the output); demonyms, short names and metonyms from the hand-written
``src/seawall/osint/data/country_aliases.yml``. Output: ``src/seawall/osint/data/countries.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "seawall" / "osint" / "data"
NOTICE = (
    "Country names and codes from the MISP galaxy country cluster (https://github.com/MISP/misp-galaxy), "
    "CC0 1.0 or BSD-2-Clause, Copyright (c) 2015-2018 CIRCL and contributors to the MISP Project; "
    "demonyms and metonyms added by Seawall."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "source", nargs="?", default=str(ROOT.parent / "shared/osint/gazetteers/country.json")
    )
    args = parser.parse_args()
    galaxy = json.loads(Path(args.source).read_text(encoding="utf-8"))
    # BaseLoader: every key a string, so Norway's NO stays "NO" (YAML 1.1 reads it as false)
    extra = yaml.load((DATA / "country_aliases.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    bad = [code for code in extra if not (isinstance(code, str) and len(code) == 2 and code.isupper())]
    if bad:
        raise SystemExit(f"country_aliases.yml: not ISO 3166 alpha-2 codes: {bad}")
    countries: dict[str, dict[str, object]] = {}
    for entry in galaxy["values"]:
        code = (entry.get("meta", {}).get("ISO") or "").upper()
        if len(code) != 2:
            continue
        name = entry["description"]
        names = {name}
        names.update(extra.get(code, []))
        countries[code] = {"code": code, "name": name, "names": sorted(names)}
    for code, names in extra.items():
        countries.setdefault(code, {"code": code, "name": names[0], "names": sorted(set(names))})
    output = {"attribution": NOTICE, "countries": sorted(countries.values(), key=lambda c: str(c["code"]))}
    (DATA / "countries.json").write_text(json.dumps(output, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(f"{len(countries)} countries -> {DATA / 'countries.json'}")


if __name__ == "__main__":
    main()
