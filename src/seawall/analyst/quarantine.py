"""Releasing a held message: delivered to its recipients, tagged as released, and, when the
analyst says the verdict was wrong, kept and labelled ham for the next training."""

from __future__ import annotations

from seawall.config import Settings
from seawall.service.filter import Address, add_headers, reinject
from seawall.store.blobs import raw_store
from seawall.store.database import Database
from seawall.store.quarantine import Held, QuarantineRepository
from seawall.store.repository import ScanRepository


def release(
    settings: Settings, database: Database, held_id: int, reinject_to: Address, false_positive: bool = False
) -> Held:
    """Deliver a held message through Postfix's re-injection port and mark it released;
    LookupError when no message with that id is held. The SMTP error of a refused delivery
    propagates and the message stays held."""
    repository = QuarantineRepository(database)
    found = repository.get(held_id)
    if found is None or found[0].status != "held":
        raise LookupError(f"no held message {held_id}")
    held, data = found
    tagged = add_headers(
        data,
        [
            ("X-Seawall-Verdict", held.label),
            ("X-Seawall-Score", f"{round(held.score)}"),
            ("X-Seawall-Released", f"from quarantine {held.id}"),
        ],
    )
    reinject(reinject_to, held.mail_from, held.recipients, tagged, settings.mailflow.reinject_timeout_seconds)
    repository.mark(held_id, "released")
    if false_positive:
        learn_ham(settings, database, held, data)
    return held


def learn_ham(settings: Settings, database: Database, held: Held, data: bytes) -> None:
    """An analyst's correction, as `seawall label SHA ham` records one, with the held bytes
    kept where `seawall train` reads labelled messages from (the filter keeps no raw mail)."""
    blobs = raw_store(settings)
    blobs.put(held.sha256, data)
    blobs.close()  # written now: the put only queues
    repository = ScanRepository(database)
    repository.set_label(held.sha256, "ham", f"released from quarantine {held.id} as a false positive")
    repository.mark_raw_stored(held.sha256)
