"""``seawall osint``: read reporting into events, list them, draw the timeline, export STIX."""

from __future__ import annotations

import csv
import json
import logging
import re
import sqlite3
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import msgspec
import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from seawall.cli_common import (
    EXIT_USAGE,
    ConfigOption,
    err,
    exit_store_failed,
    output_console,
    settings_or_exit,
)
from seawall.store.database import Database, open_store, sqlite_directory
from seawall.store.errors import StoreWriteError, store_write_error

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from seawall.osint.articles import Article
    from seawall.osint.events_model import Event
    from seawall.osint.timeline import Row
    from seawall.store.osint import OsintRepository

osint_app = typer.Typer(
    help="Open-source reporting: articles into sourced cyber-operation events.", no_args_is_help=True
)
out = output_console()


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Period(StrEnum):
    year = "year"
    quarter = "quarter"
    month = "month"


# The filters the event views share.
VictimOption = Annotated[str, typer.Option(help="Victim country, sector or name (e.g. US, energy, Aramco).")]
SinceOption = Annotated[str, typer.Option(help="Operations on or after (YYYY[-MM[-DD]]).")]
UntilOption = Annotated[str, typer.Option(help="Operations on or before (YYYY[-MM[-DD]]).")]
TypeOption = Annotated[
    str, typer.Option("--type", help="Operation type or ATT&CK technique (e.g. phishing, T1566).")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f")]


def _repository(config: Path | None) -> OsintRepository:
    from seawall.store.osint import OsintRepository

    return OsintRepository(Database.from_settings(settings_or_exit(config)))


def _stored_events(config: Path | None) -> list[Event]:
    """Every stored event, the store closed again."""
    repository = _repository(config)
    try:
        return repository.events()
    finally:
        repository.database.close()


def _when(event: Event) -> str:
    """The event's date as precisely as it is known: 2010, 2019-06, 2019-06-22, or a span
    (2017..2021, 2019-03..2019-07)."""
    if event.date is None:
        return "?"
    width = {"year": 4, "month": 7}.get(event.date.precision, 10)
    start, end = event.date.start[:width], event.date.end[:width]
    return start if start == end else f"{start}..{end}"


def _attacker(event: Event) -> str:
    parts = [f"pro-{code}" if code in event.aligned_countries else code for code in event.attacker_countries]
    parts += event.attacker_groups
    if event.malware:
        parts.append(f"({'/'.join(event.malware)})")
    return " ".join(parts) or "?"


def _victim(event: Event) -> str:
    """Countries and sectors; a victim named only in the text's words ("Wonga") otherwise."""
    from seawall.osint.events import victim_phrases

    text = ", ".join(event.victim_countries + event.victim_regions)
    if event.victim_sectors:
        text += f" [{', '.join(event.victim_sectors)}]"
    return text or "; ".join(victim_phrases(event)) or "?"


@osint_app.command("ingest")
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Text articles, saved HTML pages, RSS/Atom files, or folders.")
    ],
    published: Annotated[
        str, typer.Option(help="Publication date (YYYY-MM-DD or YYYY-MM) when the file does not say.")
    ] = "",
    outlet: Annotated[str, typer.Option(help="The outlet, when the file does not say.")] = "",
    config: ConfigOption = None,
) -> None:
    """Read articles (offline) into events; the same operation from several articles is one event."""
    from seawall.osint.articles import read_articles
    from seawall.osint.stream import extract_stream
    from seawall.store.osint import OsintRepository

    settings = settings_or_exit(config)
    try:
        repository = OsintRepository(open_store(settings))
    except StoreWriteError as exc:
        raise exit_store_failed(exc, 0, "articles") from exc
    recorded = 0
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    unread: list[Path] = []

    def articles() -> Iterator[tuple[Path, Article]]:
        # read as the analysis asks for them: memory holds the articles in flight, not the corpus
        for path in files:
            try:
                read = read_articles(path, published, outlet)
            except (OSError, ValueError) as exc:
                err.print(f"[red]{escape(str(path))}: skipped: {escape(str(exc))}[/]")
                unread.append(path)
                continue
            except Exception as exc:  # a hostile page costs its own file, never the others
                log.error("could not read %s: %s", path, traceback.format_exc())
                err.print(f"[red]{escape(str(path))}: skipped: {type(exc).__name__}: {escape(str(exc))}[/]")
                unread.append(path)
                continue
            yield from ((path, article) for article in read)

    status = 0
    for path, article, events in extract_stream(articles()):
        if events is None:
            err.print(f"[red]{escape(str(path))}: skipped: could not be analysed (see the log)[/]")
            status = EXIT_USAGE
            continue
        try:
            stored = repository.add(article, events)  # one transaction per article
        except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
            log.debug("store write failed", exc_info=True)
            repository.database.close()
            failure = store_write_error(exc, 1, sqlite_directory(repository.database.url))
            raise exit_store_failed(failure, recorded, "articles") from exc
        recorded += 1
        merged = sum(1 for _, was_merged in stored if was_merged)
        err.print(
            f"{escape(str(path))}: {escape(article.title[:70] or '(untitled)')} "
            f"({article.published or 'undated'}): "
            f"{len(events)} events, {merged} merged with earlier reports"
        )
    repository.database.close()
    raise typer.Exit(EXIT_USAGE if unread else status)


@osint_app.command("events")
def events(
    actor: Annotated[str, typer.Option(help="Attacker: country, group or malware (e.g. Iran, APT33).")] = "",
    victim: VictimOption = "",
    since: SinceOption = "",
    until: UntilOption = "",
    operation: TypeOption = "",
    output: FormatOption = Format.table,
    config: ConfigOption = None,
) -> None:
    """Stored events, filtered."""
    selected = _filter(_stored_events(config), actor, victim, since, until, operation)
    if output is Format.json:
        for event in selected:
            sys.stdout.write(json.dumps(msgspec.to_builtins(event), ensure_ascii=False) + "\n")
        return
    if output is Format.csv:
        _write_csv([_event_record(event) for event in selected])
        return
    table = Table(title=f"Cyber-operation events ({len(selected)})")
    for column in ("when", "attacker", "victim", "operation", "attribution", "sources"):
        table.add_column(column)
    for event in selected:
        table.add_row(
            _when(event),
            escape(_attacker(event)),
            escape(_victim(event)),
            escape(
                ", ".join(event.types) + (f" ({', '.join(event.techniques)})" if event.techniques else "")
            ),
            event.attribution,
            escape(", ".join(s.name for s in event.sources)),
        )
    out.print(table)


def _event_record(event: Event) -> dict[str, object]:
    """One event as a flat row for a spreadsheet: lists joined with "; "."""
    return {
        "id": event.id,
        "start": event.date.start if event.date else "",
        "end": event.date.end if event.date else "",
        "precision": event.date.precision if event.date else "",
        "attacker_countries": event.attacker_countries,
        "aligned_countries": event.aligned_countries,
        "attacker_groups": event.attacker_groups,
        "malware": event.malware,
        "victim_countries": event.victim_countries,
        "victim_regions": event.victim_regions,
        "victim_sectors": event.victim_sectors,
        "victim_text": event.victim_text,
        "types": event.types,
        "techniques": event.techniques,
        "attribution": event.attribution,
        "sources": [source.name for source in event.sources],
        "articles": len({evidence.article for evidence in event.evidence}),
        "sentence": event.evidence[0].sentence if event.evidence else "",
    }


def _write_csv(records: list[dict[str, object]]) -> None:
    """CSV on stdout; lists are joined with "; ", counts as "name n; name n"."""

    def cell(value: object) -> object:
        if isinstance(value, dict):
            return "; ".join(f"{key} {count}" for key, count in value.items())
        if isinstance(value, list):
            return "; ".join(str(item) for item in value)
        return value

    if not records:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: cell(value) for key, value in record.items()})


def _victim_matcher(victim: str) -> Callable[[Event], bool]:
    """What ``--victim`` selects, resolved once: a country ("US", "Iran"), a world region
    ("Europe"), a sector ("energy") or, for a victim known only by its name, the words of the
    text ("Aramco" finds "Saudi Aramco")."""
    from seawall.osint.gazetteer import lexicon

    table = lexicon().name_table
    name = victim.strip()
    codes = {entry[1] for entry in table.values() if entry[0] == "country"}
    code = name.upper() if name.upper() in codes else ""
    for candidate in (name, name.title()):
        if not code and table.get(candidate, ("",))[0] == "country":
            code = table[candidate][1]
    if code:
        return lambda event: code in event.victim_countries
    entry = table.get(name) or table.get(name.title()) or ("", "", "")
    if entry[0] == "region":  # "--victim 'Middle East'" (or "Middle Eastern")
        return lambda event: entry[2] in event.victim_regions
    words = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
    return lambda event: (
        victim.lower() in event.victim_sectors or any(words.search(text) for text in event.victim_text)
    )


def _filter(
    items: list[Event], actor: str, victim: str, since: str, until: str, operation: str = ""
) -> list[Event]:
    from seawall.osint.gazetteer import country_code

    victim_matches = _victim_matcher(victim) if victim else None
    selected = []
    for event in items:
        if actor:
            code = country_code(actor)
            names = {
                *event.attacker_countries,
                *(g.upper() for g in event.attacker_groups),
                *(m.upper() for m in event.malware),
            }
            if code not in names and actor.upper() not in names:
                continue
        if victim_matches is not None and not victim_matches(event):
            continue
        if since and (event.date is None or event.date.end < since):
            continue
        if until and (event.date is None or event.date.start[: len(until)] > until):
            continue
        if operation and not (
            operation.strip().lower() in event.types
            or operation.strip().upper() in (t.upper() for t in event.techniques)
        ):
            continue
        selected.append(event)
    return selected


@osint_app.command("actors")
def actors(
    victim: VictimOption = "",
    since: SinceOption = "",
    until: UntilOption = "",
    operation: TypeOption = "",
    output: FormatOption = Format.table,
    config: ConfigOption = None,
) -> None:
    """Who is attacking (states and groups), how often, since when, how and whom: --victim US
    answers "who is hitting us?"."""
    from seawall.osint.timeline import actor_profiles

    profiles = actor_profiles(_filter(_stored_events(config), "", victim, since, until, operation))
    records = [
        {
            "actor": profile.actor,
            "kind": profile.kind,
            "operations": profile.operations,
            "first": profile.first,
            "last": profile.last,
            "types": dict(profile.types.most_common()),
            "victims": dict(profile.victims.most_common()),
        }
        for profile in profiles
    ]
    if output is Format.json:
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    if output is Format.csv:
        _write_csv(records)
        return
    table = Table(title=f"Attackers in the reporting ({len(profiles)})")
    for column in ("attacker", "operations", "first", "last", "operations by type", "victims"):
        table.add_column(column, justify="right" if column == "operations" else "left")
    for profile in profiles:
        table.add_row(
            escape(
                ("pro-" if profile.kind == "aligned" else "")
                + profile.actor
                + (" (group)" if profile.kind == "group" else "")
            ),
            str(profile.operations),
            profile.first[:10] or "?",
            profile.last[:10] or "?",
            escape(", ".join(f"{name} {n}" for name, n in profile.types.most_common(4))),
            escape(", ".join(f"{name} {n}" for name, n in profile.victims.most_common(4))),
        )
    out.print(table)


@osint_app.command("timeline")
def timeline(
    between: Annotated[
        tuple[str, str], typer.Option("--between", help="Two states, e.g. --between US Iran.")
    ],
    plot: Annotated[
        Path | None, typer.Option(help="Also draw the timeline into this image (PNG, SVG, PDF).")
    ] = None,
    by: Annotated[
        Period | None,
        typer.Option("--by", help="Count operations per period and direction: is it escalating?"),
    ] = None,
    output: FormatOption = Format.table,
    config: ConfigOption = None,
) -> None:
    """Operations between two states in both directions, oldest first."""
    from seawall.osint.timeline import between as rows_between
    from seawall.osint.timeline import plot as draw

    rows = rows_between(_stored_events(config), *between)
    if output is Format.json:
        for row in rows:
            record = {"direction": [row.attacker, row.victim], **msgspec.to_builtins(row.event)}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif output is Format.csv and by is not None:
        _write_csv(_tally_records(rows, by.value, between))
    elif output is Format.csv:
        _write_csv(
            [{"direction": f"{row.attacker} → {row.victim}", **_event_record(row.event)} for row in rows]
        )
    elif by is not None:
        _print_tally(rows, by.value, between)
    else:
        _print_rows(rows, between)
    if plot is not None:
        draw(rows, *between, plot)
        err.print(f"timeline drawn to {escape(str(plot))}")


def _tally_records(rows: list[Row], by: str, between: tuple[str, str]) -> list[dict[str, object]]:
    from seawall.osint.gazetteer import country_code
    from seawall.osint.timeline import tally

    first, second = (country_code(state) for state in between)
    return [
        {
            by: period.name,
            f"{first} → {second}": period.count[(first, second)],
            f"{second} → {first}": period.count[(second, first)],
            "types": dict(period.types.most_common()),
        }
        for period in tally(rows, by)
    ]


def _print_tally(rows: list[Row], by: str, between: tuple[str, str]) -> None:
    from seawall.osint.gazetteer import country_code
    from seawall.osint.timeline import tally, trend

    periods = tally(rows, by)
    first, second = (country_code(state) for state in between)
    directions = [(first, second), (second, first)]
    table = Table(title=f"Cyber operations per {by}")
    table.add_column(by)
    for attacker, victim in directions:
        table.add_column(f"{attacker} → {victim}", justify="right")
    table.add_column("operations")
    for period in periods:
        table.add_row(
            period.name,
            *(str(period.count[d]) for d in directions),
            escape(", ".join(f"{name} {n}" for name, n in period.types.most_common())),
        )
    out.print(table)
    for attacker, victim in directions:
        out.print(escape(trend(periods, attacker, victim)))


def _timeline_victim(event: Event) -> str:
    """The victim's own words and its sectors; the direction column already names the country."""
    from seawall.osint.events import victim_phrases

    text = "; ".join(victim_phrases(event))
    if event.victim_sectors:
        text += f" [{', '.join(event.victim_sectors)}]"
    return text.strip() or _victim(event)


def _print_rows(rows: list[Row], between: tuple[str, str]) -> None:
    table = Table(title=f"Cyber operations between {between[0]} and {between[1]}")
    for column in ("when", "direction", "operation", "victim", "attribution", "sources"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            _when(row.event),
            f"{row.attacker} → {row.victim}",
            escape(
                ", ".join(row.event.types)
                + (f" [{'/'.join(row.event.malware)}]" if row.event.malware else "")
            ),
            escape(_timeline_victim(row.event)),
            row.event.attribution,
            escape(", ".join(s.name for s in row.event.sources)),
        )
    out.print(table)


@osint_app.command("export")
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """All events as a STIX 2.1 bundle (reports, intrusion sets, victims, techniques)."""
    from seawall.osint.stix import to_stix

    repository = _repository(config)
    bundle = to_stix(repository.events(), repository.articles())
    repository.database.close()
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
