"""``/taxii2``: a read-only TAXII 2.1 server (OASIS TAXII 2.1, sections 4-5) with two
collections — the campaigns and indicators found in mail (the ``seawall export stix`` bundle)
and the operations read from open-source reporting (``seawall osint export``) — so that a
TIP or another Seawall can poll them. Written here because no maintained Python TAXII 2.1
*server* library exists to embed (OASIS's medallion is a standalone Flask app with its own
backends); the client side is checked with OASIS's taxii2-client in the tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from seawall.analyst.exports import build_export
from seawall.api.state import Console, state_of
from seawall.intel.export import to_stix
from seawall.osint.stix import to_stix as osint_to_stix
from seawall.store.osint import OsintRepository

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
API_ROOT = "seawall"
MAX_PAGE = 1000


def _mail_objects(state: Console) -> list[dict[str, Any]]:
    bundle = to_stix(build_export(state.settings, database=state.database))
    objects: list[dict[str, Any]] = bundle.get("objects", [])  # a bundle of nothing has none
    return objects


def _osint_objects(state: Console) -> list[dict[str, Any]]:
    repository = OsintRepository(state.database)
    bundle = osint_to_stix(repository.events(), repository.articles())
    objects: list[dict[str, Any]] = bundle.get("objects", [])
    return objects


# Fixed ids: a client that stored a collection's id finds it again after a restart.
COLLECTIONS: dict[str, tuple[str, str, Callable[[Console], list[dict[str, Any]]]]] = {
    str(uuid.uuid5(uuid.NAMESPACE_URL, "seawall:collection:mail")): (
        "Seawall: campaigns and indicators from mail",
        "Phishing campaigns, their waves, targets and indicators, as seawall export stix writes them.",
        _mail_objects,
    ),
    str(uuid.uuid5(uuid.NAMESPACE_URL, "seawall:collection:osint")): (
        "Seawall: cyber operations from open-source reporting",
        "Reports, intrusion sets, victims and techniques read from articles (seawall osint export).",
        _osint_objects,
    ),
}

router = APIRouter(prefix="/taxii2", tags=["taxii"])


def _taxii(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=TAXII, headers=headers)


def _error(status: int, title: str) -> JSONResponse:
    return _taxii({"title": title, "http_status": str(status)}, status)


def _collection(collection_id: str) -> dict[str, Any]:
    title, description, _ = COLLECTIONS[collection_id]
    return {
        "id": collection_id,
        "title": title,
        "description": description,
        "can_read": True,
        "can_write": False,
        "media_types": [STIX],
    }


@router.get("/")
def discovery(request: Request) -> JSONResponse:
    root = str(request.url_for("api_root"))
    return _taxii(
        {
            "title": "Seawall TAXII 2.1",
            "description": "Threat intelligence from an organisation's mail and from open-source reporting.",
            "default": root,
            "api_roots": [root],
        }
    )


@router.get(f"/{API_ROOT}/", name="api_root")
def api_root() -> JSONResponse:
    return _taxii({"title": "Seawall", "versions": [TAXII], "max_content_length": 10 * 1024 * 1024})


@router.get(f"/{API_ROOT}/collections/")
def collections() -> JSONResponse:
    return _taxii({"collections": [_collection(c) for c in COLLECTIONS]})


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/")
def collection(collection_id: str) -> JSONResponse:
    if collection_id not in COLLECTIONS:
        return _error(404, f"no collection {collection_id}")
    return _taxii(_collection(collection_id))


def _added(obj: dict[str, Any]) -> str:
    """When an object entered the collection: its last modification (objects are rebuilt from
    the store on each request, so its ``modified`` or ``created`` stands for it)."""
    return str(obj.get("modified") or obj.get("created") or "1970-01-01T00:00:00.000Z")


def _selected(
    objects: list[dict[str, Any]], added_after: str | None, ids: str | None, types: str | None
) -> list[dict[str, Any]]:
    if ids:
        wanted = set(ids.split(","))
        objects = [o for o in objects if o.get("id") in wanted]
    if types:
        kinds = set(types.split(","))
        objects = [o for o in objects if o.get("type") in kinds]
    if added_after:
        after = _timestamp(added_after)
        objects = [o for o in objects if _timestamp(_added(o)) > after]
    return sorted(objects, key=lambda o: (_added(o), str(o.get("id"))))


def _timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Selection:
    """A request's filters and page (TAXII 2.1, 3.4-3.5): ``added_after``, ``match[id]``,
    ``match[type]``, ``limit``, ``next``."""

    added_after: str | None = None
    limit: int = MAX_PAGE
    next_page: str | None = None
    ids: str | None = None
    types: str | None = None


def selection(
    added_after: str | None = None,
    limit: int = Query(MAX_PAGE, ge=1, le=MAX_PAGE),
    next_page: str | None = Query(None, alias="next"),
    match_id: str | None = Query(None, alias="match[id]"),
    match_type: str | None = Query(None, alias="match[type]"),
) -> Selection:
    return Selection(added_after, limit, next_page, match_id, match_type)


SNAPSHOT_SECONDS = 60.0
"""How long a collection's objects, built from the store once, serve every request: a client
paging with ``next`` reads one consistent list (offsets do not shift under it), and the export
is not rebuilt for each of its pages."""


def _snapshot(collection_id: str, state: Console) -> list[dict[str, Any]]:
    with state.snapshot_lock:
        taken = state.snapshots.get(collection_id)
        if taken is None or time.monotonic() - taken[0] > SNAPSHOT_SECONDS:
            taken = state.snapshots[collection_id] = (time.monotonic(), COLLECTIONS[collection_id][2](state))
        return taken[1]


def _select(request: Request, collection_id: str, chosen: Selection) -> list[dict[str, Any]] | JSONResponse:
    """A collection's objects that pass the filters, oldest first, or the TAXII error."""
    if collection_id not in COLLECTIONS:
        return _error(404, f"no collection {collection_id}")
    try:
        found = _snapshot(collection_id, state_of(request))
        return _selected(found, chosen.added_after, chosen.ids, chosen.types)
    except ValueError as exc:
        return _error(400, str(exc))


def _envelope(
    objects: list[dict[str, Any]], chosen: Selection, entry: Callable[[dict[str, Any]], dict[str, Any]]
) -> JSONResponse:
    """One page of the objects, each made an entry by ``entry``, with ``more`` / ``next`` and
    the date headers."""
    start = int(chosen.next_page) if chosen.next_page and chosen.next_page.isdigit() else 0
    page = objects[start : start + chosen.limit]
    more = start + chosen.limit < len(objects)
    body: dict[str, Any] = {"more": more, "objects": [entry(o) for o in page]}
    if more:
        body["next"] = str(start + chosen.limit)
    dates = {"X-TAXII-Date-Added-First": _added(page[0]), "X-TAXII-Date-Added-Last": _added(page[-1])}
    return _taxii(body, headers=dates if page else {})


def _whole(obj: dict[str, Any]) -> dict[str, Any]:
    return obj


def _manifest_entry(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "date_added": _added(obj), "version": _added(obj), "media_type": STIX}


Chosen = Annotated[Selection, Depends(selection)]


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/")
def objects(request: Request, collection_id: str, chosen: Chosen) -> JSONResponse:
    found = _select(request, collection_id, chosen)
    return found if isinstance(found, JSONResponse) else _envelope(found, chosen, _whole)


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/")
def one_object(request: Request, collection_id: str, object_id: str) -> JSONResponse:
    chosen = Selection(ids=object_id)
    found = _select(request, collection_id, chosen)
    if isinstance(found, JSONResponse):
        return found
    return _envelope(found, chosen, _whole) if found else _error(404, f"no object {object_id}")


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/manifest/")
def manifest(request: Request, collection_id: str, chosen: Chosen) -> JSONResponse:
    found = _select(request, collection_id, chosen)
    return found if isinstance(found, JSONResponse) else _envelope(found, chosen, _manifest_entry)
