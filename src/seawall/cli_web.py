"""``seawall serve``: the console, the REST API and TAXII 2.1 on one HTTP port."""

from __future__ import annotations

from typing import Annotated

import typer

from seawall.cli_common import ConfigOption, err, host_port, settings_or_exit


def serve_command(
    listen: Annotated[
        str, typer.Option(help="Where to serve (HOST:PORT); loopback unless a proxy with a login fronts it.")
    ] = "127.0.0.1:8080",
    reinject: Annotated[
        str, typer.Option(help="Where a released message is delivered (Postfix's second smtpd).")
    ] = "127.0.0.1:10026",
    config: ConfigOption = None,
) -> None:
    """The analysts' web console, the REST API (/api, described at /openapi.json) and a TAXII 2.1
    server (/taxii2/), over the store. Runs until SIGTERM."""
    import uvicorn

    from seawall.api.app import create_app
    from seawall.service.filter import Address

    settings = settings_or_exit(config)
    host, port = host_port(listen, "--listen")
    app = create_app(settings, Address(*host_port(reinject, "--reinject")))
    err.print(f"seawall console on http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
