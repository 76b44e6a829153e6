"""Build Outlook .msg files for intake tests, with extract-msg's own OleWriter.

Only the properties extract-msg needs to read a message back are written: message class,
subject, body, sender, transport headers, recipients and attachments. Test-only.
"""

from __future__ import annotations

import io
import struct

from extract_msg import OleWriter


def _text(value: str) -> bytes:
    return value.encode("utf-16-le")


def build_msg(
    headers: str,
    subject: str,
    body: str,
    sender: str,
    sender_name: str,
    recipients: list[tuple[str, str]],
    attachments: list[tuple[str, bytes]],
) -> bytes:
    writer = OleWriter()
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", data=b"")
    counts = struct.pack("<IIII", len(recipients), len(attachments), len(recipients), len(attachments))
    writer.addEntry("__properties_version1.0", data=b"\x00" * 8 + counts + b"\x00" * 8)
    writer.addEntry("__substg1.0_001A001F", data=_text("IPM.Note"))
    writer.addEntry("__substg1.0_0037001F", data=_text(subject))
    writer.addEntry("__substg1.0_1000001F", data=_text(body))
    writer.addEntry("__substg1.0_0C1F001F", data=_text(sender))
    writer.addEntry("__substg1.0_0C1A001F", data=_text(sender_name))
    writer.addEntry("__substg1.0_007D001F", data=_text(headers))
    for index, (name, address) in enumerate(recipients):
        storage = f"__recip_version1.0_#{index:08X}"
        writer.addEntry(storage, storage=True)
        writer.addEntry(f"{storage}/__properties_version1.0", data=b"\x00" * 8)
        writer.addEntry(f"{storage}/__substg1.0_3001001F", data=_text(name))
        writer.addEntry(f"{storage}/__substg1.0_39FE001F", data=_text(address))
    for index, (filename, data) in enumerate(attachments):
        storage = f"__attach_version1.0_#{index:08X}"
        writer.addEntry(storage, storage=True)
        attach_by_value = struct.pack("<IIi4x", 0x37050003, 6, 1)
        writer.addEntry(f"{storage}/__properties_version1.0", data=b"\x00" * 8 + attach_by_value)
        writer.addEntry(f"{storage}/__substg1.0_3707001F", data=_text(filename))
        writer.addEntry(f"{storage}/__substg1.0_37010102", data=data)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
