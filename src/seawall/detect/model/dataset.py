"""Labelled mail for training and evaluation: a labels file, folders per label, analyst labels.

A labels file is tab-separated with a header: ``path`` (relative to the file), ``label``
(``phish`` or ``ham``), ``corpus``, and optionally more columns (``../shared/corpora/labels.tsv``
is one). A path may be an mbox, whose every message takes the row's label. Folders per label:
a directory with ``phish/`` and ``ham/`` subdirectories (any format Seawall reads).
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


class DatasetError(ValueError):
    pass


def _label(value: str, where: str) -> int:
    try:
        return LABELS[value.strip().lower()]
    except KeyError as exc:
        raise DatasetError(f"{where}: unknown label {value!r} (use phish or ham)") from exc


def from_labels_file(
    path: Path, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Iterator[Labelled]:
    base = path.parent
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
            for item in iter_messages([str(base / relative)]):
                if isinstance(item, RawMessage):
                    yield Labelled(item, label, corpus)


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
