"""The selection of campaigns and indicators to export (STIX 2.1, MISP, CSV, TAXII), read from
the store."""

from __future__ import annotations

from datetime import UTC, datetime

from seawall.campaigns.targeting import Targeting
from seawall.config import Settings
from seawall.intel.export import CampaignOut, Export, IndicatorOut
from seawall.store.campaigns import CampaignRepository, CampaignView
from seawall.store.database import Database


def campaign_id(text: str) -> int:
    """A campaign's number from "C-17" or "17"; ValueError otherwise."""
    try:
        return int(text.upper().removeprefix("C-"))
    except ValueError as exc:
        raise ValueError(f"not a campaign id: {text} (expected C-17 or 17)") from exc


def day(text: str | None) -> datetime | None:
    """A date (YYYY-MM-DD, or an ISO time) as an aware time; ValueError otherwise."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a date: {text} (expected YYYY-MM-DD)") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_export(
    settings: Settings,
    campaign: str | None = None,
    since: str | None = None,
    database: Database | None = None,
) -> Export:
    """The campaigns (one, or all) and the indicators seen since a date; LookupError for a
    campaign the store does not hold, ValueError for an id or a date that is none."""
    repository = CampaignRepository(database or Database.from_settings(settings))
    try:
        return _read(settings, repository, campaign, day(since))
    finally:
        if database is None:
            repository.database.close()


def _read(
    settings: Settings, repository: CampaignRepository, campaign: str | None, since: datetime | None
) -> Export:
    wanted = [campaign_id(campaign)] if campaign else repository.all_campaign_ids()
    targeting = Targeting.from_settings(settings)
    views: list[CampaignView] = []
    for number in wanted:
        view = repository.campaign(number, settings.campaigns.wave_gap_hours)
        if view is None:
            if campaign:
                raise LookupError(f"no campaign {campaign}")
            continue
        if since is not None and view.last_seen is not None and view.last_seen < since:
            continue
        views.append(view)
    sightings = repository.sightings()
    selected = {v.id for v in views}
    indicators = []
    for record in repository.indicators(since):
        campaigns = sorted(sightings.get((record.kind, record.value), set()))
        if campaign and not selected.intersection(campaigns):
            continue
        indicators.append(
            IndicatorOut(
                kind=record.kind,
                value=record.value,
                first_seen=record.first_seen,
                last_seen=record.last_seen,
                count=record.count,
                campaigns=[c for c in campaigns if c in selected],
            )
        )
    campaigns_out = []
    for view in views:
        targets = sorted(
            {
                (p.organisation, p.sector)
                for m in view.messages
                for p in [targeting.place(str(r)) for r in m.recipients]
                if p.organisation
            }
        )
        campaigns_out.append(
            CampaignOut(
                id=view.id,
                label=view.label,
                subject=view.subject,
                first_seen=view.first_seen,
                last_seen=view.last_seen,
                message_count=view.message_count,
                waves=view.waves,
                techniques=sorted(view.attack),
                targets=targets,
                actor=view.actor,
                actor_country=view.actor_country,
                actor_confidence=view.actor_confidence,
                actor_evidence=view.actor_evidence,
            )
        )
    organisation = settings.organisation.name or "Seawall user"
    return Export(organisation, list(settings.organisation.sectors), campaigns_out, indicators)
