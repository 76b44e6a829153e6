"""Labelled mail for training and evaluation: a labels file, folders per label, analyst labels.

A labels file is tab-separated with a header: ``path`` (relative to the file), ``label``
(``phish`` or ``ham``), ``corpus``, and optionally more columns (``../shared/corpora/labels.tsv``
is one). A path may be an mbox, whose every message takes the row's label. Folders per label:
a directory with ``phish/`` and ``ham/`` subdirectories (any format Seawall reads).

A corpus folder (the first two levels of a path, ``legacy/enron_inbox_2001``) may hold an
``index.tsv`` with a ``relpath`` column and any of ``genre`` and ``mailbox``: evaluation reports
per genre, and keeps one mailbox's mail on one side of a split. Messages whose genre is
``spam_suspect`` are unsolicited but not phishing: they are neither ham nor phish and are
skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from seawall.intake.files import iter_messages
from seawall.intake.source import Origin, RawMessage

LABELS = {"phish": 1, "phishing": 1, "spam": 1, "malicious": 1, "ham": 0, "legitimate": 0, "clean": 0}


@dataclass(frozen=True)
class Labelled:
    raw: RawMessage
    label: int  # 1 phish, 0 ham
    corpus: str
    genre: str = ""
    """From the corpus's index.tsv when it has one (newsletter, business, transactional ...)."""
    mailbox: str = ""
    """Whose mail it is, when the corpus says (one inbox of a multi-inbox corpus)."""


UNLABELLED_GENRES = frozenset({"spam_suspect"})


class DatasetError(ValueError):
    pass


def _label(value: str, where: str) -> int:
    try:
        return LABELS[value.strip().lower()]
    except KeyError as exc:
        raise DatasetError(f"{where}: unknown label {value!r} (use phish or ham)") from exc


def _corpus_index(folder: Path) -> dict[str, dict[str, str]]:
    """``index.tsv`` of a corpus folder: relpath -> its row (empty when there is none)."""
    index = folder / "index.tsv"
    if not index.is_file():
        return {}
    with index.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        key = next((k for k in ("relpath", "path", "file") if k in (reader.fieldnames or [])), None)
        if key is None:
            return {}
        return {row[key]: row for row in reader}


def from_labels_file(
    path: Path, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Iterator[Labelled]:
    base = path.parent
    indexes: dict[str, dict[str, dict[str, str]]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        if not reader.fieldnames or "path" not in reader.fieldnames or "label" not in reader.fieldnames:
            raise DatasetError(f"{path}: needs a header with at least 'path' and 'label' columns")
        for line, row in enumerate(reader, start=2):
            relative = row["path"]
            if include and not relative.startswith(include):
                continue
            if exclude and relative.startswith(exclude):
                continue
            label = _label(row["label"], f"{path}:{line}")
            corpus = row.get("corpus") or relative.split("/")[0]
            folder, _, inside = relative.partition("/")
            second, _, inside = inside.partition("/")
            corpus_folder = f"{folder}/{second}"
            if corpus_folder not in indexes:
                indexes[corpus_folder] = _corpus_index(base / corpus_folder)
            extra = indexes[corpus_folder].get(inside, {})
            genre = row.get("genre") or extra.get("genre", "")
            if genre in UNLABELLED_GENRES:
                continue
            mailbox = row.get("mailbox") or extra.get("mailbox", "")
            for item in iter_messages([str(base / relative)]):
                if isinstance(item, RawMessage):
                    yield Labelled(item, label, corpus, genre, mailbox)


def from_folders(root: Path) -> Iterator[Labelled]:
    found = False
    for name, label in (("phish", 1), ("ham", 0)):
        folder = root / name
        if folder.is_dir():
            found = True
            for item in iter_messages([str(folder)]):
                if isinstance(item, RawMessage):
                    yield Labelled(item, label, name)
    if not found:
        raise DatasetError(f"{root}: expected phish/ and ham/ subdirectories")


def load(source: Path, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> Iterator[Labelled]:
    if source.is_dir():
        return from_folders(source)
    if source.is_file():
        return from_labels_file(source, include, exclude)
    raise DatasetError(f"{source}: no such labels file or folder")


def from_analyst_labels(
    labels: list[tuple[str, str]], read_raw: Callable[[str], bytes | None]
) -> Iterator[Labelled]:
    """Messages an analyst labelled (``seawall label``), read back from the raw-message store."""
    for sha256, label in labels:
        data = read_raw(sha256)
        if data is not None:
            yield Labelled(
                RawMessage.from_bytes(data, Origin(f"store:{sha256}", "stored")), LABELS[label], "analyst"
            )
