"""Many articles analysed by worker processes: the same events as one by one, in order, and a
hostile article costs only its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.osint.articles import Article
from seawall.osint.events import extract_events
from seawall.osint.events_model import Event
from seawall.osint.stream import extract_all

STORIES = [
    "Iranian hackers breached the networks of Saudi Aramco.",
    "The weather was fine on Monday.",
    "APT33, an Iranian threat group, sent spear-phishing emails to employees of US energy companies.",
    "Russian hackers targeted the websites of the Ukrainian parliament with DDoS attacks.",
    "North Korean hackers stole $81 million from the central bank of Bangladesh.",
    "Chinese hackers broke into the networks of the US Office of Personnel Management.",
]


def test_a_long_stream_is_analysed_in_worker_processes_as_it_is_here(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    from seawall.osint import stream

    articles = [Article(id=f"s{i}", published="2019-06-24", text=text) for i, text in enumerate(STORIES * 2)]
    here = [extract_events(article) for article in articles]
    analysed_by = tmp_path / "pids"
    analyse = stream.analyse_batch

    def analyse_and_note(chunk: list[Article]) -> list[list[Event] | None]:
        with analysed_by.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return analyse(chunk)

    # a chunk of about one article: the first chunk is analysed here, the others by the workers
    monkeypatch.setattr(stream, "CHUNK_CHARACTERS", 40)
    monkeypatch.setattr(stream, "analyse_batch", analyse_and_note)
    streamed = list(stream.extract_stream((article.id, article) for article in articles))
    assert [key for key, _, _ in streamed] == [article.id for article in articles]
    assert [found for _, _, found in streamed] == here
    workers = {int(pid) for pid in analysed_by.read_text().split()} - {os.getpid()}
    assert workers, "no chunk was analysed by a worker process"


def test_an_article_that_breaks_the_analysis_costs_only_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from seawall.osint import events, stream

    operations = events._operations

    def breaks_on_the_third(article: Article) -> events._Found:
        if article.id == "s3":
            raise RecursionError("a hostile article")
        return operations(article)

    articles = [Article(id=f"s{i}", published="2019-06-24", text=text) for i, text in enumerate(STORIES * 2)]
    monkeypatch.setattr(stream, "CHUNK_CHARACTERS", 150)  # several articles per chunk, in workers
    monkeypatch.setattr(events, "_operations", breaks_on_the_third)
    streamed = {key: found for key, _, found in stream.extract_stream((a.id, a) for a in articles)}
    assert streamed["s3"] is None
    assert streamed["s9"] and streamed["s2"] and streamed["s4"], "its neighbours were analysed"
    with pytest.raises(RuntimeError, match="could not analyse"):
        extract_all(articles)


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc: no library needed for a test)."""
    found: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_the_workers_end_when_ingest_is_killed(tmp_path: Path) -> None:
    # a killed ingest gives its pool no chance to stop the workers: they must not wait for
    # work forever
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    folder = tmp_path / "articles"
    folder.mkdir()
    for number in range(400):
        text = " ".join(STORIES[(number + i) % len(STORIES)] for i in range(40))
        (folder / f"{number:03}.txt").write_text(f"Report {number}\n\n{text}\n", encoding="utf-8")
    ingest = subprocess.Popen(
        [sys.executable, "-m", "seawall", "osint", "ingest", str(folder)],
        env={**os.environ, "SEAWALL_HOME": str(tmp_path / "home")},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(workers := _children(ingest.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, "the workers never started"
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
        deadline = time.monotonic() + 15
        while (alive := {w for w in workers if Path(f"/proc/{w}").exists()}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive, "workers outlived the killed ingest"
    finally:
        ingest.kill()
        for worker in workers:
            if Path(f"/proc/{worker}").exists():
                os.kill(worker, signal.SIGKILL)
