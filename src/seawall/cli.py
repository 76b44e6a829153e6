"""The ``seawall`` command line (Typer + Rich).

Exit codes (documented in docs/cli.md): 0 all read and below --fail-on; 1 at least one message
at or above --fail-on; 2 usage or configuration error; 3 some inputs could not be read or
analysed (and none reached --fail-on).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from seawall import __version__
from seawall.config import ConfigError, Settings, load_settings
from seawall.detect.engine import RuleError, RuleSet, load_rules
from seawall.detect.result import ScanResult

app = typer.Typer(
    help="Seawall: detect state-sponsored phishing and explain every verdict.",
    no_args_is_help=True,
    add_completion=False,
)
rules_app = typer.Typer(help="List, show and test detection rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3
LABEL_STYLE = {"clean": "green", "suspicious": "yellow", "phishing": "bold red", "error": "magenta"}
LABEL_RANK = {"clean": 0, "suspicious": 1, "phishing": 2}


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class FailOn(StrEnum):
    suspicious = "suspicious"
    phishing = "phishing"


ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (TOML).")]

err = Console(stderr=True)


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc


@app.command()
def version() -> None:
    """Print Seawall's version."""
    print(__version__)


@app.command()
def scan(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders, mbox, maildir, .msg, .zip, or - for stdin.")
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, or json (one object per line).")
    ] = OutputFormat.table,
    fail_on: Annotated[
        FailOn | None, typer.Option(help="Exit 1 when any message is at least this bad.")
    ] = None,
    config: ConfigOption = None,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Record results in the store.")] = True,
    keep_raw: Annotated[
        bool | None,
        typer.Option(
            "--keep-raw/--no-keep-raw", help="Keep raw messages for re-analysis (default: configuration)."
        ),
    ] = None,
    evidence: Annotated[
        bool,
        typer.Option(
            "--evidence", "-e", help="Show every rule's evidence under each message (table format)."
        ),
    ] = False,
) -> None:
    """Scan mail and print a verdict, a score and the evidence for every message."""
    from seawall.intake.files import plan
    from seawall.pipeline import Scanner

    settings = _settings(config)
    try:
        scanner = Scanner(settings, record=store, keep_raw=keep_raw)
    except RuleError as exc:
        err.print(f"[red]rule error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
    sources = list(plan(paths))
    missing = [
        s.path for s in sources if s.kind != "stdin" and s.kind != "maildir" and not Path(s.path).exists()
    ]
    for path in missing:
        err.print(f"[red]not found:[/] {escape(path)}")
    threshold = LABEL_RANK[fail_on.value] if fail_on else None
    triggered = False
    unreadable = bool(missing)
    counts: dict[str, int] = {}
    rows: list[ScanResult] = []
    encoder = msgspec.json.Encoder()
    stdout = sys.stdout.buffer
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[messages]} messages"),
        console=err,
        transient=True,
        disable=not err.is_terminal or len(sources) < 2,
    )
    with progress:
        task = progress.add_task("scanning", total=len(sources), messages=0)
        current: object = None
        for done, (source, result) in enumerate(
            scanner.scan_sources(s for s in sources if s.path not in missing), start=1
        ):
            if source is not current:
                if current is not None:
                    progress.advance(task)
                current = source
            progress.update(task, messages=done)
            label = result.label if result.status == "ok" else "error"
            counts[label] = counts.get(label, 0) + 1
            if result.status != "ok":
                unreadable = True
            elif threshold is not None and LABEL_RANK[result.label] >= threshold:
                triggered = True
            if output is OutputFormat.json:
                stdout.write(encoder.encode(result) + b"\n")
                stdout.flush()
            else:
                rows.append(result)
        progress.update(task, completed=len(sources))
    scanner.close()
    if output is OutputFormat.table:
        _print_table(rows, evidence)
        summary = ", ".join(
            f"{counts[k]} {k}" for k in ("phishing", "suspicious", "clean", "error") if k in counts
        )
        err.print(f"{sum(counts.values())} messages: {summary or 'none'}")
    if triggered:
        raise typer.Exit(EXIT_FAIL_ON)
    if unreadable:
        raise typer.Exit(EXIT_UNREADABLE)


def _print_table(rows: list[ScanResult], show_evidence: bool) -> None:
    console = Console()
    table = Table(show_lines=show_evidence, expand=False)
    table.add_column("Label")
    table.add_column("Score", justify="right")
    table.add_column("Origin", overflow="fold", max_width=40)
    table.add_column("From", overflow="fold", max_width=34)
    table.add_column("Subject", overflow="fold", max_width=40)
    table.add_column("Evidence", overflow="fold")
    for row in rows:
        if row.status != "ok":
            table.add_row("[magenta]error[/]", "", escape(row.origin), "", "", escape(row.error))
            continue
        assert row.message is not None and row.verdict is not None
        weighty = [e for e in row.verdict.evidence if e.weight != 0]
        if show_evidence:
            lines = []
            for item in weighty:
                trigger = item.triggers[0] if item.triggers else None
                detail = f" — {trigger.where}: {trigger.value}" if trigger else ""
                lines.append(f"{item.rule} ({', '.join(item.attack)}, {item.weight:+g}){detail}")
            evidence_text = "\n".join(escape(line) for line in lines)
        else:
            evidence_text = escape(
                ", ".join(e.rule for e in weighty[:4]) + (" …" if len(weighty) > 4 else "")
            )
        defects = f" [dim]({len(row.defects)} defects)[/]" if row.defects else ""
        table.add_row(
            f"[{LABEL_STYLE[row.label]}]{row.label}[/]",
            f"{row.score:.0f}",
            escape(row.origin),
            escape(row.message.from_address),
            escape(row.message.subject[:200]) + defects,
            evidence_text,
        )
    console.print(table)


@rules_app.command("list")
def rules_list(config: ConfigOption = None) -> None:
    """List the loaded rules with their ATT&CK techniques and weights."""
    settings = _settings(config)
    ruleset = _load(settings)
    table = Table()
    for column in ("Rule", "ATT&CK", "Severity", "Weight", "Name"):
        table.add_column(column)
    for rule in sorted(ruleset.rules, key=lambda r: r.id):
        table.add_row(rule.id, ", ".join(rule.attack), rule.severity, f"{rule.weight:g}", rule.name)
    Console().print(table)
    err.print(f"{len(ruleset.rules)} rules")


@rules_app.command("show")
def rules_show(rule_id: str, config: ConfigOption = None) -> None:
    """Show one rule: description, technique, condition and fixtures."""
    import yaml

    ruleset = _load(_settings(config))
    rule = ruleset.by_id().get(rule_id)
    if rule is None:
        err.print(f"[red]no rule {escape(rule_id)}[/]")
        raise typer.Exit(EXIT_USAGE)
    console = Console()
    console.print(f"[bold]{rule.id}[/] — {escape(rule.name)}")
    console.print(f"ATT&CK {', '.join(rule.attack)} · {rule.severity} · weight {rule.weight:g} · {rule.path}")
    console.print(escape(rule.description))
    console.print(escape(yaml.safe_dump({"condition": rule.condition}, sort_keys=False)))


@rules_app.command("test")
def rules_test(
    directory: Annotated[
        Path | None,
        typer.Argument(help="A rule directory with a fixtures/ folder (default: the shipped rules)."),
    ] = None,
) -> None:
    """Run every rule against its must-match and must-not-match fixtures."""
    from seawall.detect.engine import shipped_rules_dir
    from seawall.detect.fixtures import run_fixtures

    try:
        if directory is None:
            ruleset = load_rules()
            fixtures = shipped_rules_dir() / "fixtures"
        else:
            ruleset = load_rules([directory])
            fixtures = directory / "fixtures"
    except RuleError as exc:
        err.print(f"[red]rule error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
    failures = run_fixtures(ruleset, fixtures)
    for failure in failures:
        should = "match" if failure.expected == "match" else "not match"
        err.print(
            f"[red]FAIL[/] {failure.rule}: {failure.fixture} should {should} ({escape(failure.detail)})"
        )
    checked = sum(len(r.fixtures_match) + len(r.fixtures_no_match) for r in ruleset.rules)
    err.print(f"{len(ruleset.rules)} rules, {checked} fixture checks, {len(failures)} failures")
    if failures:
        raise typer.Exit(EXIT_FAIL_ON)


def _load(settings: Settings) -> RuleSet:
    try:
        return load_rules(settings.rules.directories, disabled=settings.rules.disabled)
    except RuleError as exc:
        err.print(f"[red]rule error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc


def main() -> None:  # pragma: no cover - console script entry point
    app()
