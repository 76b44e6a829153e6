"""What every ``seawall`` command group shares: the config option, stderr, exit codes, settings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from seawall.config import ConfigError, Settings, load_settings
from seawall.store.errors import StoreWriteError

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_UNREADABLE, EXIT_STORE = 0, 1, 2, 3, 4
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (TOML).")]
UNWRAPPED_WIDTH = 100_000


def output_console(stderr: bool = False) -> Console:
    """A console that wraps for a person at a terminal, and never for a pipe or a file.

    Rich wraps at 80 columns when it cannot measure a terminal, which cut table cells and
    messages in CI and scripts depending on path lengths (issue 19): redirected output is
    laid out as if the line had no end."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=UNWRAPPED_WIDTH, soft_wrap=True)


err = output_console(stderr=True)


def settings_or_exit(config: Path | None) -> Settings:
    """The configuration, or exit 2 with the reason it cannot be used."""
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc


def exit_store_failed(exc: StoreWriteError, recorded: int, what: str = "messages") -> typer.Exit:
    """Say why the store stopped the run and what is safe, and give the exit code to raise
    (4, apart from "phishing found" and "unreadable input", so scripts can tell it apart)."""
    cause = "the disk (or quota) is full" if exc.full else "the store refused a write"
    done = (
        f"{recorded} {what} were recorded and are kept; the last {exc.unrecorded} scanned were not recorded. "
        if recorded or exc.unrecorded
        else "the store could not be opened; nothing was recorded. "
    )
    err.print(
        f"[red]store error:[/] {cause} ({escape(exc.reason)}). The run stopped: {done}"
        + ("Free space and run the same command again: " if exc.full else "Fix the store and run again: ")
        + "what is already recorded is not duplicated."
    )
    return typer.Exit(EXIT_STORE)


def host_port(text: str, option: str) -> tuple[str, int]:
    """A HOST:PORT option's value, or a usage error naming the option."""
    from seawall.service.filter import Address

    try:
        parsed = Address.parse(text)
    except ValueError as exc:
        err.print(f"[red]{option}: {escape(str(exc))}[/]")
        raise typer.Exit(EXIT_USAGE) from exc
    return parsed.host, parsed.port
