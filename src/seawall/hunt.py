"""Retro-hunts over mail archives on Dask distributed: today's rules, model and intelligence run
over years of mail, spread over many processes or machines.

The archive is planned as ``seawall scan`` plans it (files, mbox, maildir, .msg, zip) and cut
into chunks of sources; each chunk is a Dask task that runs the ordinary ``Scanner`` on a worker,
which records its results in the shared store itself — as several mail filters share one store,
catching up on each other's campaigns after every batch — and sends them back to be reported.
Nothing here schedules, retries or moves data: Dask does (a ``LocalCluster`` of worker processes
on this machine, or the scheduler of a real cluster). Workers read the archive's paths
themselves, so on a cluster the archive sits on storage every worker mounts, and the store is a
PostgreSQL server they all reach.

A chunk whose task fails (its worker died twice, its store refused the batch) is reported as one
error result per source in it, so no message of the archive goes unreported.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import msgspec

from seawall.config import Settings
from seawall.detect.result import ScanResult, error_result, outcome
from seawall.intake.files import PlannedSource
from seawall.intake.source import Origin
from seawall.pipeline import Scanner
from seawall.store.database import database_url

if TYPE_CHECKING:
    from distributed import Client

CHUNK_SOURCES = 200
"""Sources (files, mailboxes) per task: large enough that a task's overhead (scheduling, a
batch commit) is small beside scanning it, small enough to spread an archive of a few
thousand files over every worker."""
RETRIES = 2
"""Times Dask runs a chunk again on another worker when its worker dies mid-chunk; the
messages it had recorded are keyed by their digest, so a rerun leaves each one record."""

_local = threading.local()


def _scanner(settings: bytes, record: bool) -> Scanner:
    """The scanner of this worker thread, built once and kept between tasks (loading rules,
    the model and the campaign index costs more than scanning a chunk)."""
    key = (settings, record)
    cached: dict[tuple[bytes, bool], Scanner] | None = getattr(_local, "scanners", None)
    if cached is None:
        cached = _local.scanners = {}
    if key not in cached:
        cached[key] = Scanner(msgspec.msgpack.decode(settings, type=Settings), record=record)
    return cached[key]


class Report(msgspec.Struct):
    """What a task sends back: how many messages of each outcome, those that are not clean
    (for a table), and, when asked, every result as a JSON line — encoded on the worker, so
    that the client of a large cluster only writes bytes."""

    counts: dict[str, int]
    flagged: list[ScanResult]
    lines: bytes = b""


def report(results: Iterable[ScanResult], every_line: bool) -> Report:
    """A task's results summed up, kept where flagged, encoded as JSON lines if asked."""
    counts: dict[str, int] = {}
    flagged: list[ScanResult] = []
    encoder = msgspec.json.Encoder()
    lines = bytearray()
    for result in results:
        label = outcome(result)
        counts[label] = counts.get(label, 0) + 1
        if label != "clean":
            flagged.append(result)
        if every_line:
            lines += encoder.encode(result) + b"\n"
    return Report(counts, flagged, bytes(lines))


def scan_chunk(settings: bytes, record: bool, every_line: bool, sources: list[tuple[str, str]]) -> Report:
    """One task: every message of these sources, scanned (and recorded) on the worker."""
    scanner = _scanner(settings, record)
    scanned = scanner.scan_sources(PlannedSource(path, kind) for path, kind in sources)
    return report((result for _, result in scanned), every_line)


def chunks(sources: Iterable[PlannedSource], size: int = CHUNK_SOURCES) -> list[list[tuple[str, str]]]:
    """The sources as tasks of ``size`` each (stdin cannot be read by a worker: it is left out)."""
    pending = [(s.path, s.kind) for s in sources if s.kind != "stdin"]
    return [pending[i : i + size] for i in range(0, len(pending), size)]


def for_workers(settings: Settings) -> bytes:
    """The settings as every worker must read them: with the store's URL resolved here, so that
    a worker on another machine records into the same store, not into one of its own."""
    store = msgspec.structs.replace(settings.store, database_url=database_url(settings))
    return msgspec.msgpack.encode(msgspec.structs.replace(settings, store=store))


def hunt(
    work: list[list[tuple[str, str]]],
    settings: Settings,
    client: Client,
    record: bool = True,
    every_line: bool = False,
) -> Iterator[tuple[int, Report]]:
    """Each chunk's report (``work``: from ``chunks``) as its task completes, in completion
    order, with the chunk's number; a failed chunk reports an error for each of its sources."""
    from distributed import as_completed

    payload = for_workers(settings)
    count = len(work)
    futures = client.map(
        scan_chunk,
        [payload] * count,
        [record] * count,
        [every_line] * count,
        work,
        pure=False,
        retries=RETRIES,
    )
    number = {future.key: index for index, future in enumerate(futures)}
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        index = number[future.key]
        try:
            done: Report = future.result()
        except Exception as exc:  # the chunk is reported, not lost
            reason = f"retro-hunt task failed: {type(exc).__name__}: {exc}"
            done = report(
                (error_result(Origin(path, kind), reason) for path, kind in work[index]), every_line
            )
        future.release()
        yield index, done


def consolidate_campaigns(settings: Settings) -> int:
    """After a hunt: merge the campaigns its workers founded twice for one operation (see
    ``CampaignIndex.consolidate``), in the store. Returns how many were merged away."""
    from seawall.campaigns.cluster import CampaignIndex
    from seawall.store.campaigns import CampaignRepository
    from seawall.store.database import Database

    database = Database.from_settings(settings)
    try:
        repository = CampaignRepository(database)
        index = CampaignIndex(settings.campaigns)
        repository.load_index(index)
        merged = index.consolidate()
        if merged:
            repository.save(index, index.drain(), [])
        return merged
    finally:
        database.close()


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a cluster of ``workers`` processes on
    this machine, on loopback and without a dashboard: a retro-hunt opens no port to others."""
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)  # type: ignore[no-untyped-call]
        try:
            yield client
        finally:
            client.close()  # type: ignore[no-untyped-call]
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client
