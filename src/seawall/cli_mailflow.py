"""``seawall filter`` and ``seawall quarantine``: Seawall in the mail flow (docs/deployment.md)."""

from __future__ import annotations

import json
import signal
import sys
import threading
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from seawall.cli_common import EXIT_USAGE, ConfigOption, err, host_port, output_console, settings_or_exit
from seawall.store.database import Database

if TYPE_CHECKING:
    from seawall.service.alerts import AlertSender
    from seawall.service.filter import FilterHandler

quarantine_app = typer.Typer(help="Messages the mail flow held instead of delivering.", no_args_is_help=True)
out = output_console()


def filter_command(
    listen: Annotated[
        str, typer.Option(help="Where Postfix hands messages over (HOST:PORT).")
    ] = "127.0.0.1:10025",
    reinject: Annotated[str, typer.Option(help="Postfix's second smtpd (HOST:PORT).")] = "127.0.0.1:10026",
    metrics: Annotated[str, typer.Option(help="Serve Prometheus /metrics on HOST:PORT.")] = "",
    config: ConfigOption = None,
) -> None:
    """After-queue content filter: judge, tag or hold, re-inject; 451 on any failure. Runs until SIGTERM.

    SIGHUP reads the configuration again (docs/deployment.md)."""
    from aiosmtpd.controller import Controller

    from seawall.service import metrics as service_metrics
    from seawall.service.filter import Address, FilterHandler

    settings = settings_or_exit(config)
    host, port = host_port(listen, "--listen")
    handler = FilterHandler(settings, Address(*host_port(reinject, "--reinject")))
    if metrics:
        service_metrics.serve(*host_port(metrics, "--metrics"))
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=settings.mailflow.max_message_bytes,
        decode_data=False,
        ident="Seawall content filter",
    )
    stop = threading.Event()
    reload = threading.Event()

    def on_stop(*_: object) -> None:
        stop.set()
        reload.set()  # wakes the loop below

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, on_stop)
    signal.signal(signal.SIGHUP, lambda *_: reload.set())
    sender = _alert_sender(handler)
    controller.start()
    err.print(f"seawall filter listening on {host}:{port}, re-injecting to {reinject}")
    try:
        while not stop.is_set():
            reload.wait()
            reload.clear()
            if stop.is_set():
                break
            sender = _reload(handler, config, sender)
    finally:
        controller.stop()
        if sender is not None:
            sender.stop()
        handler.close()


def _alert_sender(handler: FilterHandler) -> AlertSender | None:
    if not handler.settings.alerts.webhooks or handler.scanner.outbox is None:
        return None
    from seawall.service.alerts import AlertSender

    sender = AlertSender(handler.scanner.outbox, handler.settings)
    sender.start()
    return sender


def _reload(handler: FilterHandler, config: Path | None, sender: AlertSender | None) -> AlertSender | None:
    """SIGHUP: read the configuration again and judge with it; on any error keep the old one."""
    from seawall.config import load_settings

    try:
        settings = load_settings(config)
        if sender is not None:
            sender.stop()  # it sends from the old scanner's outbox
        handler.reload(settings)
    except Exception as exc:  # a broken file must not stop the mail flow
        err.print(f"[red]reload failed, still judging with the previous configuration: {escape(str(exc))}[/]")
        return sender if sender is not None and sender.is_alive() else _alert_sender(handler)
    err.print("seawall filter: configuration reloaded")
    return _alert_sender(handler)


def milter_command(
    listen: Annotated[
        str, typer.Option(help="Milter socket: inet:HOST:PORT (as Postfix writes it) or unix:/path.")
    ] = "inet:127.0.0.1:11332",
    metrics: Annotated[str, typer.Option(help="Serve Prometheus /metrics on HOST:PORT.")] = "",
    config: ConfigOption = None,
) -> None:
    """SMTP-time milter: tag, hold, reject or tempfail each message as [mailflow] says. Runs until SIGTERM.

    A change to the configuration file is read within two seconds (docs/deployment.md)."""
    from seawall.config import config_file
    from seawall.service import metrics as service_metrics
    from seawall.service.milter import libmilter_socket, run

    settings = settings_or_exit(config)
    try:
        socket = libmilter_socket(listen)
    except ValueError as exc:
        err.print(f"[red]--listen: {escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc
    if metrics:
        service_metrics.serve(*host_port(metrics, "--metrics"))
    err.print(f"seawall milter listening on {listen}")
    run(settings, socket, config=config_file(config))


def alerts_command(
    loop: Annotated[
        bool, typer.Option("--loop", help="Keep sending every few seconds until SIGTERM.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Send the alerts waiting in the outbox to the configured webhooks (retried with backoff)."""
    from seawall.service.alerts import deliver_due
    from seawall.store.outbox import Outbox

    settings = settings_or_exit(config)
    outbox = Outbox(Database.from_settings(settings))
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    while True:
        sent = deliver_due(outbox, settings)
        if not loop:
            err.print(f"{sent} alerts delivered, {outbox.pending()} waiting")
            break
        if stop.wait(2.0):
            break
    outbox.database.close()


def _repository(config: Path | None):  # type: ignore[no-untyped-def]
    from seawall.store.quarantine import QuarantineRepository

    return QuarantineRepository(Database.from_settings(settings_or_exit(config)))


class ListFormat(StrEnum):
    table = "table"
    json = "json"


@quarantine_app.command("list")
def quarantine_list(
    status: Annotated[str, typer.Option(help="held, released, deleted, expired or all.")] = "held",
    output: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table, or json: one object per line for scripts.")
    ] = ListFormat.table,
    config: ConfigOption = None,
) -> None:
    """Held messages, oldest first."""
    repository = _repository(config)
    if output is ListFormat.json:
        for held in repository.held(status):
            # ASCII-escaped: no control character of a subject reaches a terminal
            print(json.dumps({**asdict(held), "held_at": held.held_at.isoformat()}))
        repository.database.close()
        return
    table = Table(title="Quarantine")
    for column in ("id", "held at", "label", "score", "from", "subject", "recipients", "status"):
        table.add_column(column)
    for held in repository.held(status):
        table.add_row(
            str(held.id),
            held.held_at.strftime("%Y-%m-%d %H:%M"),
            held.label,
            f"{held.score:.0f}",
            escape(held.from_address),
            escape(held.subject[:80]),
            escape(", ".join(held.recipients[:3])),
            held.status,
        )
    out.print(table)
    repository.database.close()


@quarantine_app.command("show")
def quarantine_show(
    held_id: int,
    raw: Annotated[
        bool, typer.Option("--raw", help="Write the whole message, byte for byte, to stdout (> held.eml).")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """A held message's envelope and its raw headers (never rendered)."""
    repository = _repository(config)
    found = repository.get(held_id)
    repository.database.close()
    if found is None:
        err.print(f"[red]no held message {held_id}[/]")
        raise typer.Exit(EXIT_USAGE)
    held, data = found
    if raw:
        # for a sandbox or a mail client of the analyst's choosing: the bytes as they arrived
        # (empty once deleted or expired), never interpreted here
        if not data:
            err.print(f"[red]held message {held_id} is {held.status}: its bytes are gone[/]")
            raise typer.Exit(EXIT_USAGE)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out.print(f"id {held.id}  {held.label} {held.score:.0f}  {held.status}")
    out.print(f"envelope from: {escape(held.mail_from)}  to: {escape(', '.join(held.recipients))}")
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    out.print(escape(head.decode("utf-8", "replace")), markup=False)


@quarantine_app.command("release")
def quarantine_release(
    held_id: int,
    reinject: Annotated[str, typer.Option(help="Where to deliver (HOST:PORT).")] = "127.0.0.1:10026",
    false_positive: Annotated[
        bool,
        typer.Option(
            "--false-positive",
            help="Also label it ham and keep its bytes, so that the next `seawall train` learns from it.",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Deliver a held message to its recipients (tagged as released) and mark it released."""
    from seawall.analyst.quarantine import release
    from seawall.service.filter import Address

    settings = settings_or_exit(config)
    database = Database.from_settings(settings)
    try:
        held = release(
            settings, database, held_id, Address(*host_port(reinject, "--reinject")), false_positive
        )
    except LookupError as exc:
        err.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc
    finally:
        database.close()
    if false_positive:
        err.print(f"{held.sha256[:12]} labelled ham; raw message kept for training")
    err.print(f"released {held_id} to {', '.join(held.recipients)}")


@quarantine_app.command("purge")
def quarantine_purge(
    older_than: Annotated[
        int | None,
        typer.Option(help="Days a held message is kept (default: [mailflow] quarantine_keep_days)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Drop the bytes of messages held longer than the retention (run it daily, from cron or a
    systemd timer); their records stay, marked expired."""
    settings = settings_or_exit(config)
    days = settings.mailflow.quarantine_keep_days if older_than is None else older_than
    if days < 1:
        err.print("[red]--older-than is at least 1 day[/]")
        raise typer.Exit(EXIT_USAGE)
    repository = _repository(config)
    expired = repository.expire(datetime.now(UTC) - timedelta(days=days))
    repository.database.close()
    err.print(f"{len(expired)} held messages older than {days} days expired")


@quarantine_app.command("delete")
def quarantine_delete(held_id: int, config: ConfigOption = None) -> None:
    """Delete a held message (its bytes are removed; the record stays)."""
    repository = _repository(config)
    if repository.get(held_id) is None:
        err.print(f"[red]no held message {held_id}[/]")
        raise typer.Exit(EXIT_USAGE)
    repository.mark(held_id, "deleted")
    repository.database.close()
    err.print(f"deleted {held_id}")


imap_app = typer.Typer(help="The mailbox users report phishing to.", no_args_is_help=True)


@imap_app.command("watch")
def imap_watch(
    host: Annotated[str, typer.Option(help="IMAP server.")],
    user: Annotated[str, typer.Option(help="Mailbox user.")],
    password_file: Annotated[
        Path, typer.Option(help="File holding the password (never on the command line).")
    ],
    port: Annotated[int, typer.Option(help="IMAP port.")] = 993,
    folder: Annotated[str, typer.Option(help="Folder to watch.")] = "INBOX",
    tls: Annotated[bool, typer.Option("--tls/--no-tls", help="IMAP over TLS (993).")] = True,
    once: Annotated[bool, typer.Option("--once", help="Read what is there, then stop.")] = False,
    sweep_seconds: Annotated[float, typer.Option(help="Sweep this often even without IDLE news.")] = 60.0,
    inline_forwards: Annotated[
        bool,
        typer.Option(
            "--inline-forwards/--no-inline-forwards",
            help="Judge the message a 'Fw:' carries in its body (off for a journal mailbox).",
        ),
    ] = True,
    config: ConfigOption = None,
) -> None:
    """Judge reported messages (each report's attached or inline-forwarded message) as they
    arrive; runs until SIGTERM."""
    from imapclient.exceptions import IMAPClientError

    from seawall.service.imap import Account, ReportWatcher

    settings = settings_or_exit(config)
    try:
        password = password_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        err.print(f"[red]--password-file: {escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc
    watcher = ReportWatcher(
        settings, Account(host, port, user, password, folder, tls), sweep_seconds, inline_forwards
    )
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: watcher.stop())
    try:
        watcher.watch(once=once)
    except (IMAPClientError, OSError) as exc:
        err.print(f"[red]IMAP {escape(host)}:{port}: {escape(str(exc) or type(exc).__name__)}[/]")
        raise typer.Exit(1) from exc
    finally:
        watcher.close()


@imap_app.command("reports")
def imap_reports(
    untriaged: Annotated[
        bool, typer.Option("--untriaged", help="Only messages no analyst has labelled yet.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many messages.")] = 100,
    config: ConfigOption = None,
) -> None:
    """Messages users reported, most reported first, with Seawall's verdict and the analyst's
    label: the queue for `seawall label SHA phish|ham`, which the next `seawall train` learns from."""
    from seawall.store.database import Database
    from seawall.store.reports import ReportRepository

    settings = settings_or_exit(config)
    repository = ReportRepository(Database.from_settings(settings))
    rows = repository.reported(untriaged_only=untriaged, limit=limit)
    repository.database.close()
    table = Table(title=f"Reported messages ({len(rows)})")
    for column in ("sha256", "reporters", "last reported (UTC)", "from", "subject", "seawall", "analyst"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.sha256[:12],
            str(row.reporters),
            row.last_reported.strftime("%Y-%m-%d %H:%M"),
            escape(row.from_address[:40]),
            escape(row.subject[:50]),
            f"{row.label} {row.score:.0f}",
            row.analyst_label or "[yellow]to triage[/]",
        )
    output_console().print(table)
