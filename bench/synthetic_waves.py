"""A generator of synthetic phishing campaigns sent in waves, with ground truth.

Each campaign has one lure template and its own infrastructure, and is sent in several waves
over several days to many recipients with what real senders vary per message: a personalised
greeting, a per-recipient tracking URL, rotated sender addresses and display names, subject
variants and reworded sentences. Used by ``bench/campaigns.py`` and the campaign tests.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

FIRST = [
    "James",
    "Maria",
    "Ahmed",
    "Linda",
    "Wei",
    "Sarah",
    "David",
    "Olga",
    "Carlos",
    "Emma",
    "Robert",
    "Priya",
    "Thomas",
    "Fatima",
    "Kevin",
    "Laura",
    "Daniel",
    "Mei",
    "Peter",
    "Nadia",
]
LAST = [
    "Walsh",
    "Chen",
    "Garcia",
    "Miller",
    "Okafor",
    "Novak",
    "Hughes",
    "Silva",
    "Kim",
    "Brown",
    "Fischer",
    "Rossi",
    "Patel",
    "Moreau",
    "Jensen",
    "Costa",
    "Murphy",
    "Ito",
    "Schmidt",
    "Haddad",
]
ORGS = [
    ("example-agency.gov", "Example Agency"),
    ("petroco-energy.com", "PetroCo Energy"),
    ("gulfpipeline.com", "Gulf Pipeline"),
    ("state-energy.gov", "State Energy Office"),
]


@dataclass(frozen=True)
class Template:
    name: str
    subjects: list[str]
    paragraphs: list[list[str]]
    """Each paragraph has alternatives; one is picked per message (reworded sentences)."""
    domain: str
    path: str
    sender_domains: list[str]
    sender_names: list[str]
    attachment: tuple[str, bytes] | None = None


TEMPLATES = [
    Template(
        "password-expiry",
        [
            "Your password expires today",
            "Password expiry notice",
            "Action required: password expires in 24 hours",
        ],
        [
            [
                "The password for your mailbox expires today and your access to mail will be suspended.",
                "Your mailbox password reaches its expiry date today and access to e-mail will be suspended.",
            ],
            [
                "To keep using your current password, confirm it on the secure portal before the end of the day.",
                "Please confirm your current password on the secure portal before close of business.",
            ],
            [
                "If you do not confirm, incoming messages will be held and your account will be locked by the IT service desk.",
                "Unconfirmed accounts are locked by the service desk and held messages are deleted after three days.",
            ],
            [
                "Thank you for helping us keep our systems safe. IT Service Desk, Identity and Access Management team."
            ],
        ],
        "mail-portal-verify.com",
        "/owa/confirm",
        ["it-helpdesk-notice.com", "servicedesk-alerts.net"],
        ["IT Service Desk", "Helpdesk", "Mail Administrator"],
    ),
    Template(
        "tender-rfq",
        [
            "Request for quotation - offshore compressor package",
            "RFQ: compressor station upgrade, bid due Friday",
            "Tender invitation: gas compression equipment",
        ],
        [
            [
                "We are pleased to invite your company to submit a quotation for the supply of gas compression equipment for our offshore platform.",
                "Your company is invited to quote for the supply of gas compression equipment for our offshore platform.",
            ],
            [
                "The technical specifications, bill of quantities and commercial terms are in the attached tender document.",
                "Please find the technical specification, the bill of quantities and our commercial terms in the attached document.",
            ],
            [
                "Enable editing and content to view the full drawings, as the document is protected by our procurement system.",
                "The document is protected; enable content to see the drawings and the schedule.",
            ],
            [
                "Bids must reach the procurement committee before the closing date. Regards, Procurement Department, Gulf Offshore Projects."
            ],
        ],
        "",
        "",
        ["gulf-offshore-projects.com", "gop-procurement.com"],
        ["Procurement Department", "Tender Committee"],
        ("RFQ-Compressor-Package.doc", hashlib.sha256(b"synthetic macro document").digest() * 40),
    ),
    Template(
        "job-offer",
        [
            "Career opportunity: senior engineer position",
            "We reviewed your profile - senior engineer role",
            "Job offer: aviation systems engineer",
        ],
        [
            [
                "Our recruitment team came across your profile and believes you are an excellent match for a senior engineering position with our client in the aviation sector.",
                "Having reviewed your profile, our recruiters believe you would be an excellent fit for a senior engineering role with our aviation client.",
            ],
            [
                "The package includes a tax-free salary, housing allowance and relocation support for your family.",
                "The offer comes with a tax-free salary, a housing allowance and full relocation support.",
            ],
            [
                "Please review the job description and complete your application on our careers portal within five days.",
                "Read the full job description and submit your application on our careers portal within five days.",
            ],
            ["Best regards, Talent Acquisition, Global Aerospace Careers."],
        ],
        "global-aero-careers.com",
        "/jobs/apply",
        ["global-aero-careers.com", "aero-talent-hr.com"],
        ["Talent Acquisition", "Recruitment Team", "HR Careers"],
    ),
    Template(
        "shared-document",
        [
            "A document has been shared with you",
            "Shared file: budget review",
            "You have a new shared document",
        ],
        [
            [
                "A colleague has shared a secure document with you through the document sharing service.",
                "A secure document was shared with you by a colleague using the sharing service.",
            ],
            [
                "The file contains the revised budget review for the next fiscal year and requires your signature.",
                "It holds the revised fiscal year budget review and needs your signature.",
            ],
            [
                "Open the document and sign in with your work account to view and sign it. The link expires in 48 hours.",
                "Sign in with your work account to open and sign the file; the link expires after 48 hours.",
            ],
            ["This message was sent by an automated system. Please do not reply."],
        ],
        "docs-secure-share.net",
        "/view/file",
        ["docs-secure-share.net", "secure-filedrop.org"],
        ["Document Share", "Secure Files", "Shared Documents"],
    ),
    Template(
        "vpn-update",
        [
            "Mandatory VPN client update",
            "Security update required for remote access",
            "VPN certificate renewal",
        ],
        [
            [
                "Following a security review, all staff working remotely must update their VPN client by the end of this week.",
                "After a security review, everyone who works remotely must update the VPN client before the end of the week.",
            ],
            [
                "The new client renews your access certificate and fixes a vulnerability that was exploited against other agencies.",
                "The update renews your access certificate and closes a vulnerability exploited at other agencies.",
            ],
            [
                "Download and run the update from the internal software page, then sign in with your network credentials.",
                "Get the update from the internal software page, run it and sign in with your network credentials.",
            ],
            ["Network Operations Center, Office of the Chief Information Officer."],
        ],
        "vpn-agency-update.com",
        "/download/client",
        ["noc-agency-support.com", "cio-office-notice.com"],
        ["Network Operations", "NOC", "Office of the CIO"],
    ),
    Template(
        "invoice",
        [
            "Overdue invoice reminder",
            "Invoice payment reminder - second notice",
            "Outstanding invoice for services",
        ],
        [
            [
                "Our records show that the invoice for engineering services delivered last quarter is still unpaid.",
                "According to our accounts, last quarter's invoice for engineering services remains unpaid.",
            ],
            [
                "To avoid late fees and suspension of services, please review the invoice and arrange payment.",
                "Please review the invoice and arrange payment to avoid late fees and a suspension of service.",
            ],
            [
                "The invoice and the remittance details are available on our billing portal.",
                "You can find the invoice and the remittance details on our billing portal.",
            ],
            ["Kind regards, Accounts Receivable, Meridian Engineering Services."],
        ],
        "meridian-billing-portal.com",
        "/invoice/view",
        ["meridian-eng-services.com"],
        ["Accounts Receivable", "Billing Department"],
    ),
]


@dataclass(frozen=True)
class SyntheticMessage:
    campaign: str
    wave: int
    data: bytes


def _recipients(rng: random.Random, count: int) -> list[tuple[str, str]]:
    people = []
    for _ in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain, _org = rng.choice(ORGS)
        people.append((f"{first} {last}", f"{first[0].lower()}{last.lower()}@{domain}"))
    return people


def generate(seed: int = 2019, start: datetime | None = None) -> list[SyntheticMessage]:
    """Every template sent in 2-4 waves over several days, 8-30 recipients per wave."""
    rng = random.Random(seed)
    start = start or datetime(2019, 6, 10, 8, 0, tzinfo=UTC)
    messages: list[SyntheticMessage] = []
    for number, template in enumerate(TEMPLATES):
        day = start + timedelta(days=rng.randint(0, 3), hours=number)
        for wave in range(1, rng.randint(2, 4) + 1):
            for name, address in _recipients(rng, rng.randint(8, 30)):
                sent = day + timedelta(minutes=rng.randint(0, 90))
                messages.append(
                    SyntheticMessage(template.name, wave, _message(rng, template, name, address, sent))
                )
            day += timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6))
    rng.shuffle(messages)
    return messages


def _message(rng: random.Random, template: Template, name: str, address: str, sent: datetime) -> bytes:
    first = name.split()[0]
    sender_domain = rng.choice(template.sender_domains)
    local = rng.choice(["notice", "no-reply", "info", "support", "admin", "service"]) + str(
        rng.randint(1, 99)
    )
    token = hashlib.sha1(f"{address}{rng.random()}".encode()).hexdigest()[:16]
    greeting = rng.choice([f"Dear {first},", f"Hello {first},", f"Dear {name},", f"Hi {first},"])
    paragraphs = [rng.choice(alternatives) for alternatives in template.paragraphs]
    url = (
        f"https://{template.domain}{template.path}/{token}?uid={rng.randint(10**6, 10**7)}"
        if template.domain
        else ""
    )
    text = "\n\n".join([greeting, *paragraphs[:-1], *([url] if url else []), paragraphs[-1]])
    message = EmailMessage()
    message["From"] = f"{rng.choice(template.sender_names)} <{local}@{sender_domain}>"
    message["To"] = f"{name} <{address}>"
    message["Subject"] = rng.choice(template.subjects)
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = make_msgid(domain=sender_domain)
    ip = f"198.51.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    message["Received"] = (
        f"from mail.{sender_domain} (mail.{sender_domain} [{ip}]) by mx.{address.split('@')[1]}; {format_datetime(sent)}"
    )
    message.set_content(text)
    if url:
        html_paragraphs = "".join(f"<p>{p}</p>" for p in paragraphs[:-1])
        message.add_alternative(
            f'<html><body><p>{greeting}</p>{html_paragraphs}<p><a href="{url}">Open secure portal</a></p>'
            f'<p>{paragraphs[-1]}</p><img src="https://{template.domain}/o/{token}.gif" width=1 height=1></body></html>',
            subtype="html",
        )
    if template.attachment:
        filename, payload = template.attachment
        message.add_attachment(payload, maintype="application", subtype="msword", filename=filename)
    return message.as_bytes()
