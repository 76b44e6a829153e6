"""Every feature name and what it means: the vocabulary rules are written in (``FEATURES``), and
the hit a feature keeps for each place it was found."""

from __future__ import annotations

import msgspec

FeatureValue = str | int | float | bool


class Hit(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One occurrence of a feature: its value and where in the message it was found."""

    feature: str
    value: FeatureValue
    where: str


Features = dict[str, list[Hit]]


FEATURES: dict[str, str] = {
    # sender
    "from.address": "the From address",
    "from.domain": "the From domain",
    "from.registered_domain": "the registered domain of the From address",
    "from.display_name": "the From display name",
    "from.missing": "no usable From address",
    "from.name_without_address": "From shows a sender but holds no address (value: the header as written)",
    "from.multiple": "more than one From address",
    "from.name_apart_from_address": "From's name set apart from its address by a comma (value: the name)",
    "from.freemail": "From is a free webmail address",
    "from.own_domain": "From uses one of the organisation's (or recipients') own domains",
    "from.brand_domain": "From uses a protected brand's own domain, not its webmail (value: brand)",
    "from.suspicious_tld": "From is under a top-level domain with high abuse rates (value: tld)",
    "from.restricted_registry": "From is under a government-only registry such as .gov (value: suffix)",
    "from.display_name_brand": "display name claims a protected brand the sender is not (value: brand)",
    "from.display_name_own_org": "display name claims the organisation while the sender is external",
    "from.display_name_executive": "display name is one of the organisation's executives; sender external",
    "from.display_name_it_role": "display name claims an IT / mail-system role; sender external",
    "from.display_name_address": "display name holds an address of another domain (value: that address)",
    "from.display_name_mixed_script": "display name mixes Latin with Cyrillic or Greek letters",
    "from.display_name_styled": "display name is written in mathematical letters (𝐁𝐨𝐥𝐝, 𝓈𝒸𝓇𝒾𝓅𝓉)",
    "from.generated_domain": "From's domain name reads as machine-generated (value: domain)",
    "from.list_rewrite": "display name 'X via List': a mailing list rewrote From (DMARC mitigation)",
    "from.display_name_unrelated": "display name names nobody its (non-webmail) address does",
    "from.lookalike": "From domain imitates a protected domain (value: imitated domain; where: kind)",
    "from.display_name_names_links": "the display name spells the site every link goes to (value: the names)",
    "from.brand_wrapped_linking_brand": "From wraps a brand's name in other words, but every link is "
    "that brand's own (value: brand's domain)",
    "from.punycode": "From domain is internationalised (xn--)",
    "sender.diverges": "Sender header domain differs from From",
    "reply_to.diverges": "Reply-To registered domain differs from From (value: Reply-To domain)",
    "reply_to.freemail": "Reply-To is free webmail while From is not",
    "reply_to.lookalike": "Reply-To domain imitates a protected domain",
    "return_path.diverges": "Return-Path registered domain differs from From",
    "message_id.missing": "no Message-ID",
    "message_id.domain_mismatch": "Message-ID domain unrelated to From, not a mail platform (value: it)",
    "date.missing": "no Date header",
    "subject.text": "the subject",
    "subject.fake_reply": "subject says RE:/FW: but no In-Reply-To or References header",
    "subject.mixed_script": "subject words mix Latin with Cyrillic or Greek letters",
    "subject.invisible_chars": "subject contains zero-width or bidi control characters",
    "subject.random_string": "subject carries a random string of mixed letters and digits (copies differ)",
    "subject.styled_letters": "subject is written in mathematical letters (𝐁𝐨𝐥𝐝, 𝓈𝒸𝓇𝒾𝓅𝓉) that match no word",
    "thread.reply": "the message answers another (In-Reply-To or References present)",
    "recipients.count": "number of To and Cc recipients",
    "list.id": "the List-Id header (mailing-list traffic)",
    "list.from_is_list": "From is the mailing list's own address (list rewriting, DMARC mitigation)",
    "recipients.undisclosed": "no visible recipient, or only the sender",
    # authentication (only from trusted authserv-ids)
    "auth.trusted": "a trusted Authentication-Results header is present",
    "auth.spf": "SPF result from a trusted receiver (value: pass, fail, softfail...)",
    "auth.dkim": "DKIM result from a trusted receiver",
    "auth.dmarc": "DMARC result from a trusted receiver",
    "auth.dmarc_policy": "the From domain's published DMARC policy as the receiver reports it (none...)",
    "auth.arc": "ARC result from a trusted receiver",
    "auth.aligned_pass": "DMARC pass, or DKIM pass aligned with the From domain, from a trusted receiver",
    # links
    "link.url": "every link URL",
    "link.domain": "the registered domain of every link",
    "link.count": "number of links",
    "link.domain_count": "number of distinct link domains",
    "link.text_domain_mismatch": "anchor text shows one domain, href goes to another ('shown -> real')",
    "link.ip_literal": "link to a bare IP address",
    "link.ip_literal_hidden": "link to a bare IP address hidden from the reader (anchor text, brand in path)",
    "link.shortener": "link through a URL shortener",
    "link.free_hosting": "link to free hosting, a site builder, form service or tunnel",
    "link.punycode": "link host is internationalised (xn--)",
    "link.lookalike": "link domain imitates a protected domain",
    "link.userinfo": "URL with user@ before the host (http://paypal.com@evil.example)",
    "link.escaped_host": "a link's host is written in percent escapes (value: the URL)",
    "link.suspicious_tld": "link under a top-level domain with high abuse rates",
    "link.nonstandard_port": "http(s) link with an explicit unusual port",
    "link.dangerous_file": "link path ends in an executable or script extension (value: extension)",
    "link.data_uri": "data: link (content carried inside the mail)",
    "link.javascript_uri": "javascript: link",
    "link.ipfs": "link to an IPFS gateway or ipfs:// URL",
    "link.recipient_in_url": "a recipient's address (plain or base64) inside a URL",
    "link.recipient_in_fragment": "a recipient's address (plain or base64) after # (phishing-kit pre-fill)",
    "link.brand_mismatch": "a brand named in the text, links to none of its domains (value: brand)",
    "link.brand_mismatch_claimed": "the subject names a brand whose domains no link leads to (value: brand)",
    "link.brand_mismatch_signed": (
        "the writer signs as a brand (copyright owner, signing team) whose domains no link leads to"
        " (value: brand)"
    ),
    "link.tracked": "link through an ESP click tracker whose destination is not in the URL (value: tracker)",
    "link.unrelated_to_sender": "no link leads to a domain related to the sender's",
    # html
    "html.password_form": "HTML with a password field (where: body or attachment)",
    "html.form_external": "HTML form posting to an external http(s) address",
    "html.smuggling": "script that assembles a file in the browser (Blob / data URI + download)",
    "html.obfuscated_script": "script using eval / unescape / atob / fromCharCode",
    "html.script_redirect": "script or meta refresh sending the reader elsewhere",
    "html.hidden_text_chars": "characters of hidden words the reader does not also see",
    "html.status_bar_spoof": "links whose event handlers fake the status bar's address (value: how many)",
    "html.tiny_text_chars": "characters of text in zero or one-pixel fonts",
    "html.image_only": "almost no visible text, but images and a link",
    # attachments
    "attachment.count": "number of attachments (including archive members)",
    "attachment.name": "every attachment file name",
    "attachment.extension": "every attachment extension (where: its path)",
    "attachment.sniffed_type": "every attachment's real MIME type",
    "attachment.double_extension": "name like invoice.pdf.exe",
    "attachment.type_mismatch": "declared extension disagrees with the real type (value: 'ext -> type')",
    "attachment.rtlo": "file name with bidi override characters",
    "attachment.encrypted_archive": "password-protected archive",
    "attachment.archive_password_in_body": "encrypted archive, password in the body (value: password)",
    "attachment.in_archive_extension": "extension of a file inside an archive",
    "attachment.macros": "Office document with VBA macros",
    "attachment.macro_autoexec": "macro runs itself on open (value: trigger)",
    "attachment.macro_suspicious": "macro uses a suspicious call (value: keyword)",
    "attachment.pdf_risky": "PDF with JavaScript, launch actions or embedded files (value: name)",
    "attachment.html": "HTML or SVG attachment",
    "attachment.is_message": "attached e-mail message",
    # language
    "text.language": "language of the visible text (en, de, pt, fr, nl, es, unknown)",
    "text.length": "characters of visible text",
    "text.urgency": "urgency or deadline language (where: subject/body; value: phrase)",
    "text.credential_request": "asks to verify, confirm or re-enter credentials",
    "text.account_threat": "threatens suspension or reports suspicious activity",
    "text.payment_request": "asks for a transfer or announces changed bank details",
    "text.gift_card": "asks for gift cards",
    "text.secrecy": "asks for availability or secrecy (CEO-fraud opening)",
    "text.generic_greeting": "addresses the reader as 'dear customer'",
    "text.document_lure": "a shared document, fax or voicemail waiting",
    "text.delivery_lure": "a parcel held, a delivery or customs fee",
    "text.prize_lure": "a prize, refund or reward to claim",
    "text.extortion": "claims of a hacked device or recorded video, demands for bitcoin",
    "text.brand": "a protected brand named in the subject or text (value: brand)",
    # parse
    "defect": "a parse defect (value: kind)",
}
