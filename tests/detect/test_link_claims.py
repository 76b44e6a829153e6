"""What a message claims through its links, subject and replies, read the way mail clients and
web servers mean them: a server program is no download, a brand named as a topic is no claim
to be it, and a reply that carries its original is no fake reply."""

from __future__ import annotations

from email.message import EmailMessage

from seawall.config import Settings
from seawall.detect.engine import load_rules
from seawall.detect.features import FeatureContext, Features, extract_features
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message


def analysed(subject: str, text: str, html: str = "") -> Features:
    message = EmailMessage()
    message["From"] = "Energy Briefing <news@energy-briefing.example>"
    message["To"] = "analyst@petroco-energy.com"
    message["Subject"] = subject
    message["Message-ID"] = "<20011129.1@energy-briefing.example>"
    message["X-Mailer"] = "Microsoft Outlook, Build 10.0.2627"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    return extract_features(parsed, FeatureContext.from_settings(Settings()))


def dangerous_files(href: str) -> list[str]:
    features = analysed("Your itinerary", "Details below.", f'<p><a href="{href}">View it</a></p>')
    return [str(hit.value) for hit in features.get("link.dangerous_file", [])]


def test_a_server_program_called_with_a_query_is_not_a_download() -> None:
    # IIS ISAPI extensions and CGI programs answer with a page (2001 receipts and eBay listings)
    assert dangerous_files("http://expedia.com/pub/agent.dll?qscr=ewvs&itid=22713974") == []
    assert dangerous_files("http://cgi.ebay.com/ws/eBayISAPI.dll?ViewItem&item=1566539449") == []
    assert dangerous_files("http://www.classifieds2000.com/cgi-cls/ad.exe?P61+C18+DeleteAd") == []


def test_a_program_on_a_host_of_the_readers_own_network_is_not_a_payload() -> None:
    assert dangerous_files("http://nahou-dmagn01p/ena/livelink.exe?func=ll.login&username=guest") == []
    assert dangerous_files("http://fileserver/tools/setup.exe") == []


def test_a_program_file_is_still_a_download_with_or_without_a_query() -> None:
    assert dangerous_files("http://download.example-viewer.com/imageviewer.exe") == ["exe"]
    assert dangerous_files("https://cdn.discordapp.com/attachments/1/2/Invoice.exe?ex=65a&is=65b") == ["exe"]
    assert dangerous_files("https://files.example-share.net/update.dll") == ["dll"]


def brand_claims(subject: str, body: str) -> tuple[list[str], list[str]]:
    html = f"<p>{body}</p><p><a href='https://energy-briefing.example/read/42'>Read more</a></p>"
    features = analysed(subject, body, html)
    return (
        [f"{hit.value}@{hit.where}" for hit in features.get("link.brand_mismatch", [])],
        [str(hit.value) for hit in features.get("link.brand_mismatch_claimed", [])],
    )


def test_a_brand_named_as_the_topic_of_the_body_is_not_claimed() -> None:
    seen, claimed = brand_claims(
        "Transmission Study Now Available",
        "Our study of western transmission was built with Microsoft Excel models; order it today.",
    )
    assert seen == ["Microsoft@body"] and claimed == []


def test_a_brand_named_in_the_subject_is_claimed() -> None:
    seen, claimed = brand_claims("Microsoft account: verify your mailbox", "Your mailbox is almost full.")
    assert seen == ["Microsoft@subject"] and claimed == ["Microsoft"]
    rule = load_rules([]).by_id()["brand-mentioned-links-elsewhere"]
    assert rule.kind == "deception"


def fake_reply(text: str) -> bool:
    return "subject.fake_reply" in analysed("RE: Big Sandy Delivery Point Agreement", text)


def test_a_reply_carrying_its_original_is_not_a_fake_reply() -> None:
    outlook = (
        "Kim, the revised draft is attached.\n\n"
        "-----Original Message-----\nFrom: Watson, Kimberly\nSent: Tuesday, November 27, 2001 9:14 AM\n"
        "To: Ketcherside, Lynn\nSubject: Big Sandy Delivery Point Agreement\n\nLynn, any news?\n"
    )
    german = "Danke!\n\nVon: Anna Schmidt\nGesendet: Dienstag, 27. November 2001 09:14\nAn: Lynn\n"
    quoted = "Agreed.\n\n> Can we sign on Friday?\n"
    assert not fake_reply(outlook) and not fake_reply(german) and not fake_reply(quoted)


def test_a_reply_with_nothing_it_answers_is_a_fake_reply() -> None:
    assert fake_reply("Please find the invoice we discussed at the link below and settle it today.")


def test_a_quoted_line_is_someone_elses_words_and_no_lure() -> None:
    quoted = "My set-up decrypts it fine.\n\n> When I receive a gpg encrypted message, it asks twice.\n"
    assert "text.document_lure" not in analysed("Re: exmh bug?", quoted)
    above = "Your encrypted message is waiting: open it here.\n\n> Thanks for the call.\n"
    assert "text.document_lure" in analysed("Re: exmh bug?", above)


def sender_features(sender: str, href: str) -> Features:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "harry.arora@petroco-energy.com"
    message["Subject"] = "Bill Pay - New E-Bill"
    message["Message-ID"] = "<20011231.1@example>"
    message.set_content(f"A new e-bill has arrived: {href}\n")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    return extract_features(parsed, FeatureContext.from_settings(Settings()))


def test_a_brand_wrapping_sender_whose_links_are_all_the_brands_is_no_lookalike() -> None:
    own = sender_features("Yahoo! Alerts <alerts-finance@yahoo-inc.com>", "http://alerts.yahoo.com/bills/1")
    assert "from.lookalike" not in own
    assert str(own["from.brand_wrapped_linking_brand"][0].value).startswith("yahoo.")
    elsewhere = sender_features("Yahoo! Alerts <alerts-finance@yahoo-inc.com>", "http://bills-pay.example/1")
    assert "from.lookalike" in elsewhere and "from.brand_wrapped_linking_brand" not in elsewhere
    # nor does its display name claiming that brand deceive, when every link is the brand's
    assert "from.display_name_brand" not in own
    assert [h.value for h in elsewhere["from.display_name_brand"]] == ["Yahoo"]
    # a homoglyph of the brand stays a lookalike whatever it links to
    typo = sender_features("Microsoft <billing@micros0ft.com>", "https://account.microsoft.com/billing")
    assert "from.lookalike" in typo


def newsletter_verdict(tracker: str) -> tuple[str | None, list[str]]:
    """A German retailer's voucher newsletter whose every link runs through ``tracker``."""
    from seawall.detect.detector import Detector

    message = EmailMessage()
    message["From"] = "Beispiel Shop <newsletter@beispiel-shop.de>"
    message["To"] = "kundin@example.org"
    message["Subject"] = "Nur heute: Ihr 10 € Gutschein wartet"
    message["Message-ID"] = "<20240702090000.4711@mail.beispiel-shop.de>"
    text = (
        "Hallo Maria, herzlichen Glückwunsch: Sie haben einen Gutschein im Wert von 10 € erhalten! "
        "Lösen Sie ihn bis Sonntag in unserem Shop ein."
    )
    message.set_content(text)
    message.add_alternative(
        f"<p>{text}</p><p><a href='{tracker}/AbCdEf123'>Jetzt einlösen</a></p>"
        f"<p><a href='{tracker}/QwErTy456'>Newsletter abbestellen</a></p>",
        subtype="html",
    )
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("n.eml")), Limits())
    analysis = Detector(Settings(), use_model=False).analyse(parsed)
    return analysis.verdict.label, [m.rule.id for m in analysis.matches]


def test_a_newsletter_through_a_european_mail_platform_is_no_lure_from_a_stranger() -> None:
    # Emarsys's and CleverReach's click trackers hide the destination, as Mailchimp's do: the
    # sender's links are not "someone else's" (these newsletters were labelled phishing)
    for tracker in ("https://suite8.emarsys.net/u/nrd.php?p=", "https://121070.seu2.cleverreach.com/c"):
        label, rules = newsletter_verdict(tracker)
        assert label != "phishing" and "lure-from-unverified-sender" not in rules, tracker
    # the same voucher behind a stranger's domain is still a lure from someone else
    label, rules = newsletter_verdict("https://gutschein-einloesen.example-deals.shop/r")
    assert "lure-from-unverified-sender" in rules and label == "phishing"


def unrelated_links(sender: str, links: list[str]) -> bool:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "j.doe@petroco-energy.com"
    message["Subject"] = "Your password expires in 5 days"
    message.set_content("Change it before it expires.")
    message.add_alternative("".join(f"<p><a href='{link}'>Open</a></p>" for link in links), subtype="html")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    return "link.unrelated_to_sender" in extract_features(parsed, FeatureContext.from_settings(Settings()))


def test_links_to_a_brands_own_sign_in_pages_are_not_a_strangers_site() -> None:
    it = '"IT Service Desk" <it-servicedesk@petroco-energy.com>'
    # the organisation's IT sends staff to Microsoft's real self-service reset
    assert not unrelated_links(it, ["https://passwordreset.microsoftonline.com/"])
    # where anyone can publish on a brand's domain, the page is someone's, not the brand's
    assert unrelated_links(it, ["https://petroco-my.sharepoint.com/:b:/g/personal/reset.pdf"])
    assert unrelated_links(it, ["https://storage.googleapis.com/bucket-7731/reset.html"])
    # one link to a stranger's site and the links are unexplained again
    assert unrelated_links(
        it, ["https://passwordreset.microsoftonline.com/", "https://m365-reset.example.net/"]
    )
