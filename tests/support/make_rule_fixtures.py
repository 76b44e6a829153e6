"""Write the rule fixtures that carry binary attachments (archives, executables, documents).

The text fixtures in src/seawall/detect/rules/fixtures/ are written by hand; these are
generated because their attachments must be real files (a zip that really is encrypted, a
.docm whose VBA project oletools really parses). Every payload is inert: executables are
headers without code, scripts only echo. Run from the repository root:

    python -m tests.support.make_rule_fixtures
"""

from __future__ import annotations

import io
import struct
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pyzipper

from tests.support import vba

FIXTURES = Path(__file__).resolve().parents[2] / "src" / "seawall" / "detect" / "rules" / "fixtures"
MX = "mx.northwind-energy.com"

# A DOS/PE header with no code: enough for libmagic to say "executable", harmless to run.
INERT_PE = (
    b"MZ"
    + b"\x90\x00" * 29
    + struct.pack("<I", 0x80)
    + b"\x00" * (0x80 - 64)
    + b"PE\x00\x00"
    + struct.pack("<HHIIIHH", 0x14C, 0, 0, 0, 0, 0xE0, 0x102)
    + b"\x00" * 0xE0
)
LNK_HEADER = bytes.fromhex("4c0000000114020000000000c000000000000046") + b"\x00" * 56
ONENOTE = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\x00" * 1008


def iso_image(name: str) -> bytes:
    """The first descriptors of an ISO 9660 image naming one file (enough for sniffing)."""
    data = bytearray(b"\x00" * (0x8000 + 2048 * 2))
    descriptor = b"\x01CD001\x01\x00" + b"WIN32".ljust(32) + b"SCAN_0012".ljust(32)
    data[0x8000 : 0x8000 + len(descriptor)] = descriptor
    data[0x8800:0x8806] = b"\xffCD001"
    data[0x9000 : 0x9000 + len(name)] = name.encode()
    return bytes(data)


def pdf(objects: list[str]) -> bytes:
    """A small well-formed PDF from object bodies (1-based numbering)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def zip_bytes(members: dict[str, bytes], password: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    if password:
        with pyzipper.AESZipFile(
            buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as archive:
            archive.setpassword(password)
            for name, data in members.items():
                archive.writestr(name, data)
    else:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 7, 1, 9, 0, 0)), data)
    return buffer.getvalue()


def message(
    sender: str,
    to: str,
    subject: str,
    date: str,
    message_id: str,
    ip: str,
    body: str,
    attachments: list[tuple[str, str, bytes]],
    auth: str = "",
) -> bytes:
    msg = EmailMessage(policy=SMTP)
    domain = sender.split("@")[-1].rstrip(">")
    rcpt = to.split("<")[-1].rstrip(">")
    msg["Return-Path"] = f"<{sender.split('<')[-1].rstrip('>')}>"
    msg["Received"] = (
        f"from {domain} (unknown [{ip}]) by {MX} (Postfix) with ESMTP id 4V0F1x2Y3z for <{rcpt}>; {date}"
    )
    if auth:
        msg["Authentication-Results"] = f"{MX}; {auth}"
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = message_id
    msg.set_content(body)
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if msg.is_multipart():
        msg.set_boundary("=_seawall-fixture-" + message_id.strip("<>").split("@")[0])
    return msg.as_bytes()


def write(name: str, data: bytes) -> None:
    (FIXTURES / name).write_bytes(data)
    print(f"wrote {name} ({len(data)} bytes)")


def main() -> None:
    write(
        "phish-encrypted-zip-password.eml",
        message(
            "Accounts Receivable <ar@pacific-freight-billing.com>",
            "ap@northwind-energy.com",
            "Overdue invoice 0711 - final reminder",
            "Mon, 01 Jul 2024 08:00:00 +0000",
            "<inv0711.b9c1@pacific-freight-billing.com>",
            "185.244.25.11",
            "Hello,\n\nThe invoice 0711 is overdue. The document is protected for your privacy.\n\n"
            "Password: 7788\n\nRegards,\nAccounts Receivable\n",
            [
                (
                    "Invoice_0711.zip",
                    "application/zip",
                    zip_bytes({"Invoice_0711.js": b'WScript.Echo("inert fixture");\r\n'}, password=b"7788"),
                )
            ],
        ),
    )
    write(
        "phish-macro-invoice-docm.eml",
        message(
            "Billing Team <billing@invoice-center.example>",
            "d.okafor@northwind-energy.com",
            "Invoice 88213 attached",
            "Tue, 02 Jul 2024 10:00:00 +0000",
            "<88213@invoice-center.example>",
            "193.233.21.4",
            "Please see the attached invoice. Enable editing and content to view it.\n",
            [
                (
                    "Invoice_88213.docm",
                    "application/vnd.ms-word.document.macroEnabled.12",
                    vba.docm(
                        'Sub AutoOpen()\r\n  Dim s\r\n  Set s = CreateObject("WScript.Shell")\r\n'
                        '  s.Run "cmd /c echo inert fixture", 0\r\nEnd Sub\r\n'
                    ),
                )
            ],
        ),
    )
    write(
        "phish-iso-and-lnk-zip.eml",
        message(
            "Scanner <scanner@office-devices.example>",
            "k.weber@northwind-energy.com",
            "Scanned document 0012",
            "Wed, 03 Jul 2024 11:00:00 +0000",
            "<scan0012@office-devices.example>",
            "45.155.205.233",
            "Scanned pages are attached.\n",
            [
                ("Scan_0012.iso", "application/octet-stream", iso_image("DOCUMENT.LNK;1")),
                ("Scan_0012_pages.zip", "application/zip", zip_bytes({"Document.lnk": LNK_HEADER})),
            ],
        ),
    )
    write(
        "phish-exe-double-extension.eml",
        message(
            "Treasury Services <treasury@remit-advice.example>",
            "treasury@northwind-energy.com",
            "Payment advice",
            "Thu, 04 Jul 2024 12:00:00 +0000",
            "<adv-22@remit-advice.example>",
            "91.215.85.10",
            "Please find the payment advice and statement attached.\n",
            [
                ("Payment_Advice.pdf.exe", "application/octet-stream", INERT_PE),
                ("Statement.pdf", "application/pdf", INERT_PE),
            ],
        ),
    )
    write(
        "phish-onenote-attachment.eml",
        message(
            "Contracts <contracts@bid-portal.example>",
            "legal@northwind-energy.com",
            "Contract Q3 for review",
            "Fri, 05 Jul 2024 13:00:00 +0000",
            "<q3c@bid-portal.example>",
            "46.161.27.151",
            "Open the attached notebook and double-click to view the contract.\n",
            [("Contract_Q3.one", "application/octet-stream", ONENOTE)],
        ),
    )
    write(
        "phish-pdf-javascript.eml",
        message(
            "Secure Fax <fax@efax-delivery.example>",
            "c.davis@northwind-energy.com",
            "Fax received: 3 pages",
            "Mon, 08 Jul 2024 14:00:00 +0000",
            "<fax-771@efax-delivery.example>",
            "5.42.92.180",
            "You have a new fax. See the attached PDF.\n",
            [
                (
                    "Fax_3pages.pdf",
                    "application/pdf",
                    pdf(
                        [
                            "<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [5 0 R] >>",
                            "<< /S /JavaScript /JS (app.alert\\('inert fixture'\\);) >>",
                            "<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] /A << /S /URI "
                            "/URI (https://fax-view.efax-delivery.example/doc/771) >> >>",
                        ]
                    ),
                )
            ],
        ),
    )
    write(
        "phish-rtlo-filename.eml",
        message(
            "Purchasing <po@supplier-orders.example>",
            "purchasing@northwind-energy.com",
            "Purchase order 4471",
            "Tue, 09 Jul 2024 15:00:00 +0000",
            "<po4471@supplier-orders.example>",
            "80.66.88.204",
            "Purchase order attached.\n",
            [("PO_4471_\u202efdp.scr", "application/octet-stream", INERT_PE)],
        ),
    )
    write(
        "ham-internal-report-pdf.eml",
        message(
            "Ruth Okoye <r.okoye@northwind-energy.com>",
            "Margaret Hale <m.hale@northwind-energy.com>",
            "Q2 production report",
            "Wed, 10 Jul 2024 16:00:00 +0000",
            "<q2report.44@northwind-energy.com>",
            "10.0.0.21",
            "Margaret,\n\nThe Q2 production report is attached. Output was up 4% on Q1.\n\nRuth\n",
            [
                (
                    "Q2_Production_Report.pdf",
                    "application/pdf",
                    pdf(
                        [
                            "<< /Type /Catalog /Pages 2 0 R >>",
                            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                            "<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (Q2 report) Tj ET\nendstream",
                        ]
                    ),
                )
            ],
            auth="dkim=pass header.d=northwind-energy.com header.s=sel1; dmarc=pass header.from=northwind-energy.com",
        ),
    )
    write(
        "ham-colleague-zip-logs.eml",
        message(
            "Tom Nguyen <t.nguyen@northwind-energy.com>",
            "Ana Reyes <a.reyes@northwind-energy.com>",
            "Pump station logs, week 27",
            "Thu, 11 Jul 2024 17:00:00 +0000",
            "<logs27.91@northwind-energy.com>",
            "10.0.0.22",
            "Ana,\n\nLogs for the three pump stations are in the zip.\n\nTom\n",
            [
                (
                    "pump_logs_w27.zip",
                    "application/zip",
                    zip_bytes(
                        {
                            "station_a.csv": b"time,pressure_bar\n2024-07-01T00:00,41.2\n" * 50,
                            "station_b.csv": b"time,pressure_bar\n2024-07-01T00:00,39.8\n" * 50,
                        }
                    ),
                )
            ],
            auth="dkim=pass header.d=northwind-energy.com header.s=sel1; dmarc=pass header.from=northwind-energy.com",
        ),
    )
    deep = [
        "Return-Path: <bomb@nest.example>",
        f"Received: from nest.example (unknown [203.0.113.66]) by {MX} (Postfix) with ESMTP id 4V0X "
        "for <o.king@northwind-energy.com>; Fri, 12 Jul 2024 18:00:00 +0000",
        "From: Archive <bomb@nest.example>",
        "To: o.king@northwind-energy.com",
        "Subject: Nested document",
        "Date: Fri, 12 Jul 2024 18:00:00 +0000",
        "Message-ID: <nest-45@nest.example>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="n0"',
        "",
    ]
    depth = 45
    for level in range(1, depth):
        deep += [f"--n{level - 1}", f'Content-Type: multipart/mixed; boundary="n{level}"', ""]
    deep += [f"--n{depth - 1}", "Content-Type: text/plain", "", "inner text"]
    for level in range(depth - 1, -1, -1):
        deep.append(f"--n{level}--")
    write("phish-deep-nesting.eml", ("\r\n".join(deep) + "\r\n").encode())


if __name__ == "__main__":
    main()
