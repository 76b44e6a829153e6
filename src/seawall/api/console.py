"""The analyst's console: server-rendered pages over the same queries as the REST API. No
page runs a script; a message is never rendered, only its fields as escaped text."""

from __future__ import annotations

import hmac
import logging
import re
import smtplib
from importlib import resources
from typing import Any

import jinja2
import msgspec
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from seawall.analyst.quarantine import release
from seawall.api.rest import (
    LABELS,
    campaign_record,
    held_record,
    message,
    message_summary,
    people,
    reports,
    set_analyst_label,
)
from seawall.api.state import state_of
from seawall.osint.events import victim_phrases
from seawall.store.campaigns import CampaignRepository
from seawall.store.osint import OsintRepository
from seawall.store.quarantine import QuarantineRepository
from seawall.store.repository import ScanRepository

# Characters that change how the text around them is shown, not what it says: a subject
# "Invoice\u202egpj.exe" would read "Invoiceexe.jpg", and zero-width joiners split words a
# reader sees whole. The console names each instead of obeying it.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def visible(value: Any) -> Any:
    """Every value a template prints, with its invisible and direction-changing characters
    shown as their code points (Jinja2's ``finalize``: no template can forget it)."""
    if isinstance(value, str) and _INVISIBLE.search(value):
        shown = _INVISIBLE.sub(lambda m: f"⟦U+{ord(m.group(0)):04X}⟧", value)
        # text a filter already escaped (``join``) stays escaped once: the marks add no markup
        return Markup(shown) if isinstance(value, Markup) else shown
    return value


_templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("seawall.api").joinpath("templates"))),
        autoescape=True,  # every template, whatever its name: mail text is never markup
        finalize=visible,
    )
)
router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    return _templates.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, label: str | None = None) -> HTMLResponse:
    if label is not None and label not in LABELS:
        raise HTTPException(422, "unknown label")
    database = state_of(request).database
    repository = ScanRepository(database)
    return _page(
        request,
        "overview.html",
        counts=repository.label_counts(),
        messages=[message_summary(r) for r in repository.recent(label, 200)],
        label=label,
        labels=LABELS,
        held=len(QuarantineRepository(database).held("held")),
    )


@router.get("/messages/{sha256}", response_class=HTMLResponse)
def message_page(request: Request, sha256: str) -> HTMLResponse:
    return _page(request, "message.html", m=message(request, sha256), token=state_of(request).form_token)


@router.post("/messages/{sha256}/label")
def label_form(
    request: Request, sha256: str, token: str = Form(""), label: str = Form(""), note: str = Form("")
) -> Response:
    state = state_of(request)
    _check(token, state.form_token)
    if label not in ("phish", "ham"):
        raise HTTPException(422, "the label is phish or ham")
    done = set_analyst_label(state, sha256, label, note)
    return RedirectResponse(f"/messages/{done['sha256']}", status_code=303)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, untriaged: bool = False) -> HTMLResponse:
    return _page(request, "reports.html", reports=reports(request, untriaged, 500), untriaged=untriaged)


@router.get("/quarantine", response_class=HTMLResponse)
def quarantine_page(request: Request, done: str = "", failed: str = "") -> HTMLResponse:
    state = state_of(request)
    held = [held_record(h) for h in QuarantineRepository(state.database).held("held")]
    return _page(request, "quarantine.html", held=held, token=state.form_token, done=done, failed=failed)


@router.post("/quarantine/{held_id}/release")
def release_form(
    request: Request, held_id: int, token: str = Form(""), false_positive: str = Form("")
) -> Response:
    state = state_of(request)
    _check(token, state.form_token)
    try:
        release(state.settings, state.database, held_id, state.reinject_to, bool(false_positive))
    except (LookupError, OSError, smtplib.SMTPException) as exc:  # it stays held
        log.warning("could not release held message %s: %s: %s", held_id, type(exc).__name__, exc)
        return RedirectResponse(f"/quarantine?failed={held_id}", status_code=303)
    return RedirectResponse(f"/quarantine?done={held_id}", status_code=303)


def _check(token: str, expected: str) -> None:
    """A form that changes something must carry the token of a page the console served."""
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(403, "this form did not come from the console")


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request) -> HTMLResponse:
    found = CampaignRepository(state_of(request).database).campaigns()
    return _page(request, "campaigns.html", campaigns=found)


@router.get("/campaigns/{campaign}", response_class=HTMLResponse)
def campaign_page(request: Request, campaign: str) -> HTMLResponse:
    return _page(request, "campaign.html", c=campaign_record(state_of(request), campaign))


@router.get("/people", response_class=HTMLResponse)
def people_page(request: Request) -> HTMLResponse:
    return _page(request, "people.html", people=people(request, 200))


@router.get("/osint", response_class=HTMLResponse)
def osint_page(request: Request) -> HTMLResponse:
    events = OsintRepository(state_of(request).database).events()
    rows = [
        {**msgspec.to_builtins(e), "victims_shown": victim_phrases(e)}
        for e in sorted(events, key=lambda e: e.date.start if e.date else "", reverse=True)
    ]
    return _page(request, "osint.html", events=rows)


@router.get("/osint/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request, first: str = "US", second: str = "Iran", by: str = "year"
) -> HTMLResponse:
    """Operations between two states per period and direction: is it escalating?"""
    from seawall.osint.gazetteer import known_country_code
    from seawall.osint.timeline import PERIODS, between, tally, trend

    if by not in PERIODS:
        raise HTTPException(422, f"by must be one of {', '.join(PERIODS)}")
    a, b = known_country_code(first), known_country_code(second)
    rows = between(OsintRepository(state_of(request).database).events(), first, second) if a and b else []
    periods = tally(rows, by)
    directions = [(a, b), (b, a)]
    return _page(
        request,
        "timeline.html",
        first=first,
        second=second,
        by=by,
        periods_allowed=PERIODS,
        known=bool(a and b),
        directions=directions,
        periods=[
            {"name": p.name, "counts": [p.count[d] for d in directions], "types": p.types.most_common()}
            for p in periods
        ],
        trends=[trend(periods, *d) for d in directions] if a and b else [],
        rows=rows,
    )
