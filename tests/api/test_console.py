"""The console in Debian's chromium, driven by Playwright: hostile mail shows as text and runs
nothing; the quarantine releases from the page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import HOSTILE_SUBJECT, Sink, Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def page(served: str) -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("SEAWALL_REQUIRE_CHROMIUM"):
            pytest.fail("Debian's chromium required (SEAWALL_REQUIRE_CHROMIUM) but not installed")
        pytest.skip("Debian's chromium is not installed (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        yield context.new_page()
        browser.close()


def test_hostile_mail_is_shown_as_text_and_nothing_from_it_runs_or_loads(
    page: Any, served: str, store: Store
) -> None:
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    active = "script, img, iframe, object, embed, [onerror], [onmouseover]"
    page.goto(f"{served}/")
    assert page.locator("table#messages").get_by_text(HOSTILE_SUBJECT, exact=True).count() == 1
    assert page.locator(active).count() == 0
    page.get_by_text(HOSTILE_SUBJECT, exact=True).click()
    assert page.locator("h1#subject").inner_text() == HOSTILE_SUBJECT
    assert "onmouseover" in page.locator("table.fields").inner_text()  # the display name, as text
    page.locator("table.fields").hover()
    assert page.locator(active).count() == 0
    page.goto(f"{served}/quarantine")
    assert page.locator("table#held").get_by_text(HOSTILE_SUBJECT, exact=True).count() == 1
    assert page.locator(active).count() == 0
    assert dialogs == []
    assert all(url.startswith(served) for url in requests), requests  # no fetch of anything in mail


def test_releasing_from_the_quarantine_page_delivers_the_message(
    page: Any, served: str, store: Store, sink: Sink
) -> None:
    page.goto(f"{served}/quarantine")
    page.locator(f"#release-{store.held_id}").click()
    assert page.locator("#done").inner_text() == f"Released {store.held_id}."
    assert page.locator("table#held").count() == 0
    ((_, recipients, data),) = sink.received
    assert recipients == ["staff@example-agency.gov"] and b"X-Seawall-Released" in data


def test_a_release_posted_from_another_page_is_refused(
    page: Any, served: str, store: Store, sink: Sink
) -> None:
    # what a malicious page could make the analyst's browser send: the form without its token
    answer = page.request.post(f"{served}/quarantine/{store.held_id}/release", form={"false_positive": "1"})
    assert answer.status == 403 and not sink.received


def test_the_timeline_answers_whether_it_is_escalating(page: Any, served: str) -> None:
    page.goto(f"{served}/osint")
    assert page.locator("table#events tbody tr").count() == 2
    page.get_by_text("Between two states").click()
    page.locator("input[name=first]").fill("United States")
    page.locator("input[name=second]").fill("Iranian")
    page.locator("select[name=by]").select_option("month")
    page.get_by_role("button", name="Show").click()
    assert page.locator("table#periods tbody tr").all_inner_texts() == [
        "2019-06\t1\t1\tphishing 1, cyberattack 1"
    ]
    assert page.locator("#trends li").all_inner_texts() == [
        "US → IR: 1 in 2019-06, none reported before",
        "IR → US: 1 in 2019-06, none reported before",
    ]
    page.goto(f"{served}/osint/timeline?first=Atlantis&second=Iran")
    assert "does not know" in page.locator(".notice").inner_text()


def test_characters_that_reorder_or_hide_text_are_named_not_obeyed(page: Any, served: str) -> None:
    page.goto(f"{served}/")
    assert page.get_by_text("Invoice ⟦U+202E⟧gpj.exe & remittance", exact=True).count() == 1


def test_a_campaign_page_shows_its_waves_and_messages(page: Any, served: str) -> None:
    page.goto(f"{served}/campaigns")
    row = page.locator("table#campaigns tr", has_text="benefits enrollment")
    row.locator("a").click()
    assert "3 messages in 1 wave" in page.locator("#summary").inner_text()
    assert page.locator("table#campaign-messages tbody tr").count() == 3
    assert page.locator("table#targets").get_by_text("organisation: Example Agency").count() == 1


def test_an_analyst_labels_a_reported_message_from_its_page(page: Any, served: str) -> None:
    page.goto(f"{served}/reports?untriaged=true")
    row = page.locator("table#reports tbody tr")
    assert row.count() == 1 and row.locator("td").first.inner_text() == "2"
    row.locator("a").click()
    assert page.locator("#analyst-label").inner_text() == "not labelled"
    page.locator("input[name=note]").fill("OWA lure, 2 reports")
    page.get_by_role("button", name="Not phishing").click()
    assert page.locator("#analyst-label").inner_text() == "ham"
    page.goto(f"{served}/reports?untriaged=true")
    assert page.locator("table#reports").count() == 0


def test_the_people_page_links_each_person_to_the_campaigns_against_them(page: Any, served: str) -> None:
    page.goto(f"{served}/people")
    row = page.locator("table#people tr", has_text="staff@example-agency.gov")
    assert row.count() == 1
    row.locator("a").first.click()
    assert page.url.startswith(f"{served}/campaigns/C-") and page.locator("#summary").count() == 1
