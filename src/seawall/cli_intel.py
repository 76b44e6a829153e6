"""``seawall campaigns``, ``seawall intel`` and ``seawall export``: the analyst's side of the CLI."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from seawall.campaigns.targeting import Targeting, summarise_targets
from seawall.cli_common import EXIT_USAGE, ConfigOption, err, output_console, settings_or_exit
from seawall.config import Settings
from seawall.store.campaigns import CampaignRepository
from seawall.store.database import Database
from seawall.store.reports import ReportRepository

campaigns_app = typer.Typer(help="Campaigns and waves found in scanned mail.", invoke_without_command=True)
intel_app = typer.Typer(help="Import threat intelligence (STIX 2.1, MISP, CSV).", no_args_is_help=True)
export_app = typer.Typer(help="Export campaigns and indicators (STIX 2.1, MISP, CSV).", no_args_is_help=True)

out = output_console()
CampaignOption = Annotated[str | None, typer.Option("--campaign", help="Only this campaign (C-17 or 17).")]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Only indicators seen on or after this date (YYYY-MM-DD).")
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")]


def _repository(settings: Settings) -> CampaignRepository:
    return CampaignRepository(Database.from_settings(settings))


def _campaign_id(text: str) -> int:
    from seawall.analyst.exports import campaign_id

    try:
        return campaign_id(text)
    except ValueError as exc:
        err.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc


def _fmt(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


# -- campaigns ---------------------------------------------------------------------------------
@campaigns_app.callback()
def campaigns_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many campaigns (most recent first).")] = 50,
    config: ConfigOption = None,
) -> None:
    """List campaigns, most recently active first."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_or_exit(config)
    repository = _repository(settings)
    table = Table(title="Campaigns")
    for column in ("campaign", "messages", "waves", "first seen", "last seen", "actor", "subject"):
        table.add_column(column)
    for record in repository.campaigns(limit):
        view = repository.campaign(record.id, settings.campaigns.wave_gap_hours)
        if view is None:
            continue
        actor = f"{view.actor} ({view.actor_confidence}%)" if view.actor else "-"
        table.add_row(
            view.label,
            str(view.message_count),
            str(len(view.waves)),
            _fmt(view.first_seen),
            _fmt(view.last_seen),
            escape(actor),
            escape(view.subject[:60]),
        )
    out.print(table)
    repository.database.close()


@campaigns_app.command("show")
def campaigns_show(
    campaign: Annotated[str, typer.Argument(help="Campaign id (C-17 or 17).")],
    config: ConfigOption = None,
) -> None:
    """Waves, recipients, organisations and sectors, indicators, evidence and timeline of one campaign."""
    settings = settings_or_exit(config)
    repository = _repository(settings)
    view = repository.campaign(_campaign_id(campaign), settings.campaigns.wave_gap_hours)
    reporters = ReportRepository(repository.database).campaign_reporters(view.id) if view else 0
    repository.database.close()
    if view is None:
        err.print(f"[red]no campaign {escape(campaign)}[/]")
        raise typer.Exit(EXIT_USAGE)
    targeting = Targeting.from_settings(settings)
    people, organisations, sectors = summarise_targets(
        targeting, [(r, view.id, m.score) for m in view.messages for r in m.recipients]
    )
    out.print(f"[bold]{view.label}[/]  {escape(view.subject)}")
    out.print(
        f"{view.message_count} messages, {len(view.waves)} waves, "
        f"{_fmt(view.first_seen)} to {_fmt(view.last_seen)} UTC"
    )
    if reporters:
        out.print(f"reported by {reporters} {'person' if reporters == 1 else 'people'}")
    if view.actor:
        out.print(
            f"actor: [bold]{escape(view.actor)}[/] ({view.actor_country or '?'}), "
            f"confidence {view.actor_confidence}%"
        )
        for evidence in view.actor_evidence:
            out.print(f"  evidence: {escape(json.dumps(evidence))}")
    else:
        out.print("actor: none attributed (attribution needs a threat-intelligence match)")
    waves = Table(title="Waves")
    for column in ("wave", "start", "end", "messages"):
        waves.add_column(column)
    for number, (start, end, count) in enumerate(view.waves, 1):
        waves.add_row(str(number), _fmt(start), _fmt(end), str(count))
    out.print(waves)
    targets = Table(title="Targets")
    for column in ("organisation / sector", "messages"):
        targets.add_column(column)
    for name, count in organisations.most_common(10):
        targets.add_row(escape(f"org: {name}"), str(count))
    for name, count in sectors.most_common(10):
        targets.add_row(escape(f"sector: {name}"), str(count))
    out.print(targets)
    recipients = Table(title=f"Recipients ({len(people)})")
    for column in ("recipient", "organisation", "messages"):
        recipients.add_column(column)
    for person in people[:20]:
        recipients.add_row(escape(person.address), escape(person.organisation or "-"), str(person.messages))
    out.print(recipients)
    indicators = Table(title=f"Indicators ({len(view.indicators)})")
    for column in ("type", "value", "messages"):
        indicators.add_column(column)
    for kind, value, count in view.indicators[:30]:
        indicators.add_row(kind, escape(value[:100]), str(count))
    out.print(indicators)
    evidence = Table(title="Evidence")
    for column in ("why messages are together / ATT&CK", "count"):
        evidence.add_column(column)
    for reason, count in view.reasons.most_common(10):
        evidence.add_row(escape(reason), str(count))
    for technique, count in view.attack.most_common(10):
        evidence.add_row(escape(f"ATT&CK {technique}"), str(count))
    out.print(evidence)
    timeline = Table(title="Timeline")
    for column in ("sent (UTC)", "from", "to", "subject", "label"):
        timeline.add_column(column)
    for message in view.messages[:50]:
        timeline.add_row(
            _fmt(message.sent_at),
            escape(message.from_address[:40]),
            escape(", ".join(str(r) for r in message.recipients[:2])),
            escape(message.subject[:50]),
            message.label,
        )
    out.print(timeline)


@campaigns_app.command("people")
def campaigns_people(
    limit: Annotated[int, typer.Option(help="How many people.")] = 20,
    config: ConfigOption = None,
) -> None:
    """The most attacked people: recipients ranked by the phishing they received."""
    settings = settings_or_exit(config)
    repository = _repository(settings)
    triples = repository.recipient_scores()
    repository.database.close()
    people, _organisations, _sectors = summarise_targets(Targeting.from_settings(settings), triples)
    table = Table(title="Most attacked people")
    for column in ("recipient", "organisation", "sector", "messages", "campaigns", "attack index"):
        table.add_column(column)
    for person in people[:limit]:
        table.add_row(
            escape(person.address),
            escape(person.organisation or "-"),
            escape(person.sector or "-"),
            str(person.messages),
            str(len(person.campaigns)),
            f"{person.attack_index:.2f}",
        )
    out.print(table)


# -- intelligence in ---------------------------------------------------------------------------
@intel_app.command("import")
def intel_import(
    files: Annotated[list[Path], typer.Argument(help="STIX 2.1 bundles, MISP event JSON or CSV lists.")],
    source: Annotated[str, typer.Option(help="Name the feed (default: the file name).")] = "",
    config: ConfigOption = None,
) -> None:
    """Load indicators; mail scanned afterwards that matches them is raised and attributed."""
    from seawall.intel.feeds import FeedError, load_feed

    settings = settings_or_exit(config)
    repository = _repository(settings)
    status = 0
    for path in files:
        try:
            indicators = load_feed(path, source)
        except (OSError, FeedError) as exc:
            err.print(f"[red]{escape(str(path))}: {escape(str(exc))}[/]")
            status = EXIT_USAGE
            continue
        count = repository.import_intel(indicators)
        actors = sorted({i.actor for i in indicators if i.actor})
        err.print(
            f"{escape(str(path))}: {count} indicators"
            + (f"; actors: {escape(', '.join(actors))}" if actors else "")
        )
    repository.database.close()
    raise typer.Exit(status)


@intel_app.command("list")
def intel_list(config: ConfigOption = None) -> None:
    """Imported indicators."""
    settings = settings_or_exit(config)
    repository = _repository(settings)
    table = Table(title="Imported indicators")
    for column in ("type", "value", "source", "actor", "confidence"):
        table.add_column(column)
    for hit in repository.intel():
        table.add_row(
            hit.kind,
            escape(hit.value[:80]),
            escape(hit.source),
            escape(hit.actor or "-"),
            str(hit.confidence),
        )
    repository.database.close()
    out.print(table)


# -- intelligence out --------------------------------------------------------------------------
class ExportFormat(StrEnum):
    stix = "stix"
    misp = "misp"
    csv = "csv"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _export(
    kind: ExportFormat, config: Path | None, campaign: str | None, since: str | None, output: Path | None
) -> None:
    # stix2 and pymisp: loaded when exporting, not for every command
    from seawall.analyst.exports import build_export
    from seawall.intel.export import to_csv, to_misp, to_stix

    settings = settings_or_exit(config)
    try:
        export = build_export(settings, campaign, since)
    except (LookupError, ValueError) as exc:
        err.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc
    if kind is ExportFormat.stix:
        text = json.dumps(to_stix(export), indent=2, ensure_ascii=False) + "\n"
    elif kind is ExportFormat.misp:
        text = json.dumps({"Event": to_misp(export)}, indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_csv(export)
    _write(text, output)
    err.print(
        f"exported {len(export.campaigns)} campaigns, {len(export.indicators)} indicators as {kind.value}"
    )


@export_app.command("stix")
def export_stix(
    config: ConfigOption = None,
    campaign: CampaignOption = None,
    since: SinceOption = None,
    output: OutputOption = None,
) -> None:
    """A STIX 2.1 bundle: identity, campaigns, indicators, sightings, intrusion sets, ATT&CK."""
    _export(ExportFormat.stix, config, campaign, since, output)


@export_app.command("misp")
def export_misp(
    config: ConfigOption = None,
    campaign: CampaignOption = None,
    since: SinceOption = None,
    output: OutputOption = None,
) -> None:
    """A MISP event (JSON) with every indicator, its campaigns, actors and ATT&CK tags."""
    _export(ExportFormat.misp, config, campaign, since, output)


@export_app.command("csv")
def export_csv(
    config: ConfigOption = None,
    campaign: CampaignOption = None,
    since: SinceOption = None,
    output: OutputOption = None,
) -> None:
    """A CSV list of indicators (type, value, first/last seen, count, campaigns, actor)."""
    _export(ExportFormat.csv, config, campaign, since, output)
