"""The parsed-message model on real-looking mail: headers, addresses, authentication, bodies,
links, attachments and defects."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message
from tests.conftest import fixture_path


def parse(text: str | bytes, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    data = text.encode("utf-8") if isinstance(text, str) else text
    raw = RawMessage.from_bytes(data, Origin("test.eml"))
    return parse_message(raw, limits or Limits())


HEADERS = """\
Received: from mx.example.org (mx.example.org [192.0.2.1])
\tby mailstore.example.org (Postfix) with ESMTPS id AAA
\tfor <bob@example.org>; Mon, 3 Jun 2024 10:00:05 +0000
Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=sender.example;
\tdkim=pass header.d=sender.example header.s=s1 (good signature);
\tdmarc=pass (p=reject) header.from=sender.example
ARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.i=@sender.example
Received: from out.sender.example (out.sender.example [203.0.113.5])
\tby mx.example.org (Postfix) with ESMTP id BBB; Mon, 3 Jun 2024 10:00:01 +0000
From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Sender.Example>
Sender: bulk@mailer.example
Reply-To: "Support, Team" <help@sender.example>, other@elsewhere.example
Return-Path: <bounce@bounces.sender.example>
To: Bob <bob@example.org>, "Doe, Jane" <jane@example.org>
Cc: carol@example.org
Subject: =?utf-8?b?UmVjaG51bmcgZsO8ciBKdW5p?=
Date: Mon, 3 Jun 2024 12:00:00 +0200
Message-ID: <abc.123@sender.example>
MIME-Version: 1.0
"""


def test_headers_addresses_and_dates_are_decoded() -> None:
    message = parse(HEADERS + "Content-Type: text/plain; charset=utf-8\n\nHallo Bob\n")
    assert message.subject == "Rechnung für Juni"
    assert message.from_ is not None
    assert message.from_.display_name == "Jürgen Müller"
    assert message.from_.address == "juergen@sender.example"
    assert message.from_.domain == "sender.example"
    assert message.sender is not None and message.sender.address == "bulk@mailer.example"
    assert [a.address for a in message.reply_to] == ["help@sender.example", "other@elsewhere.example"]
    assert message.reply_to[0].display_name == "Support, Team"
    assert message.return_path == "bounce@bounces.sender.example"
    assert [a.address for a in message.to] == ["bob@example.org", "jane@example.org"]
    assert message.to[1].display_name == "Doe, Jane"
    assert [a.address for a in message.cc] == ["carol@example.org"]
    assert message.message_id == "abc.123@sender.example"
    assert message.timestamp == 1717408800.0
    assert message.text == "Hallo Bob"


def test_authentication_results_and_received_chain() -> None:
    message = parse(HEADERS + "Content-Type: text/plain\n\nx\n")
    plain = [a for a in message.auth_results if a.arc_instance is None]
    assert len(plain) == 1
    results = {r.method: r for r in plain[0].results}
    assert plain[0].authserv_id == "mx.example.org"
    assert results["spf"].result == "pass"
    assert results["spf"].properties["smtp.mailfrom"] == "sender.example"
    assert results["dkim"].properties["header.d"] == "sender.example"
    assert results["dmarc"].result == "pass"
    assert results["dmarc"].properties["policy.published"] == "reject"  # from the comment
    arc = [a for a in message.auth_results if a.arc_instance is not None]
    assert arc[0].arc_instance == 1 and arc[0].authserv_id == "mx.google.com"
    assert [r.by_host for r in message.received] == ["mailstore.example.org", "mx.example.org"]
    assert message.received[1].from_ip == "203.0.113.5"
    assert message.received[1].protocol == "ESMTP"
    assert message.received[0].timestamp == 1717408805.0


def test_microsoft_authentication_results_without_authserv_id() -> None:
    message = parse(
        "Authentication-Results: spf=fail (sender IP is 198.51.100.2)\n"
        " smtp.mailfrom=evil.example; dkim=none (message not signed)\n"
        " header.d=none;dmarc=fail action=none header.from=bank.example;compauth=fail reason=001\n"
        "From: a@evil.example\nSubject: x\n\nbody\n"
    )
    header = message.auth_results[0]
    assert header.authserv_id == ""
    assert {r.method: r.result for r in header.results} == {
        "spf": "fail",
        "dkim": "none",
        "dmarc": "fail",
        "compauth": "fail",
    }
    dmarc = next(r for r in header.results if r.method == "dmarc")
    assert dmarc.properties["policy.published"] == "none"  # Microsoft's action=none


def test_dmarc_policy_from_gmail_comment_and_microsoft_action() -> None:
    gmail = parse(
        "Authentication-Results: mx.google.com;\n"
        "       dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=example.org\n"
        "From: a@example.org\nSubject: x\n\nbody\n"
    )
    microsoft = parse(
        "Authentication-Results: spf=fail smtp.mailfrom=evil.example;"
        " dmarc=fail action=oreject header.from=bank.example\n"
        "From: a@bank.example\nSubject: x\n\nbody\n"
    )
    unstated = parse(
        "Authentication-Results: mx.example.org; dmarc=fail header.from=example.org\n"
        "From: a@example.org\nSubject: x\n\nbody\n"
    )
    policies = [
        next(r for r in m.auth_results[0].results if r.method == "dmarc").properties.get("policy.published")
        for m in (gmail, microsoft, unstated)
    ]
    assert policies == ["none", "reject", None]


HTML_MESSAGE = """From: Shop <news@shop.example>
To: bob@example.org
Subject: Offers
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

See https://shop.example/offers (today only).

--alt
Content-Type: text/html; charset=utf-8

<html><head><title>Offers</title><style>p {color: red}</style><script>var x = 1;</script></head>
<body><p>Pass<span>word</span> reset for <b>Bob</b></p>
<div style="display:none">hidden padding words</div>
<p><a href="https://tracker.example/c?id=1">https://www.paypal.com/signin</a></p>
<map><area href="https://map.example/area" alt="region"></map>
<form action="https://collect.example/post" method="POST"><input type="text" name="user">
<input type="password" name="pass"></form>
<p>Visit www.plain-text-link.example now</p>
</body></html>
--alt--
"""


def test_html_visible_text_links_and_forms() -> None:
    message = parse(HTML_MESSAGE)
    assert message.html is not None
    visible = message.html.visible_text
    assert "Password reset for Bob" in visible  # inline tags do not split words
    assert "hidden padding" not in visible and "var x" not in visible and "color: red" not in visible
    assert message.html.hidden_text == "hidden padding words"
    assert message.html.title == "Offers"
    assert message.html.scripts == ["var x = 1;"]
    form = message.html.forms[0]
    assert form.action == "https://collect.example/post" and form.method == "post"
    assert form.asks_password and form.input_names == ["user", "pass"]
    where = {(link.where, link.url) for link in message.links}
    assert ("html_anchor", "https://tracker.example/c?id=1") in where
    assert ("html_area", "https://map.example/area") in where
    assert ("html_form", "https://collect.example/post") in where
    assert ("text", "https://shop.example/offers") in where
    assert ("text", "www.plain-text-link.example") in where
    anchor = next(link for link in message.links if link.where == "html_anchor")
    assert anchor.text == "https://www.paypal.com/signin"
    assert anchor.host == "tracker.example" and anchor.registered_domain == "tracker.example"
    assert message.text.startswith("See https://shop.example/offers")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_attachments(parts: list[tuple[str, str, bytes]]) -> str:
    body = [
        "From: a@sender.example",
        "To: b@example.org",
        "Subject: files",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="mix"',
        "",
        "--mix",
        "Content-Type: text/plain",
        "",
        "see attached",
    ]
    for name, content_type, data in parts:
        body += [
            "--mix",
            f'Content-Type: {content_type}; name="{name}"',
            f'Content-Disposition: attachment; filename="{name}"',
            "Content-Transfer-Encoding: base64",
            "",
            base64.encodebytes(data).decode(),
        ]
    body.append("--mix--")
    return "\n".join(body) + "\n"


def test_attachments_hashes_sniffed_types_and_archive_members() -> None:
    exe = b"MZ" + b"\x00" * 200
    inner = _zip({"payload.exe": exe})
    outer = _zip({"readme.txt": b"hello", "nested.zip": inner})
    message = parse(
        _with_attachments([("report.pdf", "application/pdf", exe), ("bundle.zip", "application/zip", outer)])
    )
    by_path = {a.path: a for a in message.attachments}
    report = by_path["report.pdf"]
    assert report.declared_type == "application/pdf"
    assert report.sniffed_type in ("application/x-dosexec", "application/vnd.microsoft.portable-executable")
    assert report.sha256 == hashlib.sha256(exe).hexdigest()
    assert report.md5 == hashlib.md5(exe).hexdigest() and report.sha1 == hashlib.sha1(exe).hexdigest()
    assert report.size == len(exe)
    assert by_path["bundle.zip"].is_archive and by_path["bundle.zip"].members == 2
    assert by_path["bundle.zip/nested.zip"].parent == by_path["bundle.zip"].index
    payload = by_path["bundle.zip/nested.zip/payload.exe"]
    assert payload.depth == 2 and payload.sha256 == hashlib.sha256(exe).hexdigest()
    assert by_path["bundle.zip/readme.txt"].text_excerpt == "hello"


def test_attached_message_is_walked_and_its_links_are_kept() -> None:
    message = parse(fixture_path("phish-forwarded-attached-message.eml").read_bytes())
    attached = [a for a in message.attachments if a.is_message]
    assert len(attached) == 1
    assert "tenders@northwlnd-energy.com" in attached[0].text_excerpt
    inner_links = [link for link in message.links if link.source.startswith("attachment:")]
    assert inner_links[0].url == "https://docs.northwlnd-energy.com/tender/0088"
    assert "tender documents" not in message.text.lower().split("forwarding")[0]


def test_encrypted_zip_is_opened_with_the_password_quoted_in_the_body() -> None:
    message = parse(fixture_path("phish-encrypted-zip-password.eml").read_bytes())
    archive = next(a for a in message.attachments if a.filename == "Invoice_0711.zip")
    assert archive.encrypted and archive.password_found == "7788"
    member = next(a for a in message.attachments if a.parent == archive.index)
    assert member.filename == "Invoice_0711.js" and member.sha256


def test_office_macros_are_read_by_oletools() -> None:
    message = parse(fixture_path("phish-macro-invoice-docm.eml").read_bytes())
    document = next(a for a in message.attachments if a.filename.endswith(".docm"))
    assert document.office is not None and document.office.has_macros
    assert "AutoOpen" in document.office.autoexec
    assert "CreateObject" in document.office.suspicious


def test_rfc2231_and_encoded_attachment_names_and_path_traversal() -> None:
    text = """From: a@sender.example
To: b@example.org
Subject: names
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf

SGVsbG8=
--m
Content-Type: application/octet-stream; name="=?utf-8?b?Li4vLi4vZXRjL3Bhc3N3ZA==?="
Content-Disposition: attachment

SGVsbG8=
--m--
"""
    names = [a.filename for a in parse(text).attachments]
    assert names == ["Rechnung März.pdf", "passwd"]


def test_limits_become_defects_not_exceptions() -> None:
    message = parse(fixture_path("phish-deep-nesting.eml").read_bytes(), Limits(max_mime_depth=10))
    assert "mime_too_deep" in {d.kind for d in message.defects}
    big = parse(HEADERS + "Content-Type: text/plain\n\n" + "x" * 5000, Limits(max_message_bytes=2000))
    assert "message_too_large" in {d.kind for d in big.defects}
    many = parse(
        _with_attachments([(f"f{i}.txt", "text/plain", b"x") for i in range(30)]), Limits(max_parts=10)
    )
    assert "too_many_parts" in {d.kind for d in many.defects}
