"""The configuration reference stays true: its example is a configuration Seawall accepts."""

from __future__ import annotations

import re

import msgspec
import pytest

from seawall.config import settings_from_toml
from tests.conftest import REPO


def test_the_documented_configuration_is_accepted_as_written() -> None:
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    settings = settings_from_toml(block.group(1), "docs/configuration.md")
    assert settings.mailflow.phishing == "quarantine" and settings.mailflow.quarantine_keep_days == 30
    assert settings.organisation.domains == ["example-agency.gov"]


def test_a_retention_under_a_day_is_refused() -> None:
    with pytest.raises((msgspec.ValidationError, ValueError)):
        settings_from_toml("[mailflow]\nquarantine_keep_days = 0\n", "test")
