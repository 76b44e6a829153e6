"""Many articles into events, in order, analysed by two worker processes while the caller
stores them (``seawall osint ingest``); one article or one batch is ``events.analyse_batch``."""

from __future__ import annotations

import ctypes
import itertools
import logging
import multiprocessing
import os
import signal
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

import msgspec

from seawall.osint.articles import Article
from seawall.osint.events import analyse_batch
from seawall.osint.events_model import Event

log = logging.getLogger(__name__)
K = TypeVar("K")


def extract_all(articles: list[Article]) -> list[list[Event]]:
    """The events of each article (raises when one cannot be analysed)."""
    results: list[list[Event]] = []
    for _, article, events in extract_stream((None, article) for article in articles):
        if events is None:
            raise RuntimeError(f"could not analyse article {article.id[:12]} (see the log)")
        results.append(events)
    return results


CHUNK_CHARACTERS = 50_000
"""Articles are analysed in chunks of about this much text (some 15 news articles): enough
operation sentences to parse in one batch, small enough to keep two workers busy."""
AHEAD = 4
"""Chunks in flight: the workers analyse ahead while this process stores what they sent."""


def extract_stream(items: Iterable[tuple[K, Article]]) -> Iterator[tuple[K, Article, list[Event] | None]]:
    """The events of each article, in order, as they are ready; None for an article that
    could not be analysed (logged): a hostile article costs its own events, never the others'.

    A stream of more than one chunk is analysed by two worker processes (the machine Seawall is
    measured on has two cores) while this one reads the articles and stores their events.
    The parse is most of the cost; spaCy's own ``n_process`` would parallelise only it, and
    send every Doc back through msgpack (docs/benchmarks.md: the 800 CASIE articles ingest in
    0.59 of stop 28's wall time)."""
    chunks = _chunks(items)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if first is None or second is None:
        if first is not None:
            yield from _zip_results(first, analyse_batch([article for _, article in first]))
        return
    # a story of one sentence, analysed before the workers fork, loads the parser and every
    # table they then share
    analyse_batch([Article(id="warm-up", text="Hackers stole the records of the ministry on Monday.")])
    with ProcessPoolExecutor(
        max_workers=2,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        in_flight: deque[tuple[list[tuple[K, Article]], Future[bytes]]] = deque()
        for chunk in itertools.chain([first, second], chunks):
            in_flight.append((chunk, pool.submit(_analyse_encoded, [article for _, article in chunk])))
            while in_flight and (len(in_flight) > AHEAD or in_flight[0][1].done()):
                yield from _finish(*in_flight.popleft())
        while in_flight:
            yield from _finish(*in_flight.popleft())


PR_SET_PDEATHSIG = 1
"""prctl(2)'s option number (linux/prctl.h)."""


def _die_with_parent(parent: int) -> None:
    """Each worker ends when the ingest process ends, however it ends: a SIGTERM or SIGKILL gives
    the pool no chance to stop its workers, which would wait for work forever. Linux sends a
    worker SIGKILL when its parent dies if asked through prctl(2); asked here through libc,
    as no maintained library wraps prctl without a C build."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: a killed ingest's workers wait for work
        log.debug("no parent-death signal on this system", exc_info=True)
    if os.getppid() != parent:  # the ingest died before the signal was asked for
        os._exit(1)


def _chunks(items: Iterable[tuple[K, Article]]) -> Iterator[list[tuple[K, Article]]]:
    chunk: list[tuple[K, Article]] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item[1].text)
        if size >= CHUNK_CHARACTERS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _zip_results(
    chunk: list[tuple[K, Article]], results: list[list[Event] | None]
) -> Iterator[tuple[K, Article, list[Event] | None]]:
    for (key, article), events in zip(chunk, results, strict=True):
        yield key, article, events


def _finish(
    chunk: list[tuple[K, Article]], analysed: Future[bytes]
) -> Iterator[tuple[K, Article, list[Event] | None]]:
    try:
        results = _RESULTS.decode(analysed.result())
    except Exception:  # the worker failed or died: the chunk again, here
        log.error("analysis in a worker failed, analysing here: %s", traceback.format_exc())
        results = analyse_batch([article for _, article in chunk])
    yield from _zip_results(chunk, results)


_RESULTS = msgspec.msgpack.Decoder(list[list[Event] | None])


def _analyse_encoded(articles: list[Article]) -> bytes:
    """``analyse_batch`` in a worker. The events come back as msgpack, not pickled: msgspec omits a
    field whose value *is* its default, so a pickled copy ("reported" rebuilt) would be
    stored with fields an event analysed here does not show."""
    return msgspec.msgpack.encode(analyse_batch(articles))
