"""Shared STIX assertions for the export tests."""

from __future__ import annotations

import json
from typing import Any

from stix2validator import validate_string


def valid_bundle(text: str) -> tuple[dict[str, Any], set[str]]:
    """The bundle and its object types, after stix2-validator found no error in it."""
    validation = validate_string(text)
    assert validation.is_valid, [e for r in validation.object_results for e in r.errors]
    bundle = json.loads(text)
    return bundle, {o["type"] for o in bundle["objects"]}
