"""``python -m seawall`` is the ``seawall`` command."""

from seawall.cli import app

app()
