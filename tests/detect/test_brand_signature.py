"""Who the writer signs as: a copyright owner or a signing team that is a protected brand is a
claim of who sends the message, as a subject naming the brand is; a brand talked about is not."""

from __future__ import annotations

from seawall.detect.features.content import _signatures
from tests.support.features import features_of, html_message


def signed_brands(sender: str, body: str) -> list[str]:
    features = features_of(html_message(body, sender))
    return [str(hit.value) for hit in features.get("link.brand_mismatch_signed", [])]


def test_copyright_owners_and_signing_teams_are_read_as_names() -> None:
    text = (
        "Many thanks, Team Ripple. © 2023 Ripple, All Rights Reserved. Best regards, The MetaMask "
        "Team. Thanks from the team. Copyright (C) 2002 Free Software Foundation, Inc. "
        "Step (c) Microsoft will ship it."
    )
    assert _signatures(text) == ["Ripple", "Ripple", "MetaMask", "Free Software Foundation"]
    # a letter that lowers to two characters moves no offset
    assert _signatures("İstanbul office. " + text) == _signatures(text)
    assert _signatures("Steam users, copyrighted teamwork") == []


def test_a_brand_signed_from_elsewhere_is_a_claim_and_a_brand_talked_about_is_not() -> None:
    lure = (
        "<p>Join the waitlist for the token.</p><p><a href='https://malinalli.com.mx/claim'>"
        "Connect Wallet</a></p><p>The MetaMask Team</p><p>© 2023 MetaMask</p>"
    )
    assert signed_brands('"Token Desk" <infor@designoverload.org>', lure) == ["MetaMask"]
    # the brand's own mail links to the brand
    own = lure.replace("https://malinalli.com.mx/claim", "https://metamask.io/download")
    assert signed_brands('"MetaMask" <news@designoverload.org>', own) == []
    # a newsletter writing about the brand signs as itself
    story = (
        "<p>MetaMask ships a new wallet, and PayPal follows.</p>"
        "<p><a href='https://news.example.org/a'>Read more</a></p><p>The Crypto Weekly Team</p>"
    )
    assert signed_brands('"Crypto Weekly" <editor@news.example.org>', story) == []
