"""A message forwarded inline is rebuilt as the message it forwards."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from seawall.mail.forwarded import inline_forward


def forward(subject: str, body: str, html: str | None = None, attach: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = "Robert Hughes <r.hughes@example-agency.gov>"
    message["To"] = "phish-report@example-agency.gov"
    message["Subject"] = subject
    message["Date"] = "Tue, 14 Feb 2023 16:27:33 +0000"
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if attach:
        message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    return message.as_bytes()


def parsed(data: bytes | None) -> EmailMessage:
    assert data is not None
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


OUTLOOK_PT = """
________________________________
De: Security-Notice <support@71cw8dvqdq2uzu36swld.net>
Enviado: terça-feira, 14 de fevereiro de 2023 12:49
Para: Robert Hughes <r.hughes@example-agency.gov>
Assunto: Microsoft unusual sign-in activity

We detected something unusual about a recent sign-in to your account.
Review recent activity: https://login-verify.example-bad.net/review
"""

GMAIL_EN = """FYI, is this real?

---------- Forwarded message ---------
From: PayPal <service@paypa1-secure.com>
Date: Mon, 13 Feb 2023 at 09:12
Subject: Your account has been limited
To: <r.hughes@example-agency.gov>

Dear customer, confirm your identity within 24 hours.
"""


def test_an_outlook_forward_in_portuguese_is_the_message_it_carries() -> None:
    html = '<p>De: Security-Notice</p><a href="https://login-verify.example-bad.net/review">Review</a>'
    original = parsed(inline_forward(forward("Fw: Microsoft unusual sign-in activity", OUTLOOK_PT, html)))
    assert original["From"].addresses[0].addr_spec == "support@71cw8dvqdq2uzu36swld.net"
    assert original["Subject"] == "Microsoft unusual sign-in activity"
    text = original.get_body(("plain",)).get_content()
    assert text.startswith("We detected something unusual") and "Assunto" not in text
    assert "login-verify.example-bad.net" in original.get_body(("html",)).get_content()


def test_a_gmail_forward_with_a_note_above_it_is_the_message_it_carries() -> None:
    original = parsed(inline_forward(forward("Fwd: Your account has been limited", GMAIL_EN)))
    assert original["From"].addresses[0].addr_spec == "service@paypa1-secure.com"
    assert original["To"].addresses[0].addr_spec == "r.hughes@example-agency.gov"
    assert "FYI" not in original.get_body(("plain",)).get_content()


def test_a_forwarded_sender_without_an_address_leaves_the_forward_as_it_is() -> None:
    # Outlook writes a colleague by name alone; rebuilt, the message would look like a sender
    # hiding its address (on Enron's inline forwards that made 291 of 530 phishing)
    body = (
        "-----Original Message-----\nFrom: Smith, John\nSent: Monday\nTo: Hughes, Robert\n"
        "Subject: Q3 figures\n\nSee below."
    )
    assert inline_forward(forward("FW: Q3 figures", body)) is None
    # names alone in the forwarded To: the forward's own recipients stand in
    named = body.replace("From: Smith, John", "From: John Smith <j.smith@example-energy.com>")
    original = parsed(inline_forward(forward("FW: Q3 figures", named)))
    assert original["To"].addresses[0].addr_spec == "phish-report@example-agency.gov"


def test_what_is_no_inline_forward_stays_as_it_is() -> None:
    # no forward prefix: a reply quoting an earlier message is mail of its own
    assert inline_forward(forward("Re: Microsoft unusual sign-in activity", OUTLOOK_PT)) is None
    # the original attached: read as an attachment, not from the body
    assert inline_forward(forward("Fw: Microsoft unusual sign-in activity", OUTLOOK_PT, attach=True)) is None
    # a forward whose body holds no header block
    assert inline_forward(forward("Fwd: photos", "Here are the photos from Saturday.")) is None
    assert inline_forward(b"\x00\xff not a message") is None
    # a hostile header block gives a message or nothing, never an error
    hostile = "From: Evil <<<a@b.example>\nTo: <\nSubject: =?x?q?broken\n\nbody"
    result = inline_forward(forward("Fw: x", hostile))
    assert result is None or b"a@b.example" in result
