"""Campaign clustering, waves, targeting and the campaign store, on real-looking mail."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import pytest
from bench.synthetic_waves import generate
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from seawall.campaigns.cluster import CampaignIndex, waves_of
from seawall.campaigns.fingerprint import make_fingerprint
from seawall.campaigns.targeting import Targeting, summarise_targets
from seawall.cli import app
from seawall.config import CampaignSettings, Settings, Target, load_settings
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.model import ParsedMessage
from seawall.mail.parse import parse_message
from seawall.pipeline import Scanner
from seawall.store import campaigns as campaigns_store
from seawall.store.campaigns import CampaignRepository
from seawall.store.database import Database
from seawall.store.models import CampaignRecord
from tests.conftest import REPO

runner = CliRunner()


def parse(data: bytes, name: str = "m.eml") -> ParsedMessage:
    return parse_message(RawMessage.from_bytes(data, Origin(name)), Limits())


def lure(
    recipient: str,
    name: str,
    sent: datetime,
    *,
    domain: str = "benefits-portal-update.com",
    sender: str = "hr@benefits-portal-update.com",
    subject: str = "Your benefits enrollment closes today",
    token: str = "a1b2c3d4e5",
    body: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Human Resources <{sender}>"
    message["To"] = f"{name} <{recipient}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = f"<{token}@{sender.split('@')[1]}>"
    text = body or (
        f"Dear {name.split()[0]},\n\nOpen enrollment for the 2019 benefits plan closes today at 5 pm. "
        "Employees who do not confirm their elections will lose dental and vision coverage for the "
        "whole plan year. Confirm your elections and your payroll details on the benefits portal "
        f"now:\n\nhttps://{domain}/enroll/{token}?id={token}\n\nHuman Resources Benefits Team"
    )
    message.set_content(text)
    return message.as_bytes()


def test_synthetic_waves_cluster_with_high_pairwise_precision_and_recall() -> None:
    synthetic = generate(seed=7)
    index = CampaignIndex()
    assigned = []
    for number, item in enumerate(synthetic):
        message = parse(item.data, f"synthetic-{number}.eml")
        assigned.append(index.assign(make_fingerprint(message, message.timestamp or 0.0)).campaign_id)
    labels = [index.resolve(a) for a in assigned]
    truth = [s.campaign for s in synthetic]
    tp = fp = fn = 0
    for a, b in combinations(range(len(synthetic)), 2):
        same_truth, same_label = truth[a] == truth[b], labels[a] == labels[b]
        tp += same_truth and same_label
        fp += same_label and not same_truth
        fn += same_truth and not same_label
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.95
    assert len(set(labels)) == len(set(truth))


def test_personalised_variants_join_and_a_different_lure_founds_its_own_campaign() -> None:
    start = datetime(2019, 6, 20, 8, 0, tzinfo=UTC)
    index = CampaignIndex()
    people = [("m.chen@example-agency.gov", "Mei Chen"), ("r.hughes@example-agency.gov", "Robert Hughes")]
    first = index.assign(
        make_fingerprint(parse(lure(*people[0], start, token="t0k3n11111")), start.timestamp())
    )
    second = index.assign(
        make_fingerprint(
            parse(lure(*people[1], start, token="t0k3n22222", sender="payroll@benefits-portal-update.com")),
            start.timestamp(),
        )
    )
    assert first.founded and not second.founded
    assert second.campaign_id == first.campaign_id
    assert any(r.startswith("near-duplicate text") for r in second.reasons)
    other = lure(
        *people[0],
        start,
        domain="invoice-remittance-view.com",
        sender="billing@meridian-accounts.com",
        subject="Overdue invoice 4471",
        body="Hello,\n\nThe attached invoice for engineering services is overdue. Please arrange payment "
        "by wire transfer to the new bank account listed in the remittance advice before Friday to avoid "
        "late fees.\n\nhttps://invoice-remittance-view.com/view\n\nAccounts Receivable",
    )
    third = index.assign(make_fingerprint(parse(other), start.timestamp()))
    assert third.founded and third.campaign_id != first.campaign_id


def test_shared_infrastructure_joins_different_text_and_bridging_message_merges_campaigns() -> None:
    start = datetime(2019, 6, 20, 8, 0, tzinfo=UTC)
    index = CampaignIndex()
    a = index.assign(
        make_fingerprint(parse(lure("a@example-agency.gov", "Ann Ford", start)), start.timestamp())
    )
    unrelated_text = (
        "Hi,\n\nYour parcel could not be delivered because the customs fee was not paid. Pay the fee "
        "of 1.99 EUR within 48 hours or the parcel is returned to the sender.\n\n"
        "https://parcel-fee-payment.com/pay\n\nDelivery Service"
    )
    b = index.assign(
        make_fingerprint(
            parse(
                lure(
                    "b@example-agency.gov",
                    "Bo Li",
                    start,
                    domain="parcel-fee-payment.com",
                    sender="notice@parcel-fee-payment.com",
                    subject="Parcel held at customs",
                    body=unrelated_text,
                )
            ),
            start.timestamp(),
        )
    )
    assert b.campaign_id != a.campaign_id
    # The same parcel text, now linking to the benefits domain: one operator runs both lures.
    bridge_text = unrelated_text.replace("parcel-fee-payment.com/pay", "benefits-portal-update.com/enroll/x")
    bridge = index.assign(
        make_fingerprint(
            parse(lure("c@example-agency.gov", "Cy Roe", start, domain="x", body=bridge_text)),
            start.timestamp(),
        )
    )
    assert index.resolve(a.campaign_id) == index.resolve(b.campaign_id) == bridge.campaign_id
    assert any(r.startswith("merged") for r in bridge.reasons)
    assert any("shared domain:benefits-portal-update.com" in r for r in bridge.reasons)


def test_common_domains_and_free_mail_senders_do_not_make_a_campaign() -> None:
    start = datetime(2019, 6, 20, 8, 0, tzinfo=UTC)
    index = CampaignIndex()
    texts = [
        "Please review the quarterly security awareness slides before Thursday's meeting, the deck is "
        "shared on the usual drive and needs comments from every team lead.",
        "Reminder that the cafeteria is closed on Friday for maintenance, the vending machines on the "
        "second floor will be restocked and coffee is available in the lobby.",
    ]
    results = []
    for number, text in enumerate(texts):
        body = f"{text}\n\nhttps://docs.google.com/document/d/1xYz{number}/edit\n"
        data = lure(
            f"p{number}@example-agency.gov",
            "Pat Doe",
            start,
            sender=f"someone{number}@gmail.com",
            subject=f"Note {number}",
            body=body,
        )
        results.append(index.assign(make_fingerprint(parse(data), start.timestamp())))
    assert results[0].campaign_id != results[1].campaign_id


def test_waves_are_bursts_separated_by_the_configured_gap() -> None:
    start = datetime(2019, 6, 17, 9, 0, tzinfo=UTC).timestamp()
    hour = 3600.0
    times = [
        start,
        start + 0.5 * hour,
        start + 2 * hour,
        start + 30 * hour,
        start + 31 * hour,
        start + 80 * hour,
    ]
    waves = waves_of(times, 12 * hour)
    assert [count for _, _, count in waves] == [3, 2, 1]
    index = CampaignIndex(CampaignSettings(wave_gap_hours=12))
    numbers = []
    for offset, ts in enumerate(times):
        sent = datetime.fromtimestamp(ts, UTC)
        data = lure(f"user{offset}@example-agency.gov", f"User{offset} Test", sent, token=f"tok{offset}x9999")
        numbers.append(index.assign(make_fingerprint(parse(data), ts)).wave)
    assert numbers == [1, 1, 1, 2, 2, 3]


def test_targeting_maps_recipients_to_organisations_sectors_and_ranks_people() -> None:
    targeting = Targeting(
        [
            Target(organisation="Example Agency", sector="government", domains=["example-agency.gov"]),
            Target(organisation="PetroCo Energy", sector="oil-and-gas", domains=["petroco-energy.com"]),
        ]
    )
    assert targeting.place("m.chen@hq.example-agency.gov").organisation == "Example Agency"
    assert targeting.place("ops@petroco-energy.com").sector == "oil-and-gas"
    assert targeting.place("x@elsewhere.org").organisation == ""
    people, organisations, sectors = summarise_targets(
        targeting,
        [
            ("cfo@petroco-energy.com", 1, 90.0),
            ("cfo@petroco-energy.com", 2, 80.0),
            ("clerk@example-agency.gov", 1, 40.0),
        ],
    )
    assert people[0].address == "cfo@petroco-energy.com" and len(people[0].campaigns) == 2
    assert organisations["PetroCo Energy"] == 2 and sectors["government"] == 1


def _wave_files(folder: Path, count: int, start: datetime, prefix: str) -> list[Path]:
    paths = []
    for number in range(count):
        sent = start + timedelta(minutes=7 * number)
        path = folder / f"{prefix}-{number}.eml"
        path.write_bytes(
            lure(
                f"user{number}@example-agency.gov",
                f"User{number} Person",
                sent,
                token=f"{prefix}{number}zz99",
            )
        )
        paths.append(path)
    return paths


def test_scanning_records_campaigns_that_survive_a_restart(database_url: str, tmp_path: Path) -> None:
    settings = load_settings(REPO / "examples" / "seawall.toml")
    database = Database(database_url)
    first_wave = _wave_files(tmp_path, 4, datetime(2019, 6, 20, 8, 0, tzinfo=UTC), "w1")
    scanner = Scanner(settings, database=database, keep_raw=False)
    results = list(scanner.scan([str(p) for p in first_wave]))
    scanner.flush()
    assert all(r.campaign is not None for r in results), [r.label for r in results]
    campaign_ids = {r.campaign.campaign_id for r in results if r.campaign}
    assert len(campaign_ids) == 1
    # A new process: the index comes back from the store; a second wave two days later joins.
    second_wave = _wave_files(tmp_path, 3, datetime(2019, 6, 22, 9, 0, tzinfo=UTC), "w2")
    scanner = Scanner(settings, database=database, keep_raw=False)
    later = list(scanner.scan([str(p) for p in second_wave + first_wave[:1]]))
    scanner.flush()
    assert {r.campaign.campaign_id for r in later if r.campaign} == campaign_ids
    assert later[0].campaign is not None and later[0].campaign.wave == 2
    assert later[-1].campaign is not None and later[-1].campaign.reasons == ["already a member"]
    repository = CampaignRepository(database)
    view = repository.campaign(campaign_ids.pop(), settings.campaigns.wave_gap_hours)
    assert view is not None
    assert view.message_count == 7 and len(view.messages) == 7
    assert [count for _, _, count in view.waves] == [4, 3]
    assert ("domain", "benefits-portal-update.com", 7) in view.indicators
    assert len(view.recipients) == 4
    database.close()


def _lure_file(path: Path, number: int, start: datetime, domain: str, text: str) -> Path:
    """Copy ``number`` of a lure from ``domain``: its own recipient, minute and link token."""
    token = f"{path.stem}-{number}"
    path.write_bytes(
        lure(
            f"user{number}@example-agency.gov",
            f"User{number} Person",
            start + timedelta(minutes=number),
            domain=domain,
            sender=f"notices@{domain}",
            subject=text.split(";")[0].split(".")[0][:60],
            token=token,
            body=f"{text}\n\nhttps://{domain}/confirm/{token}\n\nThe Service Team",
        )
    )
    return path


def test_two_scanners_sharing_a_store_never_share_an_id_and_one_wave_stays_one_campaign(
    database_url: str, tmp_path: Path
) -> None:
    settings = load_settings(REPO / "examples" / "seawall.toml")
    database = Database(database_url)
    # Two filter instances start on the same (empty) store.
    first = Scanner(settings, database=database, keep_raw=False)
    second = Scanner(settings, database=database, keep_raw=False)
    start = datetime(2019, 6, 20, 8, 0, tzinfo=UTC)
    wave = _wave_files(tmp_path, 5, start, "shared")
    payroll = (
        "Your direct deposit could not be processed for this pay period. Payroll needs you to confirm "
        "your bank routing and account number before Friday or your salary will be held."
    )
    other_lure = [
        _lure_file(tmp_path / f"payroll-{n}.eml", n, start, "payroll-verification-desk.com", payroll)
        for n in range(2)
    ]
    on_first = list(first.scan([str(p) for p in wave[:3]]))
    on_second = list(second.scan([str(p) for p in other_lure]))
    first_ids = {r.campaign.campaign_id for r in on_first if r.campaign}
    second_ids = {r.campaign.campaign_id for r in on_second if r.campaign}
    assert len(first_ids) == 1 and len(second_ids) == 1
    assert first_ids != second_ids  # founded at the same time, on different ids
    first.flush()
    second.flush()  # writes its own batch, then catches up with the first scanner's
    later = list(second.scan([str(p) for p in wave[3:]]))
    second.flush()
    assert {r.campaign.campaign_id for r in later if r.campaign} == first_ids
    assert later[0].campaign is not None and not later[0].campaign.founded
    repository = CampaignRepository(database)
    view = repository.campaign(first_ids.pop(), settings.campaigns.wave_gap_hours)
    assert view is not None and view.message_count == 5 and len(view.messages) == 5
    assert len(repository.campaigns()) == 2
    database.close()


def test_a_merge_recorded_by_another_scanner_folds_the_campaigns_in_memory() -> None:
    index = CampaignIndex()
    index.restore_member("a" * 64, 3, 1_560_000_000.0)
    index.restore_member("b" * 64, 5, 1_560_090_000.0)
    index.restore_member("c" * 64, 5, 1_560_090_600.0)
    index.restore_merge(5, 3)
    assert index.resolve(5) == 3 and 5 not in index.campaigns
    assert index.campaigns[3].members == 3 and index.campaigns[3].waves == 2
    index.restore_merge(5, 3)  # read again on the next refresh: no double count
    assert index.campaigns[3].members == 3
    index.restore_member("b" * 64, 5, 1_560_090_000.0)  # a member read back: counted once
    assert index.campaigns[3].members == 3


class _TwoScanners(NamedTuple):
    """Two scanners on one store (``here`` and ``there``), each with its campaign index, that
    both know ``ids`` campaigns of one member each."""

    database: Database
    here: CampaignRepository
    there: CampaignRepository
    mine: CampaignIndex
    theirs: CampaignIndex
    ids: list[int]


def _two_scanners(database_url: str, campaigns: int) -> _TwoScanners:
    database = Database(database_url)
    here, there = CampaignRepository(database), CampaignRepository(database)
    mine, theirs = CampaignIndex(), CampaignIndex()
    ids = [here.reserve_campaign_id() for _ in range(campaigns)]
    for index in (mine, theirs):
        for number, campaign_id in enumerate(ids):
            index.restore_member(f"{number:064x}", campaign_id, 1_560_000_000.0 + number)
    here.load_index(mine)
    return _TwoScanners(database, here, there, mine, theirs, ids)


def test_a_merge_another_scanner_stored_reaches_this_scanner_on_refresh(database_url: str) -> None:
    database, here, there, mine, theirs, ids = _two_scanners(database_url, 3)
    for source in ids[1:]:  # the other scanner merges one campaign, then (later) another
        theirs._merge([source], ids[0])
        there.save(theirs, theirs.drain(), [])
        here.refresh_index(mine)
        assert mine.resolve(source) == ids[0]
    assert mine.campaigns[ids[0]].members == 3 and set(mine.campaigns) == {ids[0]}
    database.close()


def test_a_merge_stamped_by_a_clock_far_behind_is_caught_by_the_next_deep_look(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # between deep looks the catch-up reads only what is new; every DEEP_REFRESH_SECONDS it
    # looks back an hour of merges (and a thousand rows), for writers on other hosts
    database, here, there, mine, theirs, ids = _two_scanners(database_url, 2)
    theirs._merge([ids[1]], ids[0])
    there.save(theirs, theirs.drain(), [])
    with database.engine.begin() as connection:  # the other host's clock is ten minutes behind
        connection.execute(
            update(CampaignRecord)
            .where(CampaignRecord.id == ids[1])
            .values(updated_at=datetime.now(UTC) - timedelta(minutes=10))
        )
    monkeypatch.setattr(campaigns_store, "DEEP_REFRESH_SECONDS", 3600.0)  # however slow the machine
    here.refresh_index(mine)
    assert mine.resolve(ids[1]) == ids[1]  # not yet: a shallow look
    here._deep_at = float("-inf")  # DEEP_REFRESH_SECONDS have passed
    here.refresh_index(mine)
    assert mine.resolve(ids[1]) == ids[0]
    database.close()


def test_a_failed_catch_up_does_not_end_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(REPO / "examples" / "seawall.toml")
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")

    def unreachable(self: CampaignRepository, index: CampaignIndex, everything: bool = False) -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    scanner = Scanner(settings, database=database, keep_raw=False)
    monkeypatch.setattr(CampaignRepository, "refresh_index", unreachable)
    wave = _wave_files(tmp_path, 3, datetime(2019, 6, 20, tzinfo=UTC), "x")
    results = list(scanner.scan([str(p) for p in wave]))
    scanner.flush()
    assert len(results) == 3 and all(r.campaign is not None for r in results)
    assert CampaignRepository(database).campaign(results[0].campaign.campaign_id) is not None
    database.close()


LURES = [
    "Your mailbox quota is full; messages will bounce until you verify your storage settings.",
    "A parcel could not be delivered because the customs fee of 2.99 USD is unpaid.",
    "The quarterly bonus statement is ready for your electronic signature today.",
    "Unusual sign-in activity from Lagos was blocked; review the recent security events.",
    "Invoice 4471 from the fuel supplier is overdue and the account goes to collections.",
    "The pipeline maintenance schedule changed; confirm the new shift roster for August.",
    "Your VPN certificate expires tonight and remote access stops until it is renewed.",
    "HR updated the travel reimbursement policy; acknowledge it before the next payroll.",
    "A shared spreadsheet about the refinery audit findings is waiting for your comments.",
    "The conference organisers need your passport details to finish the visa letter.",
    "Your benefits dependant verification is incomplete and coverage will lapse Friday.",
    "The board meeting minutes were uploaded to the secure portal for your approval.",
]


def test_two_scanners_at_once_never_found_on_one_id_and_counts_match_the_members(
    database_url: str, tmp_path: Path
) -> None:
    settings = load_settings(REPO / "examples" / "seawall.toml")
    start = datetime(2019, 6, 20, 8, 0, tzinfo=UTC)
    batches: list[list[str]] = [[], []]
    for number in range(24):  # 12 distinct lures, each sent twice, the copies split between scanners
        text = LURES[number // 2]
        path = _lure_file(
            tmp_path / f"lure-{number}.eml", number, start, f"portal-{number // 2}-update.com", text
        )
        batches[number % 2].append(str(path))

    def scan(paths: list[str]) -> list[tuple[int, bool]]:
        database = Database(database_url)
        scanner = Scanner(settings, database=database, keep_raw=False)
        found = [(r.campaign.campaign_id, r.campaign.founded) for r in scanner.scan(paths) if r.campaign]
        scanner.close()
        return found

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(scan, batches))
    founded = [campaign_id for batch in results for campaign_id, was_founded in batch if was_founded]
    assert len(founded) == len(set(founded)) >= 12
    database = Database(database_url)
    repository = CampaignRepository(database)
    for record in repository.campaigns():
        view = repository.campaign(record.id)
        assert view is not None and view.message_count == len(view.messages) > 0
    assert sum(len(repository.campaign(r.id).messages) for r in repository.campaigns()) == 24  # type: ignore[union-attr]
    database.close()


def test_campaign_ids_reserved_concurrently_are_distinct(database_url: str) -> None:
    database = Database(database_url)
    repositories = [CampaignRepository(database) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda r: [r.reserve_campaign_id() for _ in range(15)], repositories))
    ids = [i for batch in batches for i in batch]
    assert len(set(ids)) == 60 and sorted(ids) == list(range(1, 61))
    # Reserved ids without members are not campaigns yet.
    assert repositories[0].campaigns() == []
    database.close()


def test_campaign_cli_lists_shows_and_ranks(tmp_path: Path) -> None:
    config = str(REPO / "examples" / "seawall.toml")
    files = _wave_files(tmp_path, 3, datetime(2019, 6, 20, 8, 0, tzinfo=UTC), "cli")
    result = runner.invoke(app, ["scan", "-c", config, "--format", "json", *map(str, files)])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(app, ["campaigns", "-c", config])
    assert listing.exit_code == 0 and "C-1" in listing.output
    shown = runner.invoke(app, ["campaigns", "show", "C-1", "-c", config])
    assert shown.exit_code == 0, shown.output
    for expected in ("Waves", "Example Agency", "government", "benefits-portal-update.com", "T1566"):
        assert expected in shown.output
    people = runner.invoke(app, ["campaigns", "people", "-c", config], env={"COLUMNS": "200"})
    assert people.exit_code == 0 and "user0@example-agency.gov" in people.output
    missing = runner.invoke(app, ["campaigns", "show", "C-99", "-c", config])
    assert missing.exit_code == 2


def test_identical_bodies_share_a_campaign_whatever_their_order() -> None:
    start = datetime(2019, 6, 20, 8, 0, tzinfo=UTC)
    index = CampaignIndex()
    groups: dict[int, set[int]] = defaultdict(set)
    for number in range(6):
        data = lure(f"u{number}@example-agency.gov", "Alex Kim", start, token=f"same{number}q1")
        groups[0].add(
            index.resolve(index.assign(make_fingerprint(parse(data), start.timestamp())).campaign_id)
        )
    assert len(groups[0]) == 1
    assert Settings().campaigns.labels == ["suspicious", "phishing"]


def test_consolidation_merges_campaigns_founded_twice_for_one_operation_and_no_others() -> None:
    from seawall.campaigns.cluster import CampaignIndex

    index = CampaignIndex()
    # two scanners at once each founded a campaign for a wave linking to one phishing domain;
    # a third campaign shares only a sender (a weak key) with the first
    for campaign_id, keys in (
        (1, ["domain:examp1e-login.top", "sender:it@x.example"]),
        (2, ["domain:examp1e-login.top"]),
        (3, ["sender:it@x.example"]),
    ):
        index.restore_member(f"{campaign_id:064d}", campaign_id, 1560000000.0 + campaign_id)
        for key in keys:
            index.restore_key(key, campaign_id)
    assert index.consolidate() == 1
    assert index.resolve(2) == 1 and index.resolve(3) == 3
    assert index.drain().merges == [(2, 1)]
    assert index.consolidate() == 0  # nothing left to merge
