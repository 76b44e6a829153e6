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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from seawall import __version__
from seawall.cli_common import (
    EXIT_FAIL_ON,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    ConfigOption,
    err,
    exit_store_failed,
    output_console,
    settings_or_exit,
)
from seawall.cli_common import (
    EXIT_OK as EXIT_OK,  # re-exported: scripts and tests read the exit codes from seawall.cli
)
from seawall.cli_common import (
    EXIT_STORE as EXIT_STORE,
)
from seawall.cli_intel import campaigns_app, export_app, intel_app
from seawall.cli_mailflow import alerts_command, filter_command, imap_app, milter_command, quarantine_app
from seawall.cli_osint import osint_app
from seawall.cli_web import serve_command
from seawall.config import Settings
from seawall.detect.engine import RuleError, RuleSet, load_rules
from seawall.detect.result import ScanResult, outcome
from seawall.store.errors import StoreWriteError

app = typer.Typer(
    help="Seawall: detect state-sponsored phishing and explain every verdict.",
    no_args_is_help=True,
    add_completion=False,
)
rules_app = typer.Typer(help="List, show and test detection rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(campaigns_app, name="campaigns")
app.add_typer(intel_app, name="intel")
app.add_typer(export_app, name="export")
app.add_typer(osint_app, name="osint")
app.add_typer(quarantine_app, name="quarantine")
app.command("filter")(filter_command)
app.command("milter")(milter_command)
app.command("alerts")(alerts_command)
app.add_typer(imap_app, name="imap")
app.command("serve")(serve_command)

LABEL_STYLE = {"clean": "green", "suspicious": "yellow", "phishing": "bold red", "error": "magenta"}
LABEL_RANK = {"clean": 0, "suspicious": 1, "phishing": 2}


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class FailOn(StrEnum):
    suspicious = "suspicious"
    phishing = "phishing"


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

    settings = settings_or_exit(config)
    try:
        scanner = Scanner(settings, record=store, keep_raw=keep_raw)
    except RuleError as exc:
        err.print(f"[red]rule error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
    except StoreWriteError as exc:
        raise exit_store_failed(exc, 0) from exc
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
    progress = _progress(shown=len(sources) > 1)
    store_failure: StoreWriteError | None = None
    try:
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
                label = outcome(result)
                counts[label] = counts.get(label, 0) + 1
                if result.status == "error":
                    unreadable = True
                elif threshold is not None and LABEL_RANK[result.label] >= threshold:
                    triggered = True
                if output is OutputFormat.json:
                    stdout.write(encoder.encode(result) + b"\n")
                    stdout.flush()
                else:
                    rows.append(result)
            progress.update(task, completed=len(sources))
    except StoreWriteError as exc:
        store_failure = exc
    scanner.close()
    if output is OutputFormat.table:
        _print_table(rows, evidence)
        err.print(f"{sum(counts.values())} messages: {_summary(counts)}")
    if store_failure is not None:
        raise exit_store_failed(store_failure, scanner.recorded)
    if triggered:
        raise typer.Exit(EXIT_FAIL_ON)
    if unreadable:
        raise typer.Exit(EXIT_UNREADABLE)


def _progress(shown: bool = True) -> Progress:
    """A progress bar of sources (or tasks) and messages on stderr, for a person's terminal."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[messages]} messages"),
        console=err,
        transient=True,
        disable=not err.is_terminal or not shown,
    )


def _summary(counts: dict[str, int]) -> str:
    """The counts in the order of how bad: "7 phishing, 2 clean"."""
    shown = ("phishing", "suspicious", "clean", "not a message", "error")
    return ", ".join(f"{counts[k]} {k}" for k in shown if k in counts) or "none"


@app.command("hunt")
def hunt_command(
    paths: Annotated[
        list[str], typer.Argument(help="Archive files and folders (mbox, maildir, .eml, .msg, .zip).")
    ],
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="A Dask scheduler's address (tcp://host:8786); by default a cluster on this machine."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes of the local cluster.")] = 2,
    chunk: Annotated[int, typer.Option(min=1, help="Sources (files, mailboxes) per task.")] = 200,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f", help="table (what was flagged), or json (every message, one per line)."
        ),
    ] = OutputFormat.table,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Record results in the store.")] = True,
    config: ConfigOption = None,
) -> None:
    """Retro-hunt: today's rules, model and intelligence over a mail archive, on Dask distributed."""
    from seawall.hunt import chunks, consolidate_campaigns, dask_client, hunt
    from seawall.intake.files import plan

    settings = settings_or_exit(config)
    if "-" in paths:
        err.print("[red]standard input cannot be hunted[/] (workers read files): use `seawall scan -`")
        raise typer.Exit(EXIT_USAGE)
    work = chunks(plan(paths), chunk)
    missing = [p for part in work for p, kind in part if kind != "maildir" and not Path(p).exists()]
    for path in missing:
        err.print(f"[red]not found:[/] {escape(path)}")
    counts: dict[str, int] = {}
    flagged: list[ScanResult] = []
    progress = _progress()
    with dask_client(scheduler, workers) as client, progress:
        task = progress.add_task("hunting", total=len(work), messages=0)
        for _, done in hunt(work, settings, client, record=store, every_line=output is OutputFormat.json):
            for label, count in done.counts.items():
                counts[label] = counts.get(label, 0) + count
            if output is OutputFormat.json:
                sys.stdout.buffer.write(done.lines)
                sys.stdout.flush()
            else:
                flagged.extend(done.flagged)
            progress.update(task, advance=1, messages=sum(counts.values()))
    if store:
        merged = consolidate_campaigns(settings)
        if merged:
            err.print(f"{merged} campaigns founded twice by workers running at once merged into the first")
    if output is OutputFormat.table:
        _print_table(sorted(flagged, key=lambda r: -r.score), show_evidence=False)
        err.print(f"{sum(counts.values())} messages in {len(work)} tasks: {_summary(counts)}")
    if missing or counts.get("error"):
        raise typer.Exit(EXIT_UNREADABLE)


def _print_table(rows: list[ScanResult], show_evidence: bool) -> None:
    console = output_console()
    # Columns are narrowed for a person's terminal only; a pipe or a file gets whole cells.
    narrow = console.is_terminal
    table = Table(show_lines=show_evidence, expand=False)
    table.add_column("Label")
    table.add_column("Score", justify="right")
    table.add_column("Origin", overflow="fold", max_width=40 if narrow else None)
    table.add_column("From", overflow="fold", max_width=34 if narrow else None)
    table.add_column("Subject", overflow="fold", max_width=40 if narrow else None)
    table.add_column("Campaign", overflow="fold", max_width=12 if narrow else None)
    table.add_column("Evidence", overflow="fold")
    for row in rows:
        if row.status != "ok":
            status = "[magenta]error[/]" if row.status == "error" else "[dim]not mail[/]"
            table.add_row(status, "", escape(row.origin), "", "", "", escape(row.error))
            continue
        assert row.message is not None and row.verdict is not None
        weighty = [e for e in row.verdict.evidence if e.weight != 0]
        if show_evidence:
            lines = []
            for item in weighty:
                # The points each line added: they sum to the score (docs/scoring.md).
                if item.rule == "model":
                    seen = "; ".join(str(t.value) for t in item.triggers[:4])
                    lines.append(
                        f"{item.points:+.1f} model: {item.name}" + (f" — saw {seen}" if seen else "")
                    )
                    continue
                trigger = item.triggers[0] if item.triggers else None
                detail = f" — {trigger.where}: {trigger.value}" if trigger else ""
                lines.append(f"{item.points:+.1f} {item.rule} ({', '.join(item.attack)}){detail}")
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
            f"{row.campaign.campaign} w{row.campaign.wave}" if row.campaign else "",
            evidence_text,
        )
    console.print(table)


@rules_app.command("list")
def rules_list(config: ConfigOption = None) -> None:
    """List the loaded rules with their ATT&CK techniques and weights."""
    settings = settings_or_exit(config)
    ruleset = _load(settings)
    table = Table()
    for column in ("Rule", "ATT&CK", "Severity", "Weight", "Name"):
        table.add_column(column)
    for rule in sorted(ruleset.rules, key=lambda r: r.id):
        table.add_row(rule.id, ", ".join(rule.attack), rule.severity, f"{rule.weight:g}", rule.name)
    output_console().print(table)
    err.print(f"{len(ruleset.rules)} rules")


@rules_app.command("show")
def rules_show(rule_id: str, config: ConfigOption = None) -> None:
    """Show one rule: description, technique, condition and fixtures."""
    import yaml

    ruleset = _load(settings_or_exit(config))
    rule = ruleset.by_id().get(rule_id)
    if rule is None:
        err.print(f"[red]no rule {escape(rule_id)}[/]")
        raise typer.Exit(EXIT_USAGE)
    console = output_console()
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


# -- the model ---------------------------------------------------------------------------------

SourceArgument = Annotated[
    Path,
    typer.Argument(
        help="A labels file (path, label, corpus; tab-separated) or a folder with phish/ and ham/ subfolders."
    ),
]
IncludeOption = Annotated[
    list[str] | None, typer.Option("--include", help="Only labels-file paths starting so.")
]
ExcludeOption = Annotated[
    list[str] | None, typer.Option("--exclude", help="Skip labels-file paths starting so.")
]


def _prepare(
    source: Path,
    include: list[str] | None,
    exclude: list[str] | None,
    settings: Settings,
    scrub: bool | str,
    extra: list[object] | None = None,
) -> list[object]:
    from seawall.detect.model import dataset, train

    try:
        items = list(dataset.load(source, tuple(include or ()), tuple(exclude or ())))
    except dataset.DatasetError as exc:
        err.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc
    # Analysts' corrections come first: for a message also in the dataset, their label wins.
    items = [*(extra or []), *items]  # type: ignore[list-item]
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("analysing", total=len(items))
        examples = train.prepare(
            items, settings, scrub, progress=lambda n: progress.update(task, completed=n)
        )
    return examples  # type: ignore[return-value]


@app.command("train")
def train_command(
    source: SourceArgument,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Model file to write (.npz).")] = None,
    include: IncludeOption = None,
    exclude: ExcludeOption = None,
    scrub: Annotated[
        bool, typer.Option("--scrub/--no-scrub", help="Remove collector fingerprints first.")
    ] = True,
    corpus_weight: Annotated[
        list[str] | None,
        typer.Option("--corpus-weight", help="CORPUS=WEIGHT: count a corpus's messages more (or less)."),
    ] = None,
    analyst_labels: Annotated[
        bool,
        typer.Option(
            "--analyst-labels/--no-analyst-labels", help="Add messages labelled with `seawall label`."
        ),
    ] = True,
    config: ConfigOption = None,
) -> None:
    """Train the model on labelled mail (and the analysts' corrections) and write it to a file."""
    from seawall.config import data_dir
    from seawall.detect.model import dataset, train
    from seawall.store.blobs import raw_store
    from seawall.store.database import Database
    from seawall.store.repository import ScanRepository

    settings = settings_or_exit(config)
    extra: list[object] = []
    if analyst_labels:
        database = Database.from_settings(settings)
        blobs = raw_store(settings)
        extra = list(dataset.from_analyst_labels(ScanRepository(database).labels(), blobs.get))
        database.close()
        if extra:
            err.print(f"{len(extra)} messages labelled by analysts added")
    weights = _corpus_weights(corpus_weight)
    examples = _prepare(source, include, exclude, settings, scrub, extra)
    model = train.fit(
        examples,  # type: ignore[arg-type]
        description=f"trained on {source} (include={include or []}, scrub={scrub})",
        corpus_weights=weights,
    )
    target = output or data_dir() / "model.npz"
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    counts = model.metadata["messages"]
    err.print(
        f"model written to {target} ({target.stat().st_size // 1024} KiB): "
        f"{counts['phish']} phish, {counts['ham']} ham"
    )
    if output is None or output.resolve() != _shipped_model().resolve():
        err.print(f'use it with [model] path = "{target}" in the configuration')


def _corpus_weights(values: list[str] | None) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in values or []:
        name, _, value = item.partition("=")
        try:
            weights[name] = float(value)
        except ValueError as exc:
            err.print(f"[red]--corpus-weight takes CORPUS=NUMBER, not {escape(item)}[/]")
            raise typer.Exit(EXIT_USAGE) from exc
    return weights


def _shipped_model() -> Path:
    from seawall.detect.model.linear import default_model_path

    return default_model_path()


@app.command("eval")
def eval_command(
    source: SourceArgument,
    split: Annotated[
        str,
        typer.Option(
            help="time (train older, test newer), campaign (near-duplicates on one "
            "side), or none (score the configured model)."
        ),
    ] = "time",
    scrub: Annotated[
        bool,
        typer.Option("--scrub/--no-scrub", help="Remove collector fingerprints from both classes first."),
    ] = False,
    include: IncludeOption = None,
    exclude: ExcludeOption = None,
    worst: Annotated[int, typer.Option(help="How many worst false positives and negatives to list.")] = 10,
    corpus_weight: Annotated[
        list[str] | None,
        typer.Option("--corpus-weight", help="CORPUS=WEIGHT when training the evaluation model."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    protocol: Annotated[
        str,
        typer.Option(
            help="split (train and test within the given mail, by --split) or leave-source-out "
            "(hold out each corpus, and each time window of phishing_pot, in turn: the figure "
            "that predicts unseen mail).",
        ),
    ] = "split",
    view: Annotated[
        str,
        typer.Option(
            help="leave-source-out: scrubbed (collector, list and receiver headers, recipients and "
            "Date normalised) or bare (also every header but From, To, Cc, Subject, Date, MIME)."
        ),
    ] = "scrubbed",
    final: Annotated[
        bool, typer.Option("--final", help="leave-source-out: also score the kept-back sources.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Precision, recall, ROC AUC, TPR at low FPR, per language and corpus, worst errors."""
    from seawall.detect.model import evaluate
    from seawall.detect.model.linear import ModelError, load_model
    from seawall.detect.model.normalise import VIEWS

    settings = settings_or_exit(config)
    if protocol == "leave-source-out":
        if view not in VIEWS:
            err.print(f"[red]--view is one of {', '.join(VIEWS)}[/]")
            raise typer.Exit(EXIT_USAGE)
        examples = _prepare(source, include, exclude, settings, view)
        by_source = evaluate.leave_source_out(
            examples,  # type: ignore[arg-type]
            settings.verdict,
            view,
            final=final,
            prior=settings.model.phish_prior,
            on_source=lambda name: err.print(f"holding out {escape(name)}"),
        )
        if as_json:
            print(msgspec.json.encode(evaluate.source_report_dict(by_source)).decode())
        else:
            print(evaluate.source_report_markdown(by_source))
        return
    if protocol != "split":
        err.print("[red]--protocol is split or leave-source-out[/]")
        raise typer.Exit(EXIT_USAGE)
    if split not in ("time", "campaign", "none"):
        err.print("[red]--split is time, campaign or none[/]")
        raise typer.Exit(EXIT_USAGE)
    model = None
    if split == "none":
        try:
            model = load_model(settings.model.path)
        except ModelError as exc:
            err.print(f"[red]{escape(str(exc))}[/]")
            raise typer.Exit(EXIT_USAGE) from exc
        if model is None:
            err.print("[red]no model to evaluate (train one, or use --split time)[/]")
            raise typer.Exit(EXIT_USAGE)
    examples = _prepare(source, include, exclude, settings, scrub)
    report = evaluate.evaluate(
        examples,  # type: ignore[arg-type]
        settings.verdict,
        split,
        scrub,
        model=model,
        worst=worst,
        corpus_weights=_corpus_weights(corpus_weight),
        prior=settings.model.phish_prior,
    )
    if as_json:
        print(msgspec.json.encode(_report_dict(report)).decode())
        return
    _print_report(report)


def _metrics_dict(metrics: object) -> dict[str, object]:
    import dataclasses

    return dataclasses.asdict(metrics)  # type: ignore[call-overload,no-any-return]


def _report_dict(report: object) -> dict[str, object]:
    from seawall.detect.model.evaluate import Report

    assert isinstance(report, Report)
    return {
        "split": report.split,
        "scrub": report.scrub,
        "train_messages": report.train_messages,
        "test_messages": len(report.test),
        "overall": {k: _metrics_dict(v) for k, v in report.overall.items()},
        "english_only": _metrics_dict(report.english_only) if report.english_only else None,
        "by_language": {k: _metrics_dict(v) for k, v in report.by_language.items()},
        "by_corpus": {k: _metrics_dict(v) for k, v in report.by_corpus.items()},
        "worst_false_positives": [_scored_dict(s) for s in report.worst_false_positives],
        "worst_false_negatives": [_scored_dict(s) for s in report.worst_false_negatives],
    }


def _scored_dict(scored: object) -> dict[str, object]:
    from seawall.detect.model.evaluate import Scored

    assert isinstance(scored, Scored)
    example = scored.example
    return {
        "origin": example.origin,
        "corpus": example.corpus,
        "subject": example.subject,
        "from": example.sender,
        "score": scored.combined,
        "model_probability": round(scored.probability, 4),
        "rules": [e.rule for e in example.evidence if e.weight],
    }


def _print_report(report: object) -> None:
    from seawall.detect.model.evaluate import Metrics, Report

    assert isinstance(report, Report)
    console = output_console()
    console.print(
        f"[bold]split[/] {report.split}   [bold]scrub[/] {report.scrub}   "
        f"[bold]trained on[/] {report.train_messages}   [bold]tested on[/] {len(report.test)}"
    )
    if not report.overall:
        console.print("no test messages")
        return

    def table(title: str, rows: dict[str, Metrics]) -> None:
        out = Table(title=title)
        for column in (
            "",
            "msgs",
            "phish",
            "ham",
            "precision",
            "recall",
            "F1",
            "ROC AUC",
            "TPR@0.1%FPR",
            "TPR@1%FPR",
            "ham→phishing",
            "ham→susp+",
        ):
            out.add_column(column, justify="right" if column else "left")
        for name, m in rows.items():
            out.add_row(
                name,
                str(m.messages),
                str(m.phish),
                str(m.ham),
                f"{m.precision:.4f}",
                f"{m.recall:.4f}",
                f"{m.f1:.4f}",
                "-" if m.roc_auc is None else f"{m.roc_auc:.5f}",
                f"{m.tpr_at_fpr['0.1%']:.4f}",
                f"{m.tpr_at_fpr['1%']:.4f}",
                f"{m.phishing_fpr:.4f}",
                f"{m.suspicious_or_phishing_fpr:.4f}",
            )
        console.print(out)

    overall = dict(report.overall)
    if report.english_only is not None:
        overall["combined, English only"] = report.english_only
    table("Overall (score: combined = rules + model, model alone, rules alone)", overall)
    confusion = Table(title="Confusion matrix (combined score; rows: truth)")
    for column in ("", "clean", "suspicious", "phishing"):
        confusion.add_column(column)
    for truth, counts in report.overall["combined"].confusion.items():
        confusion.add_row(truth, *(str(counts[k]) for k in ("clean", "suspicious", "phishing")))
    console.print(confusion)
    table("Per language (combined)", report.by_language)
    table("Per corpus (combined)", report.by_corpus)
    for title, items in (
        ("Worst false positives", report.worst_false_positives),
        ("Worst false negatives", report.worst_false_negatives),
    ):
        out = Table(title=title)
        for column in ("score", "p(model)", "corpus", "from", "subject", "rules"):
            out.add_column(column)
        for scored in items:
            example = scored.example
            out.add_row(
                f"{scored.combined:.1f}",
                f"{scored.probability:.3f}",
                example.corpus,
                escape(example.sender),
                escape(example.subject[:80]),
                escape(", ".join(e.rule for e in example.evidence if e.weight)[:120]),
            )
        console.print(out)


@app.command("label")
def label_command(
    message: Annotated[
        str, typer.Argument(help="sha256 (or an 8+ digit prefix) or Message-ID of a scanned message")
    ],
    label: Annotated[str, typer.Argument(help="phish or ham")],
    note: Annotated[str, typer.Option(help="Why (kept with the label).")] = "",
    config: ConfigOption = None,
) -> None:
    """Record an analyst's correction; the next `seawall train` learns from it."""
    from seawall.store.database import Database
    from seawall.store.repository import ScanRepository

    if label not in ("phish", "ham"):
        err.print("[red]the label is phish or ham[/]")
        raise typer.Exit(EXIT_USAGE)
    settings = settings_or_exit(config)
    database = Database.from_settings(settings)
    repository = ScanRepository(database)
    try:
        record = repository.find_message(message)
    except LookupError as exc:
        err.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc
    if record is None:
        err.print(f"[red]no scanned message {escape(message)} in the store[/]")
        raise typer.Exit(EXIT_USAGE)
    repository.set_label(record.sha256, label, note)
    database.close()
    kept = "raw message kept for training" if record.raw_stored else "raw message not kept: cannot train"
    err.print(f"{record.sha256[:12]} ({escape(record.subject[:60])}) labelled {label}; {kept}")
