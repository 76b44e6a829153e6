"""What every request handler of the web side shares, and how a handler finds it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from seawall.config import Settings
from seawall.service.filter import Address
from seawall.store.database import Database


@dataclass
class Console:
    """What every request handler shares: the settings, one store, where released mail goes,
    and the token the console's forms carry (a page on another site cannot read it, so it
    cannot post a release in the analyst's name)."""

    settings: Settings
    database: Database
    reinject_to: Address
    form_token: str
    snapshots: dict[str, tuple[float, list[dict[str, Any]]]] = field(default_factory=dict)
    """TAXII collections as last built from the store, with when (``api/taxii.py``)."""
    snapshot_lock: threading.Lock = field(default_factory=threading.Lock)


def state_of(request: Request) -> Console:
    state: Console = request.app.state.console
    return state
