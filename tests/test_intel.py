"""Indicators, the actor gazetteer, feeds in, matching, and STIX / MISP / CSV out (with round trips)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import stix2
from pymisp import MISPEvent
from typer.testing import CliRunner

from seawall.cli import app
from seawall.config import load_settings
from seawall.intel.actors import default_gazetteer
from seawall.intel.feeds import FeedError, load_feed
from seawall.intel.indicators import classify, extract, normalise_url, refang
from seawall.store.campaigns import CampaignRepository
from seawall.store.database import Database
from tests.conftest import REPO
from tests.support.stix import valid_bundle
from tests.test_campaigns import lure, parse

runner = CliRunner()
CONFIG = str(REPO / "examples" / "seawall.toml")
WIDE = {"COLUMNS": "200"}


def test_gazetteer_resolves_aliases_and_refuses_to_guess() -> None:
    gazetteer = default_gazetteer()
    phosphorus = gazetteer.resolve("Phosphorus")
    assert phosphorus is not None and phosphorus.name == "APT35" and phosphorus.country == "IR"
    assert gazetteer.resolve("magic hound") == phosphorus
    elfin = gazetteer.resolve("Elfin")
    assert elfin is not None and elfin.name == "APT33" and elfin.mitre == "G0064"
    # Listed under two MISP actors: no actor is named, only the sponsor both agree on.
    assert gazetteer.resolve("Mint Sandstorm") is None
    assert "mintsandstorm" in gazetteer.ambiguous
    assert gazetteer.sponsor_country("Mint Sandstorm") == "IR"
    assert gazetteer.resolve("Definitely Not A Group") is None
    assert "CC0" in gazetteer.attribution and "CIRCL" in gazetteer.attribution
    assert gazetteer.resolutions, "alias conflicts are resolved explicitly, with the rule used"
    assert all("rule" in r for r in gazetteer.resolutions.values())


def test_gazetteer_file_is_what_the_committed_script_builds(tmp_path: Path) -> None:
    source = REPO.parent / "shared" / "osint" / "gazetteers"
    if not (source / "threat-actor.json").is_file():
        pytest.skip("../shared/osint/gazetteers is absent")
    import subprocess
    import sys

    actors, techniques = tmp_path / "actors.json", tmp_path / "techniques.json"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_actor_gazetteer.py"),
            str(source),
            "-o",
            str(actors),
            "--techniques",
            str(techniques),
        ],
        check=True,
        capture_output=True,
    )
    shipped = REPO / "src" / "seawall" / "intel" / "data"
    assert actors.read_bytes() == (shipped / "actors.json").read_bytes()
    assert techniques.read_bytes() == (shipped / "attack_techniques.json").read_bytes()


def test_refang_and_classify_feed_values() -> None:
    assert refang("hxxps://evil[.]example[.]com/login") == "https://evil.example.com/login"
    assert classify("hxxp://Evil.Example.com:80/a?b=1") == ("url", "http://evil.example.com/a?b=1")
    assert classify("evil[.]example[.]com") == ("domain", "evil.example.com")
    assert classify("185.141.63.120") == ("ipv4", "185.141.63.120")
    assert classify("ops[@]evil.example") == ("email", "ops@evil.example")
    assert classify("A" * 64) == ("sha256", "a" * 64)
    assert classify("not an indicator") is None
    assert normalise_url("HTTPS://Portal.Example.com#frag") == "https://portal.example.com/"


def test_indicators_leave_out_our_own_and_common_domains() -> None:
    message = parse(
        lure(
            "m.chen@example-agency.gov",
            "Mei Chen",
            datetime(2019, 6, 20, tzinfo=UTC),
            body="Dear Mei,\n\nSee https://example-agency.gov/intranet and https://www.google.com/search?q=x "
            "then log in at https://example-agency-gov.com/owa/auth.php now.\n",
        )
    )
    found = extract(message, ["example-agency.gov"])
    values = {value for _kind, value in found}
    assert ("domain", "example-agency-gov.com") in found
    assert ("url", "https://example-agency-gov.com/owa/auth.php") in found
    assert ("email", "hr@benefits-portal-update.com") in found
    assert not any("google.com" in v for v in values)
    assert not any(v.endswith("//example-agency.gov/intranet") or v == "example-agency.gov" for v in values)
    assert not any("m.chen" in v for v in values), "recipients are not indicators"


def _stix_feed(path: Path) -> Path:
    actor = stix2.v21.IntrusionSet(name="Elfin")
    indicator = stix2.v21.Indicator(
        name="benefits lure domain",
        pattern="[domain-name:value = 'benefits-portal-update.com']",
        pattern_type="stix",
        valid_from="2019-06-01T00:00:00Z",
        confidence=85,
    )
    hashes = stix2.v21.Indicator(
        pattern="[file:hashes.'SHA-256' = '" + "b" * 64 + "'] OR [url:value = 'http://x.example/a']",
        pattern_type="stix",
        valid_from="2019-06-01T00:00:00Z",
    )
    relation = stix2.v21.Relationship(indicator, "indicates", actor)
    path.write_text(stix2.v21.Bundle(actor, indicator, hashes, relation).serialize(), encoding="utf-8")
    return path


def test_feeds_in_stix_misp_and_csv(tmp_path: Path) -> None:
    stix_items = load_feed(_stix_feed(tmp_path / "feed.json"))
    by_value = {i.value: i for i in stix_items}
    assert by_value["benefits-portal-update.com"].actor == "APT33"  # Elfin resolved to its actor
    assert by_value["benefits-portal-update.com"].actor_country == "IR"
    assert by_value["benefits-portal-update.com"].confidence == 85
    assert by_value["b" * 64].kind == "sha256" and by_value["http://x.example/a"].kind == "url"

    event = MISPEvent()
    event.info = "Iranian phishing against energy, June 2019"
    event.add_attribute("ip-dst", "185.141.63.121", to_ids=True)
    event.add_attribute("email-src", "benefits@example-agency-hr.com")
    event.add_attribute("filename|sha256", "RFQ.doc|" + "c" * 64)
    event.add_tag('misp-galaxy:threat-actor="APT33"')
    misp_path = tmp_path / "event.json"
    misp_path.write_text(event.to_json(), encoding="utf-8")
    misp_items = load_feed(misp_path)
    assert {(i.kind, i.value) for i in misp_items} == {
        ("ipv4", "185.141.63.121"),
        ("email", "benefits@example-agency-hr.com"),
        ("sha256", "c" * 64),
    }
    assert {i.actor for i in misp_items} == {"APT33"}

    csv_path = tmp_path / "list.csv"
    csv_path.write_text("type,value,actor,confidence\ndomain,evil[.]example,Phosphorus,70\nurl,junk,,\n")
    (csv_item,) = load_feed(csv_path)
    assert (csv_item.kind, csv_item.value, csv_item.actor, csv_item.confidence) == (
        "domain",
        "evil.example",
        "APT35",
        70,
    )
    bare = tmp_path / "bare.txt"
    bare.write_text("# one per line\n203.0.113.9\nhxxp://bad[.]example/x\n")
    assert {(i.kind, i.value) for i in load_feed(bare)} == {
        ("ipv4", "203.0.113.9"),
        ("url", "http://bad.example/x"),
    }
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "not-a-bundle"}')
    with pytest.raises(FeedError):
        load_feed(broken)


def _wave(folder: Path, count: int = 3) -> list[str]:
    paths = []
    for number in range(count):
        path = folder / f"wave-{number}.eml"
        sent = datetime(2019, 6, 20, 8, 5 * number, tzinfo=UTC)
        path.write_bytes(
            lure(f"user{number}@petroco-energy.com", f"User{number} Person", sent, token=f"i{number}x77q")
        )
        paths.append(str(path))
    return paths


def test_intel_match_raises_the_verdict_and_attributes_the_campaign(tmp_path: Path) -> None:
    feed = _stix_feed(tmp_path / "feed.json")
    imported = runner.invoke(app, ["intel", "import", str(feed), "-c", CONFIG])
    assert imported.exit_code == 0, imported.output
    scanned = runner.invoke(app, ["scan", "-c", CONFIG, "--format", "json", *_wave(tmp_path)])
    results = [json.loads(line) for line in scanned.output.splitlines() if line.startswith("{")]
    assert len(results) == 3
    for result in results:
        matches = [e for e in result["verdict"]["evidence"] if e["rule"] == "intel.indicator_match"]
        assert matches and "APT33" in matches[0]["description"] and "feed.json" in matches[0]["name"]
        assert result["label"] == "phishing"
    shown = runner.invoke(app, ["campaigns", "show", "C-1", "-c", CONFIG], env=WIDE)
    assert "APT33" in shown.output and "benefits-portal-update.com" in shown.output
    listed = runner.invoke(app, ["intel", "list", "-c", CONFIG], env=WIDE)
    assert "benefits-portal-update.com" in listed.output


def test_no_intel_means_no_actor(tmp_path: Path) -> None:
    runner.invoke(app, ["scan", "-c", CONFIG, "--format", "json", *_wave(tmp_path)])
    shown = runner.invoke(app, ["campaigns", "show", "C-1", "-c", CONFIG], env=WIDE)
    assert "none attributed" in shown.output


def _scanned_store(tmp_path: Path, with_intel: bool = True) -> None:
    if with_intel:
        runner.invoke(app, ["intel", "import", str(_stix_feed(tmp_path / "feed.json")), "-c", CONFIG])
    result = runner.invoke(
        app, ["scan", "-c", CONFIG, "--format", "json", str(REPO / "examples"), *_wave(tmp_path)]
    )
    assert result.exit_code == 0, result.output


def test_stix_export_validates_and_is_deterministic(tmp_path: Path) -> None:
    _scanned_store(tmp_path)
    first = runner.invoke(app, ["export", "stix", "-c", CONFIG, "-o", str(tmp_path / "a.json")])
    assert first.exit_code == 0, first.output
    runner.invoke(app, ["export", "stix", "-c", CONFIG, "-o", str(tmp_path / "b.json")])
    text = (tmp_path / "a.json").read_text()
    assert text == (tmp_path / "b.json").read_text(), "re-export must give the same ids and content"
    bundle, types = valid_bundle(text)
    assert {
        "identity",
        "campaign",
        "indicator",
        "sighting",
        "relationship",
        "attack-pattern",
        "intrusion-set",
    } <= types
    attributed = [
        o
        for o in bundle["objects"]
        if o["type"] == "relationship" and o["relationship_type"] == "attributed-to"
    ]
    assert attributed and attributed[0]["confidence"] == 85
    names = {o["name"] for o in bundle["objects"] if o["type"] == "identity"}
    assert {"Example Agency", "PetroCo Energy"} <= names
    sectors = {s for o in bundle["objects"] if o["type"] == "identity" for s in o.get("sectors", [])}
    assert {"government", "energy"} <= sectors
    one = runner.invoke(app, ["export", "stix", "-c", CONFIG, "--campaign", "C-1"])
    assert one.exit_code == 0
    campaigns = [o for o in json.loads(one.stdout)["objects"] if o["type"] == "campaign"]
    assert len(campaigns) == 1
    future = runner.invoke(app, ["export", "stix", "-c", CONFIG, "--since", "2030-01-01"])
    assert not [o for o in json.loads(future.stdout)["objects"] if o["type"] == "indicator"]


@pytest.mark.parametrize("kind", ["stix", "misp", "csv"])
def test_export_import_round_trip_keeps_every_indicator(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scanned_store(tmp_path, with_intel=False)
    database = Database.from_settings(load_settings(CONFIG))
    exported = {(r.kind, r.value) for r in CampaignRepository(database).indicators()}
    database.close()
    assert len(exported) >= 10
    out = tmp_path / f"export.{kind}"
    result = runner.invoke(app, ["export", kind, "-c", CONFIG, "-o", str(out)])
    assert result.exit_code == 0, result.output
    if kind == "misp":
        event = MISPEvent()
        event.load_file(str(out))
        assert len(event.attributes) == len(exported)
    fresh = tmp_path / "fresh-home"
    monkeypatch.setenv("SEAWALL_HOME", str(fresh))
    imported = runner.invoke(app, ["intel", "import", str(out), "-c", CONFIG])
    assert imported.exit_code == 0, imported.output
    database = Database.from_settings(load_settings(CONFIG))
    round_tripped = {(i.kind, i.value) for i in CampaignRepository(database).intel()}
    database.close()
    assert round_tripped == exported


def test_attribution_survives_a_campaign_merge(tmp_path: Path) -> None:
    runner.invoke(app, ["intel", "import", str(_stix_feed(tmp_path / "feed.json")), "-c", CONFIG])
    sent = datetime(2019, 6, 20, 8, 0, tzinfo=UTC)
    parcel = (
        "Hi,\n\nYour parcel could not be delivered because the customs fee was not paid. Pay the fee "
        "of 1.99 EUR within 48 hours or the parcel is returned to the sender.\n\n"
        "https://parcel-fee-payment.com/pay\n\nDelivery Service"
    )
    first = tmp_path / "1-parcel.eml"
    first.write_bytes(
        lure(
            "a@petroco-energy.com",
            "Ann Ford",
            sent,
            domain="parcel-fee-payment.com",
            sender="notice@parcel-fee-payment.com",
            subject="Parcel held at customs",
            body=parcel,
        )
    )
    second = tmp_path / "2-benefits.eml"
    second.write_bytes(lure("b@petroco-energy.com", "Bo Li", sent))  # links the feed's APT33 domain
    bridge = tmp_path / "3-bridge.eml"
    # The benefits lure's text, linking the parcel domain: no feed indicator in it, so only the
    # merge can give the surviving campaign its actor.
    bridge.write_bytes(
        lure(
            "c@petroco-energy.com",
            "Cy Roe",
            sent,
            domain="parcel-fee-payment.com",
            sender="hr@parcel-fee-payment.com",
        )
    )
    for path in (first, second, bridge):  # one scan per file: the merge happens across batches
        scanned = runner.invoke(app, ["scan", "-c", CONFIG, "--format", "json", str(path)])
        assert scanned.exit_code == 0
    assert "intel.indicator_match" not in scanned.output
    assert "merged C-2 into C-1" in scanned.output
    database = Database.from_settings(load_settings(CONFIG))
    repository = CampaignRepository(database)
    (survivor,) = repository.campaigns()
    view = repository.campaign(survivor.id)
    database.close()
    assert view is not None and view.message_count == 3
    assert view.actor == "APT33" and view.actor_confidence == 85 and view.actor_evidence


def test_the_bundled_example_feed_attributes_the_example_campaigns() -> None:
    feed = REPO / "examples" / "intel" / "example-iran-phishing-2019.csv"
    imported = runner.invoke(app, ["intel", "import", str(feed), "-c", CONFIG])
    assert imported.exit_code == 0 and "3 indicators" in imported.output
    assert runner.invoke(app, ["scan", "-c", CONFIG, str(REPO / "examples")]).exit_code == 0
    listing = runner.invoke(app, ["campaigns", "-c", CONFIG], env=WIDE)
    assert "APT33" in listing.output and "OilRig" in listing.output
