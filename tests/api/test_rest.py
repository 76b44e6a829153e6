"""The REST API over a real store: what scripts get, and releasing held mail."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from seawall.store.database import Database
from seawall.store.quarantine import QuarantineRepository
from seawall.store.repository import ScanRepository
from tests.api.conftest import BIDI_SUBJECT, HOSTILE_SUBJECT, REPORTERS, Sink, Store


def test_messages_come_with_their_verdict_and_the_evidence_behind_it(app: FastAPI, store: Store) -> None:
    client = TestClient(app)
    assert client.get("/api/stats").json() == {"phishing": 9, "clean": 2}
    phishing = client.get("/api/messages", params={"label": "phishing"}).json()
    assert len(phishing) == 9 and {m["label"] for m in phishing} == {"phishing"}
    assert any(m["subject"] == HOSTILE_SUBJECT for m in phishing)  # as text, untouched
    assert any(m["subject"] == BIDI_SUBJECT for m in phishing)  # JSON carries the text as it is
    detail = client.get(f"/api/messages/{store.hostile_sha256[:16]}").json()
    assert detail["sha256"] == store.hostile_sha256 and detail["origins"] == ["smtp:127.0.0.1"]
    deceptions = [e for e in detail["evidence"] if e.get("kind") == "deception"]
    assert deceptions and all(e["attack"] and e["triggers"] for e in deceptions)
    assert client.get("/api/messages", params={"label": "nonsense"}).status_code == 422
    assert client.get("/api/messages/0123456789abcdef").status_code == 404


def test_a_release_delivers_the_held_message_once_tagged_and_can_teach_the_model(
    app: FastAPI, store: Store, sink: Sink
) -> None:
    client = TestClient(app)
    (held,) = client.get("/api/quarantine").json()
    assert held["id"] == store.held_id and held["subject"] == HOSTILE_SUBJECT
    # a cross-site form post (no JSON body) releases nothing
    forged = client.post(f"/api/quarantine/{store.held_id}/release", data={"false_positive": "true"})
    assert forged.status_code == 422 and not sink.received
    released = client.post(f"/api/quarantine/{store.held_id}/release", json={"false_positive": True})
    assert released.status_code == 200 and released.json()["status"] == "released"
    ((mail_from, recipients, data),) = sink.received
    assert mail_from == "it-desk@examp1e-agency.gov" and recipients == ["staff@example-agency.gov"]
    assert f"X-Seawall-Released: from quarantine {store.held_id}".encode() in data
    again = client.post(f"/api/quarantine/{store.held_id}/release", json={})
    assert again.status_code == 404 and len(sink.received) == 1
    assert client.get("/api/quarantine").json() == []
    database = Database.from_settings(store.settings)
    assert (store.hostile_sha256, "ham") in ScanRepository(database).labels()
    database.close()


def test_a_release_postfix_refuses_keeps_the_message_held(store: Store, sink: Sink) -> None:
    from seawall.api.app import create_app
    from seawall.service.filter import Address
    from tests.api.conftest import free_port

    client = TestClient(create_app(store.settings, Address("127.0.0.1", free_port())))  # nothing listens
    refused = client.post(f"/api/quarantine/{store.held_id}/release", json={})
    assert refused.status_code == 502
    database = Database.from_settings(store.settings)
    assert [h.id for h in QuarantineRepository(database).held("held")] == [store.held_id]
    database.close()


def test_every_response_forbids_scripts_and_framing(app: FastAPI) -> None:
    client = TestClient(app)
    for path in ("/", "/api/stats", "/quarantine", "/openapi.json", "/taxii2/"):
        headers = client.get(path).headers
        assert "script-src" not in headers["content-security-policy"]  # so default-src 'none' rules
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert client.get("/docs").status_code == 404  # FastAPI's own pages would load a CDN's scripts
    assert "/api/messages" in client.get("/openapi.json").json()["paths"]


def test_operations_from_reporting_come_with_their_sides_and_sources(app: FastAPI) -> None:
    events = TestClient(app).get("/api/osint/events").json()
    sides = sorted((e["attacker_countries"], e["victim_countries"], e["types"]) for e in events)
    assert sides == [(["IR"], ["US"], ["phishing"]), (["US"], ["IR"], ["cyberattack"])]
    assert all(e["evidence"] and e["date"]["start"].startswith("2019-06") for e in events)


def test_a_campaign_comes_with_its_waves_targets_and_messages(app: FastAPI) -> None:
    client = TestClient(app)
    listed = client.get("/api/campaigns").json()
    wave = next(c for c in listed if "benefits enrollment" in c["subject"])
    shown = client.get(f"/api/campaigns/{wave['id']}").json()
    assert shown["message_count"] == 3 and [w["messages"] for w in shown["waves"]] == [3]
    assert ["Example Agency", 3] in shown["organisations"]
    assert sorted(m["subject"].split(",")[0] for m in shown["messages"]) == ["Alan", "Mei", "Robert"]
    assert {i["kind"] for i in shown["indicators"]} >= {"domain", "url"}
    assert client.get("/api/campaigns/C-999").status_code == 404
    assert client.get("/api/campaigns/banana").status_code == 422


def test_an_analyst_labels_what_users_reported(app: FastAPI, store: Store) -> None:
    client = TestClient(app)
    (reported,) = client.get("/api/reports").json()
    assert reported["sha256"] == store.hostile_sha256 and reported["reporters"] == 2
    assert reported["analyst_label"] is None
    detail = client.get(f"/api/messages/{store.hostile_sha256}").json()
    assert sorted(detail["reported_by"]) == REPORTERS and detail["analyst_label"] is None
    labelled = client.post(
        f"/api/messages/{store.hostile_sha256}/label", json={"label": "phish", "note": "OWA lure"}
    )
    assert labelled.status_code == 200 and labelled.json()["analyst_label"] == "phish"
    assert client.get("/api/reports", params={"untriaged": True}).json() == []
    detail = client.get(f"/api/messages/{store.hostile_sha256}").json()
    assert (detail["analyst_label"], detail["analyst_note"]) == ("phish", "OWA lure")
    assert (
        client.post(f"/api/messages/{store.hostile_sha256}/label", json={"label": "spam"}).status_code == 422
    )
    forged = client.post(f"/api/messages/{store.hostile_sha256}/label", data={"label": "ham"})
    assert forged.status_code == 422  # a form from another site changes nothing
    assert client.get(f"/api/messages/{store.hostile_sha256}").json()["analyst_label"] == "phish"


def test_the_most_attacked_people_come_first(app: FastAPI) -> None:
    ranked = TestClient(app).get("/api/people").json()
    assert ranked == sorted(ranked, key=lambda p: -p["attack_index"])
    staff = next(p for p in ranked if p["address"] == "staff@example-agency.gov")
    assert staff["organisation"] == "Example Agency" and staff["messages"] >= 2
    assert all(c.startswith("C-") for p in ranked for c in p["campaigns"])
