"""``/api``: JSON for scripts and other tools — messages and their evidence, the quarantine,
campaigns, OSINT events."""

from __future__ import annotations

import smtplib
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

import msgspec
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from seawall.analyst.exports import campaign_id
from seawall.analyst.quarantine import release
from seawall.api.state import Console, state_of
from seawall.campaigns.targeting import Targeting, summarise_targets
from seawall.osint.events_model import Event
from seawall.store.campaigns import CampaignRepository
from seawall.store.models import MessageRecord
from seawall.store.osint import OsintRepository
from seawall.store.quarantine import Held, QuarantineRepository
from seawall.store.reports import ReportRepository
from seawall.store.repository import ScanRepository

router = APIRouter(prefix="/api", tags=["api"])
LABELS = ("phishing", "suspicious", "clean")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def message_summary(record: MessageRecord) -> dict[str, Any]:
    return {
        "sha256": record.sha256,
        "subject": record.subject,
        "from_address": record.from_address,
        "from_display": record.from_display,
        "label": record.label,
        "score": round(record.score, 1),
        "sent_at": _time(record.sent_at),
        "last_scanned": _time(record.last_scanned),
        "rules": sorted({e.get("rule", "") for e in record.evidence if isinstance(e, dict)} - {""}),
    }


def held_record(held: Held) -> dict[str, Any]:
    """A held message as `seawall quarantine list --format json` prints it."""
    return {**asdict(held), "score": round(held.score, 1), "held_at": _time(held.held_at)}


def _found(repository: ScanRepository, reference: str) -> MessageRecord:
    """A stored message by sha256 (or a prefix of 8+ digits) or Message-ID; 404 or 409."""
    try:
        record = repository.find_message(reference)
    except LookupError as exc:  # a prefix that more than one message has
        raise HTTPException(409, str(exc)) from exc
    if record is None:
        raise HTTPException(404, f"no message {reference}")
    return record


@router.get("/messages")
def messages(
    request: Request,
    label: str | None = Query(None, description="phishing, suspicious or clean"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    """The messages scanned last, newest first."""
    if label is not None and label not in LABELS:
        raise HTTPException(422, f"label must be one of {', '.join(LABELS)}")
    repository = ScanRepository(state_of(request).database)
    return [message_summary(r) for r in repository.recent(label, limit, offset)]


@router.get("/messages/{sha256}")
def message(request: Request, sha256: str) -> dict[str, Any]:
    """One message's verdict with its evidence (each rule, its ATT&CK techniques and what
    triggered it), defects and every place it was read from."""
    repository = ScanRepository(state_of(request).database)
    record = _found(repository, sha256)
    analyst = repository.analyst_label(record.sha256)
    return {
        **message_summary(record),
        "message_id": record.message_id,
        "rules_score": round(record.rules_score, 1),
        "model_probability": record.model_probability,
        "evidence": record.evidence,
        "defects": record.defects,
        "summary": record.summary,
        "origins": repository.origins_of(record.sha256),
        "analyst_label": analyst[0] if analyst else None,
        "analyst_note": analyst[1] if analyst else "",
        "reported_by": ReportRepository(state_of(request).database).reporters(record.sha256),
    }


class LabelRequest(BaseModel):
    label: Literal["phish", "ham"]
    note: str = ""


@router.post("/messages/{sha256}/label")
def label_message(request: Request, sha256: str, body: LabelRequest) -> dict[str, Any]:
    """An analyst's verdict on a message (as `seawall label` records it); the next `seawall
    train` learns from it when the message's bytes were kept. JSON only, as for releases."""
    return set_analyst_label(state_of(request), sha256, body.label, body.note)


def set_analyst_label(state: Console, sha256: str, label: str, note: str) -> dict[str, Any]:
    repository = ScanRepository(state.database)
    record = _found(repository, sha256)
    repository.set_label(record.sha256, label, note[:2000])
    return {"sha256": record.sha256, "analyst_label": label, "trainable": record.raw_stored}


@router.get("/reports")
def reports(
    request: Request, untriaged: bool = False, limit: int = Query(100, ge=1, le=1000)
) -> list[dict[str, Any]]:
    """Messages users reported (the report-phish mailbox), most reported first; ``untriaged``
    leaves out those an analyst has labelled."""
    found = ReportRepository(state_of(request).database).reported(untriaged, limit)
    return [
        {
            "sha256": r.sha256,
            "subject": r.subject,
            "from_address": r.from_address,
            "label": r.label,
            "score": round(r.score, 1),
            "reporters": r.reporters,
            "last_reported": _time(r.last_reported),
            "analyst_label": r.analyst_label,
        }
        for r in found
    ]


@router.get("/stats")
def stats(request: Request) -> dict[str, int]:
    """How many stored messages carry each label."""
    return ScanRepository(state_of(request).database).label_counts()


@router.get("/quarantine")
def quarantine(
    request: Request, status: str = Query("held", description="held, released, deleted, expired or all")
) -> list[dict[str, Any]]:
    """Messages the mail flow held, oldest first."""
    return [held_record(h) for h in QuarantineRepository(state_of(request).database).held(status)]


class ReleaseRequest(BaseModel):
    false_positive: bool = False
    """Also label the message ham and keep its bytes for the next `seawall train`."""


@router.post("/quarantine/{held_id}/release")
def release_held(request: Request, held_id: int, body: ReleaseRequest) -> dict[str, Any]:
    """Deliver a held message to its recipients (tagged as released). The request is a JSON
    body: a page on another site can post a form here, never JSON without the server's consent
    (CORS), so it cannot release mail in an analyst's name."""
    state = state_of(request)
    try:
        held = release(state.settings, state.database, held_id, state.reinject_to, body.false_positive)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise HTTPException(502, f"re-injection failed, the message stays held: {exc}") from exc
    return {**held_record(held), "status": "released"}


@router.get("/campaigns")
def campaigns(request: Request, limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    """Campaigns, most recent first."""
    repository = CampaignRepository(state_of(request).database)
    return [
        {
            "id": f"C-{c.id}",
            "subject": c.subject,
            "message_count": c.message_count,
            "first_seen": _time(c.first_seen),
            "last_seen": _time(c.last_seen),
            "actor": c.actor,
            "actor_country": c.actor_country,
        }
        for c in repository.campaigns(limit)
    ]


def campaign_record(state: Console, text: str) -> dict[str, Any]:
    """One campaign as the console and the API show it: its waves, targets, recipients,
    indicators, why its messages are together, and its messages; 404 when there is none."""
    try:
        number = campaign_id(text)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    view = CampaignRepository(state.database).campaign(number, state.settings.campaigns.wave_gap_hours)
    if view is None:
        raise HTTPException(404, f"no campaign {text}")
    people, organisations, sectors = summarise_targets(
        Targeting.from_settings(state.settings),
        [(r, view.id, m.score) for m in view.messages for r in m.recipients],
    )
    return {
        "id": f"C-{view.id}",
        "subject": view.subject,
        "message_count": view.message_count,
        "first_seen": _time(view.first_seen),
        "last_seen": _time(view.last_seen),
        "reported_by": ReportRepository(state.database).campaign_reporters(view.id),
        "actor": view.actor,
        "actor_country": view.actor_country,
        "actor_confidence": view.actor_confidence,
        "actor_evidence": view.actor_evidence,
        "waves": [
            {"wave": n, "start": _time(start), "end": _time(end), "messages": count}
            for n, (start, end, count) in enumerate(view.waves, 1)
        ],
        "organisations": organisations.most_common(),
        "sectors": sectors.most_common(),
        "recipients": [
            {"address": p.address, "organisation": p.organisation, "messages": p.messages} for p in people
        ],
        "indicators": [{"kind": k, "value": v, "messages": n} for k, v, n in view.indicators],
        "reasons": view.reasons.most_common(),
        "techniques": view.attack.most_common(),
        "messages": [
            {
                "sha256": m.sha256,
                "sent_at": _time(m.sent_at),
                "from_address": m.from_address,
                "recipients": m.recipients,
                "subject": m.subject,
                "label": m.label,
                "score": round(m.score, 1),
            }
            for m in view.messages
        ],
    }


@router.get("/campaigns/{campaign}")
def campaign(request: Request, campaign: str) -> dict[str, Any]:
    """One campaign (C-17 or 17): waves, targets, indicators and its messages."""
    return campaign_record(state_of(request), campaign)


@router.get("/people")
def people(request: Request, limit: int = Query(100, ge=1, le=10000)) -> list[dict[str, Any]]:
    """The most attacked people: recipients ranked by the phishing they received (the attack
    index sums the scores, 0-1, of the campaign messages each received)."""
    state = state_of(request)
    triples = CampaignRepository(state.database).recipient_scores()
    ranked, _, _ = summarise_targets(Targeting.from_settings(state.settings), triples)
    return [
        {
            "address": p.address,
            "organisation": p.organisation,
            "sector": p.sector,
            "messages": p.messages,
            "campaigns": sorted(f"C-{c}" for c in p.campaigns),
            "attack_index": round(p.attack_index, 2),
        }
        for p in ranked[:limit]
    ]


@router.get("/osint/events")
def osint_events(request: Request) -> list[Any]:
    """Every cyber-operation event read from open-source reporting, as `seawall osint events
    --format json` prints them."""
    events: list[Event] = OsintRepository(state_of(request).database).events()
    return [msgspec.to_builtins(e) for e in events]
