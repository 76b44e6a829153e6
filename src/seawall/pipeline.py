"""The scan pipeline: intake -> parse -> detect -> store, one message at a time.

Interfaces (CLI, API, mail-flow service) drive this; the stages never call back into it.
One message's failure, of any kind, becomes that message's error result: the batch goes on.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from seawall.config import Settings, data_dir
from seawall.detect.detector import Analysis, Detector
from seawall.detect.result import ScanResult, error_result, ok_result
from seawall.intake.files import PlannedSource, plan, read_source
from seawall.intake.source import IntakeError, RawMessage
from seawall.mail.model import ParsedMessage
from seawall.mail.parse import parse_message
from seawall.store.blobs import BlobStore
from seawall.store.database import Database
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
        self.database = database or (Database.from_settings(settings) if record else None)
        self.repository = ScanRepository(self.database) if self.database is not None else None
        keep = settings.store.keep_raw if keep_raw is None else keep_raw
        self.blobs = (
            BlobStore(Path(settings.store.raw_dir) if settings.store.raw_dir else data_dir() / "raw")
            if keep and self.repository is not None
            else None
        )
        self._pending: list[ScanResult] = []
        self._stored_raw: set[str] = set()
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
            message, analysis = self.analyse(raw)
            result = ok_result(message, analysis.verdict)
        except Exception as exc:  # a bug must cost one message's verdict, not the batch
            log.error("internal error on %s: %s", raw.origin, traceback.format_exc())
            return error_result(raw.origin, f"internal error while analysing: {type(exc).__name__}: {exc}")
        if self.blobs is not None:
            self.blobs.put(raw.sha256, raw.data)
            self._stored_raw.add(raw.sha256)
        return result

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
        if self.repository is None or not self._pending:
            return
        if self.blobs is not None:
            # Raw messages first: a result never points to bytes that were not kept.
            try:
                self.blobs.flush()
            except (OSError, sqlite3.Error) as exc:
                log.error("could not keep raw messages: %s", exc)
                self._stored_raw = set()
        self.repository.save(self._pending, self._stored_raw)
        self._pending = []
        self._stored_raw = set()

    def close(self) -> None:
        self.flush()
        if self.blobs is not None:
            self.blobs.close()
        if self.database is not None:
            self.database.close()
