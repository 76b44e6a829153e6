"""The TAXII 2.1 server, read by OASIS's own client (taxii2-client) over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from stix2validator import ValidationOptions, validate_string
from taxii2client.v21 import Server, as_pages

from seawall.api.taxii import STIX, TAXII
from tests.api.conftest import Store


def test_a_taxii_client_finds_both_collections_and_pages_through_every_object(
    served: str, store: Store
) -> None:
    server = Server(f"{served}/taxii2/")
    (root,) = server.api_roots
    assert root.versions == [TAXII]
    by_title = {c.title: c for c in root.collections}
    mail = by_title["Seawall: campaigns and indicators from mail"]
    assert mail.can_read and not mail.can_write and mail.media_types == [STIX]
    everything = mail.get_objects()["objects"]
    assert {"campaign", "indicator", "identity", "attack-pattern"} <= {o["type"] for o in everything}
    # the same objects, fifty at a time, in the order the server added them
    paged = [o for page in as_pages(mail.get_objects, per_request=50) for o in page.get("objects", [])]
    assert [o["id"] for o in paged] == [o["id"] for o in everything] and len(paged) > 50
    # filters and single objects
    indicators = mail.get_objects(type="indicator")["objects"]
    assert indicators and {o["type"] for o in indicators} == {"indicator"}
    one = mail.get_object(indicators[0]["id"])["objects"]
    assert one == [indicators[0]]
    manifest = mail.get_manifest()["objects"]
    assert [m["id"] for m in manifest] == [o["id"] for o in everything]
    # what it serves is valid STIX 2.1
    bundle = {"type": "bundle", "id": "bundle--7f1b8a9e-4d6c-4b1e-9a3f-2c5d8e0f1a2b", "objects": everything}
    assert validate_string(json.dumps(bundle), ValidationOptions(version="2.1")).is_valid
    # and the operations read from reporting, with the reports that tell them
    osint = by_title["Seawall: cyber operations from open-source reporting"]
    kinds = {o["type"] for o in osint.get_objects()["objects"]}
    assert {"report", "attack-pattern"} <= kinds


@pytest.mark.parametrize("path", ["collections/not-a-collection/", "collections/not-a-collection/objects/"])
def test_an_unknown_collection_is_a_taxii_error(served: str, path: str) -> None:
    answer = requests.get(f"{served}/taxii2/seawall/{path}", headers={"Accept": TAXII}, timeout=10)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/taxii+json")
    assert answer.json()["http_status"] == "404"


def test_an_object_the_collection_does_not_hold_is_not_found(served: str) -> None:
    from seawall.api.taxii import COLLECTIONS

    mail = next(iter(COLLECTIONS))
    missing = "indicator--00000000-0000-4000-8000-000000000000"
    answer = requests.get(f"{served}/taxii2/seawall/collections/{mail}/objects/{missing}/", timeout=10)
    assert answer.status_code == 404 and answer.json()["title"] == f"no object {missing}"
    bad = requests.get(
        f"{served}/taxii2/seawall/collections/{mail}/objects/", params={"added_after": "soon"}, timeout=10
    )
    assert bad.status_code == 400


def test_a_client_paging_through_a_collection_reads_one_snapshot(
    app: Any, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from seawall.api import taxii
    from seawall.intake.source import Origin, RawMessage
    from seawall.pipeline import Scanner
    from tests.api.conftest import HOSTILE

    client = TestClient(app)
    mail = next(iter(taxii.COLLECTIONS))
    url = f"/taxii2/seawall/collections/{mail}/objects/"
    before = client.get(url).json()["objects"]
    # new mail arrives while the client pages: a new lure on a new domain
    lure = HOSTILE.replace(b"verify-login.top", b"sso-renewal.example.net").replace(b"hostile-1", b"new-1")
    scanner = Scanner(store.settings, record=True, keep_raw=False)
    scanner.scan_and_record(RawMessage.from_bytes(lure, Origin("smtp:127.0.0.1", "smtp")))
    scanner.close()
    assert client.get(url).json()["objects"] == before  # the same list for the next pages
    monkeypatch.setattr(taxii, "SNAPSHOT_SECONDS", 0.0)
    after = client.get(url).json()["objects"]
    assert any("sso-renewal.example.net" in str(o.get("pattern", "")) for o in after)
