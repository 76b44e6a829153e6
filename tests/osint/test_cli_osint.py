"""The analyst's side of OSINT: the store (both databases), events, timeline, actors, CSV and STIX."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from seawall.cli import app
from seawall.osint.articles import Article, read_articles
from seawall.osint.events import extract_events
from seawall.osint.events_model import Event
from tests.osint.conftest import ORIGIN
from tests.support.stix import valid_bundle

runner = CliRunner()
WIDE = {"COLUMNS": "220"}


def test_timeline_cli_table_plot_and_stix_export(origin_article: Article, tmp_path: Path) -> None:
    ingested = runner.invoke(app, ["osint", "ingest", str(ORIGIN)])
    assert ingested.exit_code == 0, ingested.output
    plot = tmp_path / "timeline.png"
    shown = runner.invoke(
        app, ["osint", "timeline", "--between", "US", "Iran", "--plot", str(plot)], env=WIDE
    )
    assert shown.exit_code == 0, shown.output
    assert "US → IR" in shown.output and "IR → US" in shown.output and "2010" in shown.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 10_000
    listed = runner.invoke(app, ["osint", "events", "--format", "json"])
    count = len(listed.stdout.splitlines())
    again = runner.invoke(app, ["osint", "ingest", str(ORIGIN)])
    # reading the same article again records nothing new: every event merges with a stored one
    read = re.search(r"(\d+) events, (\d+) merged with earlier reports", again.output.replace("\n", " "))
    assert read is not None and read.group(1) == read.group(2) and int(read.group(1)) >= count
    assert len(runner.invoke(app, ["osint", "events", "--format", "json"]).stdout.splitlines()) == count
    old = runner.invoke(app, ["osint", "events", "--format", "json", "--until", "2015"])
    assert [json.loads(line)["malware"] for line in old.stdout.splitlines()] == [["Stuxnet"]]
    phishing = runner.invoke(app, ["osint", "events", "--format", "json", "--type", "phishing"])
    assert [json.loads(line)["attacker_countries"] for line in phishing.stdout.splitlines()] == [["IR"]]
    exported = runner.invoke(app, ["osint", "export"])
    assert exported.exit_code == 0
    bundle, types = valid_bundle(exported.stdout)
    assert {
        "report",
        "intrusion-set",
        "location",
        "identity",
        "attack-pattern",
        "relationship",
        "malware",
    } <= types
    targets = [
        o for o in bundle["objects"] if o["type"] == "relationship" and o["relationship_type"] == "targets"
    ]
    assert any(o["start_time"].startswith("2010-01-01") for o in targets), "times come from the text"
    assert all(not o["start_time"].startswith("2026") for o in targets)


def test_stix_export_names_victim_organisations_in_stix_sector_terms() -> None:
    from seawall.osint.stix import to_stix

    text = (
        "Iranian hackers wiped the computers of Saudi Aramco, the oil company, with Shamoon in 2012. "
        "Lazarus Group hackers attacked banks in Vietnam and Ecuador in 2015."
    )
    article = Article(id="a", published="2019-06-01", outlet="Example News", text=text)
    bundle, _types = valid_bundle(json.dumps(to_stix(extract_events(article), [article])))
    identities = {o["name"]: o for o in bundle["objects"] if o["type"] == "identity"}
    aramco = identities["Saudi Aramco"]
    assert aramco["identity_class"] == "organization" and "energy" in aramco["sectors"]
    assert identities["oil-and-gas sector (SA)"]["sectors"] == ["energy"]
    assert identities["financial sector (EC, VN)"]["sectors"] == ["financial-services"]
    # a list of countries is no organisation
    assert not any(
        o["identity_class"] == "organization" and "Vietnam" in name for name, o in identities.items()
    )
    targeted = {
        o["target_ref"]
        for o in bundle["objects"]
        if o["type"] == "relationship" and o["relationship_type"] == "targets"
    }
    assert aramco["id"] in targeted


def test_a_victim_placed_only_by_a_world_region_is_exported_with_it() -> None:
    from seawall.osint.stix import to_stix

    text = "APT29 conducted an espionage campaign against European ministries of foreign affairs in 2019."
    article = Article(id="r", published="2019-11-01", outlet="Example News", text=text)
    (event,) = extract_events(article)
    assert event.victim_regions == ["Europe"] and not event.victim_countries
    bundle, _types = valid_bundle(json.dumps(to_stix([event], [article])))
    regions = [o for o in bundle["objects"] if o["type"] == "location" and "region" in o]
    assert [(o["name"], o["region"]) for o in regions] == [("Europe", "europe")]
    targeted = {o["target_ref"] for o in bundle["objects"] if o.get("relationship_type") == "targets"}
    assert regions[0]["id"] in targeted


def test_a_named_country_leaves_no_region_beside_it() -> None:
    text = "Russian hackers attacked energy companies in Ukraine and other Eastern European states in 2022."
    article = Article(id="u", published="2022-03-01", outlet="Example News", text=text)
    (event,) = extract_events(article)
    assert event.victim_countries == ["UA"] and event.victim_regions == []


def test_osint_store_works_on_both_databases_and_deduplicates(
    database_url: str, origin_article: Article
) -> None:
    from seawall.store.database import Database
    from seawall.store.osint import OsintRepository

    database = Database(database_url)
    repository = OsintRepository(database)
    events = extract_events(origin_article)
    first = repository.add(origin_article, events)
    again = repository.add(origin_article, extract_events(origin_article))
    assert not any(merged for _, merged in first) and len(first) == len(events) >= 3
    assert all(merged for _, merged in again)
    stored = repository.events()
    assert len(stored) == len(events) and len(repository.articles()) == 1
    stuxnet = next(e for e in stored if "Stuxnet" in e.malware)
    assert stuxnet.date is not None and stuxnet.date.start == "2010-01-01"
    database.close()


def test_the_timeline_counts_operations_per_period_to_show_escalation(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    stories = {
        "a-2018-03-10.txt": "Iranian hackers targeted US government agencies with phishing emails "
        "in March 2018.",
        "b-2019-06-22.txt": "Iranian hackers targeted US oil and gas companies with phishing emails in "
        "June 2019. US Cyber Command launched cyberattacks against Iranian military computer systems "
        "on Thursday.",
        "c-2019-09-01.txt": "Iranian hackers targeted US government agencies with password spraying "
        "in August 2019.",
    }
    for name, text in stories.items():
        (folder / name).write_text(text)
    assert runner.invoke(app, ["osint", "ingest", str(folder)]).exit_code == 0
    env = {"COLUMNS": "200"}
    yearly = runner.invoke(app, ["osint", "timeline", "--between", "Iran", "US", "--by", "year"], env=env)
    assert yearly.exit_code == 0, yearly.output
    rows = {line.split("│")[1].strip(): line for line in yearly.stdout.splitlines() if line.startswith("│")}
    assert [c.strip() for c in rows["2018"].split("│")[2:4]] == ["1", "0"]
    assert [c.strip() for c in rows["2019"].split("│")[2:4]] == ["2", "1"]
    assert "IR → US: 2 in 2019, more than the 1 in 2018" in yearly.stdout
    assert "US → IR: 1 in 2019, none reported before" in yearly.stdout
    quarterly = runner.invoke(
        app, ["osint", "timeline", "--between", "Iran", "US", "--by", "quarter"], env=env
    )
    assert {"2018-Q1", "2019-Q2", "2019-Q3"} <= {
        line.split("│")[1].strip() for line in quarterly.stdout.splitlines() if line.startswith("│")
    }
    records = [
        json.loads(line)
        for line in runner.invoke(
            app, ["osint", "timeline", "--between", "Iran", "US", "-f", "json"]
        ).stdout.splitlines()
    ]
    assert [r["direction"] for r in records].count(["IR", "US"]) == 3
    assert [r["direction"] for r in records].count(["US", "IR"]) == 1


def test_actors_answers_who_is_hitting_us(tmp_path: Path) -> None:
    _ingest_stories(
        tmp_path,
        {
            "a-2018-03-10.txt": "Iranian hackers phished US government agencies in March 2018.",
            "b-2019-06-22.txt": "APT33 targeted US oil and gas companies with phishing emails in June 2019.",
            "c-2019-09-01.txt": "Russian hackers breached German government networks in August 2019.",
        },
    )
    result = runner.invoke(app, ["osint", "actors", "--victim", "US", "-f", "json"])
    assert result.exit_code == 0, result.output
    profiles = {(p["kind"], p["actor"]): p for p in map(json.loads, result.stdout.splitlines())}
    assert set(profiles) == {("state", "IR"), ("group", "APT33")}  # Russia hit Germany, not the US
    iran = profiles[("state", "IR")]
    assert iran["operations"] == 2 and iran["types"] == {"phishing": 2} and iran["victims"] == {"US": 2}
    assert iran["first"] == "2018-03-01" and iran["last"] == "2019-06-30"
    table = runner.invoke(app, ["osint", "actors"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "APT33 (group)" in table.stdout and "RU" in table.stdout


def test_a_world_region_selects_the_events_it_places(tmp_path: Path) -> None:
    _ingest_stories(
        tmp_path,
        {
            "a-2019-10-17.txt": "APT29 ran an espionage campaign against European ministries in 2019.",
            "b-2019-06-22.txt": "APT33 targeted US oil and gas companies with phishing emails in June 2019.",
        },
    )
    found = runner.invoke(app, ["osint", "events", "--victim", "Europe", "-f", "json"])
    assert found.exit_code == 0, found.output
    (event,) = map(json.loads, found.stdout.splitlines())
    assert event["victim_regions"] == ["Europe"] and event["attacker_groups"] == ["APT29"]
    actors = runner.invoke(app, ["osint", "actors", "--victim", "Europe", "-f", "json"]).stdout.splitlines()
    assert [json.loads(line)["victims"] for line in actors if '"group"' in line] == [{"Europe": 1}]


def test_events_and_actors_export_as_csv_for_a_spreadsheet(tmp_path: Path) -> None:
    import csv
    import io

    story = tmp_path / "a-2019-06-22.txt"
    story.write_text("APT33 targeted US oil and gas companies with phishing emails in June 2019.")
    assert runner.invoke(app, ["osint", "ingest", str(story)]).exit_code == 0
    table = runner.invoke(app, ["osint", "events"], env={"COLUMNS": "200"}).stdout
    assert "US [business, oil-and-gas]" in table
    events = list(csv.DictReader(io.StringIO(runner.invoke(app, ["osint", "events", "-f", "csv"]).stdout)))
    assert len(events) == 1
    assert events[0]["attacker_countries"] == "IR" and events[0]["attacker_groups"] == "APT33"
    assert events[0]["start"] == "2019-06-01" and "oil-and-gas" in events[0]["victim_sectors"]
    assert events[0]["sentence"].startswith("APT33 targeted")
    actors = list(csv.DictReader(io.StringIO(runner.invoke(app, ["osint", "actors", "-f", "csv"]).stdout)))
    assert {(a["kind"], a["actor"], a["operations"], a["types"]) for a in actors} == {
        ("state", "IR", "1", "phishing 1"),
        ("group", "APT33", "1", "phishing 1"),
    }


def test_a_years_long_activity_does_not_absorb_a_dated_wave_from_another_outlet() -> None:
    from seawall.osint.merge import same_operation_across

    def only(text: str, published: str) -> Event:
        (event,) = extract_events(Article(id=published, published=published, text=text))
        return event

    long_run = only("Iranian hackers have sent phishing emails to US officials since 2014.", "2019-07-01")
    wave = only("Iranian hackers sent phishing emails to US government agencies in June 2019.", "2019-07-02")
    same_wave = only("Iranian state hackers phished US agencies in June 2019, FireEye said.", "2019-07-03")
    assert long_run.date is not None and long_run.date.start == "2014-01-01"
    assert not same_operation_across(long_run, wave)
    assert same_operation_across(wave, same_wave)


def test_every_country_in_the_gazetteer_has_an_iso_code() -> None:
    """YAML 1.1 reads Norway's bare NO as false: the gazetteer once had Norway under False."""
    from seawall.osint.gazetteer import country_code, lexicon

    kinds = [entry for entry in lexicon().name_table.values() if entry[0] == "country"]
    assert all(isinstance(code, str) and len(code) == 2 and code.isupper() for _, code, _ in kinds)
    assert country_code("Norwegian") == "NO" and country_code("Guatemalan") == "GT"


def test_a_us_state_is_the_us_and_not_a_namesake_country() -> None:
    (event,) = extract_events(
        Article(
            id="x",
            text="Chinese hackers breached the networks of a hospital in New Jersey and a utility in "
            "Florida.",
        )
    )
    assert event.attacker_countries == ["CN"] and event.victim_countries == ["US"]


def _ingest_stories(tmp_path: Path, stories: dict[str, str]) -> None:
    """Write one file per story (its name carries the publication date) and ingest the folder."""
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in stories.items():
        (folder / name).write_text(text)
    assert runner.invoke(app, ["osint", "ingest", str(folder)]).exit_code == 0


def _story(tmp_path: Path, name: str, text: str) -> Article:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (article,) = read_articles(path)
    return article
