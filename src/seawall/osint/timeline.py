"""Operations between two states over time, as rows and as a plot (matplotlib, no display)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from seawall.osint.extract import Event, country_code


@dataclass(frozen=True, slots=True)
class Row:
    start: str
    end: str
    precision: str
    attacker: str
    victim: str
    event: Event


def between(events: list[Event], first: str, second: str) -> list[Row]:
    """Events with one state attacking the other, in either direction, oldest first."""
    a, b = country_code(first), country_code(second)
    rows = []
    for event in events:
        attackers, victims = set(event.attacker_countries), set(event.victim_countries)
        for attacker, victim in ((a, b), (b, a)):
            if attacker in attackers and victim in victims and event.date is not None:
                rows.append(
                    Row(event.date.start, event.date.end, event.date.precision, attacker, victim, event)
                )
    return sorted(rows, key=lambda r: (r.start, r.attacker))


def plot(rows: list[Row], first: str, second: str, path: Path) -> None:
    """A two-lane timeline (one lane per direction), one marker per operation, labelled."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never a window
    import matplotlib.pyplot as plt

    a, b = country_code(first), country_code(second)
    lanes = {(a, b): 1, (b, a): 0}
    figure, axis = plt.subplots(figsize=(11, 3.6))
    for row in rows:
        lane = lanes[(row.attacker, row.victim)]
        start, end = date.fromisoformat(row.start), date.fromisoformat(row.end)
        middle: Any = start + (end - start) / 2
        span: Any = [start, end]
        axis.plot(span, [lane, lane], linewidth=6, alpha=0.35, color="C0" if lane else "C3")
        axis.plot([middle], [lane], "o", color="C0" if lane else "C3")
        label = ", ".join(row.event.types) or "cyber operation"
        if row.event.malware:
            label = f"{'/'.join(row.event.malware)}: {label}"
        axis.annotate(
            label, (middle, lane), textcoords="offset points", xytext=(0, 9), ha="center", fontsize=8
        )
    axis.set_yticks([0, 1], [f"{b} → {a}", f"{a} → {b}"])
    axis.set_ylim(-0.6, 1.7)
    axis.set_title(f"Cyber operations between {first} and {second} (from open-source reporting)")
    axis.grid(axis="x", alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
