"""The scan pipeline: intake -> parse -> detect -> intel match -> campaigns -> store, one
message at a time.

Interfaces (CLI, API, mail-flow service) drive this; the stages never call back into it.
One message's failure, of any kind, becomes that message's error result: the batch goes on.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
import time
import traceback
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from sqlalchemy.exc import SQLAlchemyError

from seawall.campaigns.cluster import CampaignIndex
from seawall.campaigns.fingerprint import link_destinations, make_fingerprint
from seawall.config import Settings
from seawall.detect.detector import Analysis, Detector
from seawall.detect.result import (
    CampaignMembership,
    ScanResult,
    error_result,
    not_a_message_result,
    ok_result,
)
from seawall.detect.verdict import Verdict, assemble, failure_evidence
from seawall.intake.files import PlannedSource, plan, read_source
from seawall.intake.source import IntakeError, RawMessage
from seawall.intel.indicators import extract as extract_indicators
from seawall.intel.matching import IntelMatcher, apply_matches
from seawall.intel.records import FeedIndicator
from seawall.mail.model import ParsedMessage
from seawall.mail.parse import parse_message
from seawall.store.blobs import raw_store
from seawall.store.campaigns import CampaignRepository, MemberFacts
from seawall.store.database import Database, open_store, sqlite_directory
from seawall.store.errors import is_disk_full, store_write_error
from seawall.store.outbox import Outbox
from seawall.store.repository import ScanRepository

log = logging.getLogger(__name__)
BATCH = 200


class Scanner:
    """Parses, analyses and (optionally) records messages with one loaded configuration."""

    def __init__(
        self,
        settings: Settings,
        *,
        record: bool = True,
        keep_raw: bool | None = None,
        database: Database | None = None,
        detector: Detector | None = None,
    ) -> None:
        self.settings = settings
        self.detector = detector or Detector(settings)
        self.database = database or (open_store(settings) if record else None)
        self.repository = ScanRepository(self.database) if self.database is not None else None
        keep = settings.store.keep_raw if keep_raw is None else keep_raw
        self.blobs = raw_store(settings) if keep and self.repository is not None else None
        self._pending: list[ScanResult] = []
        self.recorded = 0  # results committed to the store by this scanner
        self._stored_raw: set[str] = set()
        self.campaign_repository = CampaignRepository(self.database) if self.database is not None else None
        self.campaigns = (
            CampaignIndex(
                settings.campaigns,
                allocate=self.campaign_repository.reserve_campaign_id if self.campaign_repository else None,
            )
            if settings.campaigns.enabled
            else None
        )
        if self.campaigns is not None and self.campaign_repository is not None:
            self.campaign_repository.load_index(self.campaigns)
        self.intel = IntelMatcher(self.campaign_repository.intel() if self.campaign_repository else [])
        self._cluster_labels = frozenset(settings.campaigns.labels)
        self._own_domains = tuple(settings.organisation.domains) + tuple(settings.intel.allow_domains)
        self._facts: list[MemberFacts] = []
        self._alerts: list[tuple[str, str, dict[str, object]]] = []
        self.outbox = Outbox(self.database) if self.database is not None else None
        # Rules, lexicon, brand lists and imports are loaded for good: move them out of the
        # collector's sight so full collections during a long scan do not rescan them.
        gc.collect()
        gc.freeze()

    def analyse(self, raw: RawMessage) -> tuple[ParsedMessage, Analysis]:
        message = parse_message(raw, self.settings.limits)
        return message, self.detector.analyse(message)

    def scan_raw(self, raw: RawMessage) -> ScanResult:
        """One message to one result; never raises."""
        try:
            message = parse_message(raw, self.settings.limits)
            if any(defect.kind == "not_a_message" for defect in message.defects):
                return not_a_message_result(message)
            analysis = self.detector.analyse(message)
            verdict = analysis.verdict
            indicators: list[tuple[str, str]] = []
            matches: list[tuple[str, str, FeedIndicator]] = []
            destinations: list[tuple[str, str, str]] | None = None
            if self.intel or verdict.label in self._cluster_labels:
                destinations = link_destinations(message)  # unwrapped once, for both stages
                indicators = extract_indicators(message, self._own_domains, destinations)
            if self.intel:
                matches = self.intel.match(indicators)
                verdict = apply_matches(verdict, matches, self.settings)
            result = ok_result(message, verdict)
        except Exception as exc:  # a bug must never cost a message its verdict: fail closed
            log.warning("internal error on %s: %s: %s", raw.origin, type(exc).__name__, exc)
            log.debug("%s", traceback.format_exc())
            return failed_result(raw, f"internal error: {type(exc).__name__}: {exc}", self.settings)
        if self.campaigns is not None and verdict.label in self._cluster_labels:
            try:
                self._join_campaign(message, verdict, result, indicators, matches, destinations)
            except Exception:  # clustering is an addition to the verdict, never its end
                log.error("campaign clustering failed on %s: %s", raw.origin, traceback.format_exc())
        if self.blobs is not None:
            self.blobs.put(raw.sha256, raw.data)
            self._stored_raw.add(raw.sha256)
        return result

    def _join_campaign(
        self,
        message: ParsedMessage,
        verdict: Verdict,
        result: ScanResult,
        indicators: list[tuple[str, str]],
        matches: list[tuple[str, str, FeedIndicator]],
        destinations: list[tuple[str, str, str]] | None = None,
    ) -> None:
        assert self.campaigns is not None
        timestamp = message.timestamp
        if timestamp is None:
            timestamp = next((hop.timestamp for hop in message.received if hop.timestamp), None)
        membership = self.campaigns.assign(make_fingerprint(message, timestamp or time.time(), destinations))
        result.campaign = membership
        self._alert_campaign(message, verdict, membership, matches)
        attributed = [m for m in matches if m[2].actor]
        actor = None
        if attributed:
            kind, value, hit = max(attributed, key=lambda m: m[2].confidence)
            evidence = {"source": hit.source, "kind": kind, "value": value, "message": message.sha256}
            actor = (hit.actor, hit.actor_country, hit.confidence, evidence)
        self._facts.append(
            MemberFacts(
                sha256=message.sha256,
                campaign_id=membership.campaign_id,
                timestamp=timestamp or time.time(),
                subject=message.subject,
                from_address=message.from_.address if message.from_ else "",
                label=verdict.label,
                score=verdict.score,
                attack=sorted({t for e in verdict.evidence for t in e.attack}),
                indicators=indicators,
                actor=actor,
            )
        )

    def scan_and_record(self, raw: RawMessage) -> ScanResult:
        """One message scanned and committed to the store before returning (the mail flow
        answers the MTA only after that); raises when the store cannot record it."""
        result = self.scan_raw(raw)
        self._record(result)
        self.flush()
        return result

    def _alert_campaign(
        self,
        message: ParsedMessage,
        verdict: Verdict,
        membership: CampaignMembership,
        matches: list[tuple[str, str, FeedIndicator]],
    ) -> None:
        """Alerts for a campaign that starts, a wave that begins, a strong intelligence match;
        queued in the outbox at the next flush (``[alerts]``)."""
        alerts = self.settings.alerts
        if not alerts.webhooks or membership.reasons == ["already a member"]:
            return
        about = {
            "campaign": membership.campaign,
            "campaign_id": membership.campaign_id,
            "wave": membership.wave,
            "message": {
                "sha256": message.sha256,
                "subject": message.subject[:300],
                "from": message.from_.address if message.from_ else "",
                "label": verdict.label,
                "score": verdict.score,
                "attack": sorted({t for e in verdict.evidence for t in e.attack}),
            },
        }
        if membership.founded and "campaign" in alerts.events:
            self._alerts.append((f"campaign:{membership.campaign_id}", "campaign", about))
        elif membership.wave > 1 and "wave" in alerts.events:
            self._alerts.append((f"wave:{membership.campaign_id}:{membership.wave}", "wave", about))
        strong = [m for m in matches if m[2].confidence >= alerts.intel_min_confidence]
        if strong and "intel" in alerts.events:
            kind, value, hit = strong[0]
            intel = {"kind": kind, "value": value, "source": hit.source, "actor": hit.actor}
            self._alerts.append((f"intel:{message.sha256}", "intel", {**about, "intel": intel}))

    def scan_items(self, items: Iterable[RawMessage | IntakeError]) -> Iterator[ScanResult]:
        for item in items:
            if isinstance(item, IntakeError):
                result = error_result(item.origin, item.error)
            else:
                result = self.scan_raw(item)
            self._record(result)
            yield result

    def scan_sources(
        self, sources: Iterable[PlannedSource], stdin: BinaryIO | None = None
    ) -> Iterator[tuple[PlannedSource, ScanResult]]:
        try:
            for source in sources:
                for result in self.scan_items(read_source(source, stdin)):
                    yield source, result
        finally:
            self.flush()

    def scan(self, paths: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[ScanResult]:
        for _source, result in self.scan_sources(plan(paths), stdin):
            yield result

    def _record(self, result: ScanResult) -> None:
        if self.repository is None:
            return
        self._pending.append(result)
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.repository is None:
            if self.campaigns is not None:
                self.campaigns.drain()  # nothing to write: keep memory bounded
            self._facts = []
            return
        if not self._pending:
            return
        pending = len(self._pending)
        try:
            self._write_batch()
        except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
            log.debug("store write failed", exc_info=True)
            # The batch is dropped, not retried: its transaction rolled back whole, and the
            # caller stops; a rerun records it (messages are keyed by digest).
            self._pending = []
            self._stored_raw = set()
            self._facts = []
            self._alerts = []
            if self.blobs is not None:
                self.blobs.discard_pending()
            url = self.database.url if self.database is not None else ""
            raise store_write_error(exc, pending, sqlite_directory(url)) from exc
        self.recorded += pending
        if self.campaigns is not None and self.campaign_repository is not None:
            # Other scanners may share the store: learn their campaigns before the next batch
            # (best effort: a failed catch-up is retried after the next batch).
            self._queue_alerts()
            try:
                self.campaign_repository.refresh_index(self.campaigns)
            except SQLAlchemyError as exc:
                log.error("could not catch up with other scanners' campaigns: %s", exc)
        self._facts = []

    def _write_batch(self) -> None:
        """Raw bytes, results and campaigns of the pending batch."""
        assert self.repository is not None
        if self.blobs is not None:
            # Raw messages first: a result never points to bytes that were not kept.
            try:
                self.blobs.flush()
            except (OSError, sqlite3.Error) as exc:
                if is_disk_full(exc):
                    raise  # keeping results without the raw bytes asked for would lose them
                log.error("could not keep raw messages: %s", exc)
                self._stored_raw = set()
        # One transaction for the batch's results and campaigns: a message is never recorded
        # without the campaign it joined, and the mail flow pays for one commit per message.
        with self.repository.database.engine.begin() as connection:
            self.repository.write(connection, self._pending, self._stored_raw)
            if self.campaigns is not None and self.campaign_repository is not None:
                self.campaign_repository.write(
                    connection, self.campaigns, self.campaigns.drain(), self._facts
                )
        self._pending = []
        self._stored_raw = set()

    def _queue_alerts(self) -> None:
        """Alerts of the batch just recorded, into the outbox (once per key and webhook)."""
        if self.outbox is not None:
            for key, event, payload in self._alerts:
                for webhook in self.settings.alerts.webhooks:
                    self.outbox.enqueue(key, event, webhook.url, {"type": event, **payload})
        self._alerts = []

    def close(self) -> None:
        self.flush()
        if self.blobs is not None:
            self.blobs.close()
        if self.database is not None:
            self.database.close()


def failed_result(raw: RawMessage, error: str, settings: Settings) -> ScanResult:
    """The result of a message whose analysis failed: at least suspicious, the error named."""
    try:
        message = parse_message(raw, settings.limits)
    except Exception:  # parse_message does not raise; this is the last guard of the last guard
        message = ParsedMessage(sha256=raw.sha256, origin=raw.origin, size=len(raw.data))
    verdict = assemble([failure_evidence(error, settings.verdict)], settings.verdict)
    return ok_result(message, verdict)
