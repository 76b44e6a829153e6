"""A minimal VBA project (vbaProject.bin) and macro-enabled Word file, for test fixtures.

Builds the MS-OVBA structures oletools reads: the PROJECT stream, the compressed ``dir``
stream with one standard module, and the module's compressed source, in a compound file
written by extract-msg's OleWriter. No library builds VBA projects, hence this module;
compression uses only literal tokens (valid MS-OVBA, just not smaller). Test-only.
"""

from __future__ import annotations

import io
import struct
import zipfile

from extract_msg import OleWriter


def compress(data: bytes) -> bytes:
    """MS-OVBA CompressedContainer holding ``data`` as literal tokens only."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 3640):
        chunk = data[start : start + 3640]
        body = bytearray()
        for offset in range(0, len(chunk), 8):
            body.append(0x00)  # flag byte: the next eight tokens are literals
            body.extend(chunk[offset : offset + 8])
        size = len(body) + 2
        header = ((size - 3) & 0x0FFF) | (0b011 << 12) | 0x8000
        out.extend(struct.pack("<H", header))
        out.extend(body)
    return bytes(out)


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def dir_stream(module: str) -> bytes:
    name = b"VBAProject"
    mod = module.encode("ascii")
    mod16 = module.encode("utf-16-le")
    parts = [
        _record(0x0001, struct.pack("<I", 1)),  # SYSKIND win32
        _record(0x0002, struct.pack("<I", 0x409)),  # LCID
        _record(0x0014, struct.pack("<I", 0x409)),  # LCIDINVOKE
        _record(0x0003, struct.pack("<H", 1252)),  # CODEPAGE
        _record(0x0004, name),  # NAME
        _record(0x0005, b"") + struct.pack("<HI", 0x0040, 0),  # DOCSTRING + unicode
        _record(0x0006, b"") + struct.pack("<HI", 0x003D, 0),  # HELPFILEPATH 1 and 2
        _record(0x0007, struct.pack("<I", 0)),  # HELPCONTEXT
        _record(0x0008, struct.pack("<I", 0)),  # LIBFLAGS
        struct.pack("<HIIH", 0x0009, 4, 1, 0),  # VERSION (reserved=4, major, minor)
        _record(0x000C, b"") + struct.pack("<HI", 0x003C, 0),  # CONSTANTS + unicode
        struct.pack("<HIH", 0x000F, 2, 1),  # PROJECTMODULES: one module
        _record(0x0013, struct.pack("<H", 0xFFFF)),  # PROJECTCOOKIE
        _record(0x0019, mod),  # MODULENAME
        _record(0x0047, mod16),  # MODULENAMEUNICODE
        _record(0x001A, mod) + struct.pack("<HI", 0x0032, len(mod16)) + mod16,  # STREAMNAME
        _record(0x001C, b"") + struct.pack("<HI", 0x0048, 0),  # DOCSTRING
        _record(0x0031, struct.pack("<I", 0)),  # MODULEOFFSET: source starts at 0
        _record(0x001E, struct.pack("<I", 0)),  # HELPCONTEXT
        _record(0x002C, struct.pack("<H", 0xFFFF)),  # COOKIE
        struct.pack("<HI", 0x0021, 0),  # MODULETYPE procedural
        struct.pack("<HI", 0x002B, 0),  # module terminator
        struct.pack("<HI", 0x0010, 0),  # dir terminator
    ]
    return b"".join(parts)


def vba_project(source: str, module: str = "Module1") -> bytes:
    """vbaProject.bin bytes with one standard module holding ``source``."""
    project = (
        'ID="{3F1C2B4A-5D6E-4F70-8192-A3B4C5D6E7F8}"\r\n'
        f"Module={module}\r\n"
        'Name="VBAProject"\r\nHelpContextID="0"\r\nVersionCompatible32="393222000"\r\n'
        'CMG="0"\r\nDPB="0"\r\nGC="0"\r\n\r\n[Host Extender Info]\r\n'
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000\r\n"
    ).encode("ascii")
    code = f'Attribute VB_Name = "{module}"\r\n{source}'.encode("cp1252")
    writer = OleWriter()
    writer.addEntry("VBA", storage=True)
    writer.addEntry("VBA/_VBA_PROJECT", data=bytes.fromhex("cc61ffff000000"))
    writer.addEntry("VBA/dir", data=compress(dir_stream(module)))
    writer.addEntry(f"VBA/{module}", data=compress(code))
    writer.addEntry("PROJECT", data=project)
    writer.addEntry(
        "PROJECTwm", data=module.encode() + b"\x00" + module.encode("utf-16-le") + b"\x00\x00\x00\x00"
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docm(source: str, text: str = "Enable content to view this document.") -> bytes:
    """A macro-enabled Word document whose vbaProject.bin holds ``source``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
        archive.writestr("word/vbaProject.bin", vba_project(source))
    return buffer.getvalue()
