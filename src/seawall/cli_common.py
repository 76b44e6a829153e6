"""What every ``seawall`` command group shares: the config option, stderr, exit codes, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from seawall.config import ConfigError, Settings, load_settings

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (TOML).")]
err = Console(stderr=True)


def settings_or_exit(config: Path | None) -> Settings:
    """The configuration, or exit 2 with the reason it cannot be used."""
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
