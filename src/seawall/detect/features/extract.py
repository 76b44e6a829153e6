"""One message in, its features out: the sender, links and content readers in order, then the
checks that need all of them (a brand wrap linking its brand, a name that spells its links)."""

from __future__ import annotations

from seawall.detect.features.catalogue import Features
from seawall.detect.features.content import (
    _FAKE_REPLY,
    _INVISIBLE,
    _answers_something,
    _attachments,
    _html,
    _language,
)
from seawall.detect.features.context import FeatureContext, _Collector, _restricted_registry, _tld
from seawall.detect.features.links import _links
from seawall.detect.features.sender import (
    _EMAIL_IN_TEXT,
    _EXPORT_HEADERS,
    _VIA_LIST,
    _authentication,
    _brand_wrap_linking_brand,
    _contains_sequence,
    _is_list_address,
    _mixed_script,
    _name_and_links_agree,
    _names_related,
    _recipient_protected,
    _same_government,
    generated_label,
    random_strings,
    styled_letters,
)
from seawall.detect.lexicon import normalise_words
from seawall.mail.domains import domain_label, email_domain, registered_domain
from seawall.mail.headers import angle_stripped
from seawall.mail.model import ParsedMessage

STYLED_LETTERS = 3
"""Mathematical letters (``styled_letters``) that make a subject or a name styled: one 𝟏 may be
a formula, a word of them is written to be seen and not matched."""


def extract_features(message: ParsedMessage, context: FeatureContext) -> Features:
    """Compute every feature of one message (the only place features are computed)."""
    out = _Collector()
    add = out.add
    sender = message.from_
    from_domain = sender.domain if sender else ""
    from_reg = registered_domain(from_domain) if from_domain else ""

    recipient_domains = frozenset(
        d
        for d in (registered_domain(a.domain) for a in message.recipients if a.domain)
        if d and d not in context.freemail
    )
    # Configured domains are ours; recipients' domains are only protected against lookalikes.
    own_domains = context.own_domains
    protected_domains = own_domains | recipient_domains if context.protect_recipient_domains else own_domains
    recipient_set = (
        _recipient_protected(
            frozenset(recipient_domains - context.brands.static.owners.keys()),
            context.brands.static.generic_labels,
        )
        if context.protect_recipient_domains and recipient_domains
        else None
    )

    def lookalike(domain: str, host: str = "") -> tuple[str, str] | None:
        found = context.brands.static.check(domain, host)
        if found is None and recipient_set is not None and domain not in protected_domains:
            found = recipient_set.check(domain, host)
        if found is None:
            return None
        return found.imitates, found.kind

    # -- sender ---------------------------------------------------------------------------
    if sender is None or "@" not in sender.address:
        add("from.missing", True, "header:From")
        written = next((h.value for h in message.headers if h.name.lower() == "from"), "").strip()
        if written:
            # something is shown as the sender, and nothing can be checked ('"Facebook" <>')
            add("from.name_without_address", written[:120], "header:From")
    else:
        add("from.address", sender.address, "header:From")
        add("from.domain", from_domain, "header:From")
        add("from.registered_domain", from_reg, "header:From")
        if message.from_count > 1:
            add("from.multiple", message.from_count, "header:From")
        if sender.name_apart:
            add("from.name_apart_from_address", sender.display_name[:120], "header:From")
        is_own = from_reg in own_domains
        external = not is_own
        if is_own:
            add("from.own_domain", from_reg, "header:From")
        freemail = from_reg in context.freemail
        if freemail:
            add("from.freemail", from_reg, "header:From")
        # gmail.com is Google's, but a gmail.com sender is anyone: the brand is not speaking.
        owner = None if freemail else context.brands.static.owner_of(from_reg)
        if owner:
            add("from.brand_domain", owner, "header:From")
        sender_tld = _tld(from_reg)
        if sender_tld in context.suspicious_tlds:
            add("from.suspicious_tld", sender_tld, "header:From")
        if generated_label(domain_label(from_reg)):
            add("from.generated_domain", from_reg, "header:From")
        registry = _restricted_registry(from_domain, context.restricted_registries)
        if registry:
            add("from.restricted_registry", registry, "header:From")
        if from_domain.startswith("xn--") or ".xn--" in from_domain:
            add("from.punycode", from_domain, "header:From")
        imitation = lookalike(from_reg, from_domain)
        if imitation:
            add("from.lookalike", imitation[0], f"header:From ({imitation[1]})")
        name = sender.display_name
        if name:
            add("from.display_name", name, "header:From")
            words = normalise_words(name)
            for brand, keyword in context.brands.claimed_brands(words):
                if brand is context.brands.organisation:
                    if external:
                        add("from.display_name_own_org", keyword, "header:From")
                elif from_reg not in brand.domains and not _same_government(registry, brand.domains, context):
                    # (a government body named from its government's own registry is that
                    # government speaking: "HMRC" <noreply@tax.service.gov.uk>; nobody else can
                    # register under gov.uk)
                    add("from.display_name_brand", brand.name, "header:From")
            if external:
                for executive in context.executives:
                    if _contains_sequence(words, executive):
                        add("from.display_name_executive", " ".join(executive), "header:From")
                role = context.lexicon.it_role(words)
                # Outside which organisation? Without configured domains only a role the
                # address does not carry claims someone else's IT ("IT Support"
                # <user@hotel.id>); "NOI Administrator" <admin@networksonline.com> is theirs.
                # No IT department writes from webmail.
                # Without configured domains, the reader's own domain is the organisation's: an
                # HR or IT role writing from it ("Ressources humaines" <rh@example.org> to
                # maria@example.org) is that organisation's own; a forgery of it is for the
                # authentication rules to catch.
                internal = not own_domains and from_reg in recipient_domains
                if (
                    role
                    and not internal
                    and (own_domains or freemail or not _names_related(name, sender.address))
                ):
                    add("from.display_name_it_role", role, "header:From")
            for match in _EMAIL_IN_TEXT.finditer(name):
                shown = registered_domain(match.group(1).lower())
                if shown and shown != from_reg:
                    add("from.display_name_address", match.group(0).lower(), "header:From")
            if not name.isascii() and _mixed_script(name):
                add("from.display_name_mixed_script", name, "header:From")
            if styled_letters(name) >= STYLED_LETTERS:
                add("from.display_name_styled", name, "header:From")
            via = _VIA_LIST.search(name)
            if via and _is_list_address(via.group(1), sender.address):
                add("from.list_rewrite", name, "header:From")
            elif not via and not freemail and not _names_related(name, sender.address):
                # (a webmail account's owner picks any handle: "Marcus" <patchvonbraun@gmail.com>)
                add("from.display_name_unrelated", name, "header:From")
        if message.sender is not None and message.sender.domain:
            sender_reg = registered_domain(message.sender.domain)
            if sender_reg and sender_reg != from_reg:
                add("sender.diverges", sender_reg, "header:Sender")
        for reply in message.reply_to:
            reply_reg = registered_domain(reply.domain) if reply.domain else ""
            if reply_reg and reply_reg != from_reg:
                add("reply_to.diverges", reply_reg, "header:Reply-To")
                if reply_reg in context.freemail and from_reg not in context.freemail:
                    add("reply_to.freemail", reply_reg, "header:Reply-To")
                reply_imitation = lookalike(reply_reg, reply.domain)
                if reply_imitation:
                    add("reply_to.lookalike", reply_imitation[0], f"header:Reply-To ({reply_imitation[1]})")
        if message.return_path:
            rp_reg = registered_domain(email_domain(message.return_path))
            if rp_reg and rp_reg != from_reg:
                add("return_path.diverges", rp_reg, "header:Return-Path")

    # A message that kept no header beyond From, To, Subject, Date and MIME (an export, a
    # forwarded report) has lost what its sender wrote: what is missing then says nothing.
    exported = all(header.name.lower() in _EXPORT_HEADERS for header in message.headers)
    if not message.message_id:
        if not exported:
            add("message_id.missing", True, "header:Message-ID")
    elif sender is not None and from_reg:
        mid_domain = email_domain(message.message_id)
        mid_reg = registered_domain(mid_domain) if mid_domain else ""
        if (
            mid_reg
            and mid_reg != from_reg
            and mid_reg not in context.mail_platforms
            and mid_domain not in context.mail_platforms
        ):
            add("message_id.domain_mismatch", mid_reg, "header:Message-ID")
    if not message.date:
        add("date.missing", True, "header:Date")

    subject = message.subject
    if subject:
        add("subject.text", subject, "subject")
        if (
            not exported
            and _FAKE_REPLY.match(subject)
            and not message.header("In-Reply-To")
            and not message.header("References")
            # A list server answering a command quotes it ("> subscribe ...") without threading
            # headers, and a reply exported without them (a mailbox export, a forwarded report)
            # still carries its original; a fake "RE:" lure has nothing it answers.
            and not _answers_something(message.visible_text)
        ):
            add("subject.fake_reply", subject[:80], "subject")
        salted = random_strings(subject)
        if salted:
            add("subject.random_string", salted[0], "subject")
        if not subject.isascii():
            if _mixed_script(subject):
                add("subject.mixed_script", subject[:120], "subject")
            if _INVISIBLE.search(subject):
                add("subject.invisible_chars", len(_INVISIBLE.findall(subject)), "subject")
            if styled_letters(subject) >= STYLED_LETTERS:
                add("subject.styled_letters", subject[:120], "subject")

    if message.header("In-Reply-To") or message.header("References"):
        add("thread.reply", True, "header:In-Reply-To")
    list_id = message.header("List-Id")
    if list_id:
        add("list.id", list_id[:200], "header:List-Id")
        list_domain = registered_domain(angle_stripped(list_id).split("@")[-1].strip(".").lower())
        # Mailing lists rewrite From to the list address (DMARC mitigation) and put the poster
        # in Reply-To: ordinary list traffic, not a diverted conversation.
        if from_reg and (list_domain == from_reg or from_reg in list_id.lower()):
            add("list.from_is_list", from_reg, "header:List-Id")
    recipients = message.recipients
    add("recipients.count", len(recipients), "header:To")
    visible = [r for r in recipients if r.address and (sender is None or r.address != sender.address)]
    if not visible:
        add("recipients.undisclosed", True, "header:To")

    _authentication(message, context, from_reg, add)
    _links(message, context, protected_domains, lookalike, add)
    _brand_wrap_linking_brand(out.features, context.brands.static)
    _name_and_links_agree(out.features, context.brands)
    _html(message, add)
    _attachments(message, add)
    _language(message, context, add, out.features)
    for defect in message.defects:
        add("defect", defect.kind, f"part:{defect.part}" if defect.part else "message")
    return out.features
