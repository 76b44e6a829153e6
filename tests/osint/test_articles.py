"""Reading reporting: text, CASIE's tagged articles, HTML, RSS, PDF; sentences and dates; hostile files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawall.cli import app
from seawall.osint.articles import Article, clean_text, read_articles
from seawall.osint.dates import resolve
from seawall.osint.events import extract_events
from seawall.osint.sentences import MAX_SENTENCE_CHARS, sentences

runner = CliRunner()


def test_casie_tagged_articles_are_titled_dated_and_addressed_without_their_tags(tmp_path: Path) -> None:
    path = tmp_path / "10001.txt"
    path.write_text(
        "<title>Police probe into data breach at Crosshouse</title>\n"
        "<source> https://www.irvinetimes.com/news/17212754 </source>\n"
        "<date> 2018_11_09 </date>\n"
        "<text>\nPOLICE have launched an investigation after patients had their details accessed.\n"
        "The breach came from within the Radiology Information System.\n</text>\n",
        encoding="utf-8",
    )
    (article,) = read_articles(path)
    assert article.title == "Police probe into data breach at Crosshouse"
    assert article.published == "2018-11-09"
    assert article.url == "https://www.irvinetimes.com/news/17212754"
    assert article.text.startswith("POLICE have launched") and article.text.endswith("System.")
    assert "<" not in article.title + article.text


@pytest.mark.parametrize(
    "opening",
    [
        "<title>WSJ: How a Michigan Utility Got Hacked with Ransomware\n",  # no closing tag
        '<title data-react-helmet="true">WSJ: How a Michigan Utility Got Hacked with Ransomware</title>\n',
    ],
)
def test_a_tagged_article_with_an_unclosed_or_attributed_title_keeps_its_fields_apart(
    tmp_path: Path, opening: str
) -> None:
    path = tmp_path / "69.txt"
    path.write_text(
        opening + "<source> https://example.com/wsj-michigan </source>\n<date> 2017_1_5 </date>\n"
        "<text>\nThe ransomware was delivered via a phishing attack.\n</text>\n",
        encoding="utf-8",
    )
    (article,) = read_articles(path)
    assert article.title == "WSJ: How a Michigan Utility Got Hacked with Ransomware"
    assert article.url == "https://example.com/wsj-michigan" and article.published == "2017-01-05"
    assert article.text == "The ransomware was delivered via a phishing attack."


def test_no_control_character_of_an_article_reaches_its_events(tmp_path: Path) -> None:
    # an escape sequence (C0 or C1) in scraped text would reach the analyst's terminal
    # through the events' evidence and titles
    path = tmp_path / "2022-07-18.txt"
    path.write_text(
        "Albania \x1b]0;pwned\x07 hacked\n\n"
        "Hackers from Iran \u009b31m attacked the ministry of finance of Albania \x1b[31m in 2022.\n",
        encoding="utf-8",
    )
    (article,) = read_articles(path)
    assert not any((0 <= ord(c) < 32 and c not in "\n\t\x0c") or 0x7F <= ord(c) <= 0x9F for c in article.text)
    assert "\x1b" not in article.title
    (event,) = extract_events(article)
    assert event.attacker_countries == ["IR"] and "AL" in event.victim_countries
    assert all("\x1b" not in e.sentence and "\u009b" not in e.sentence for e in event.evidence)


def test_sentence_splitting_keeps_abbreviations_and_paragraphs() -> None:
    assert sentences("The U.S. said so. Hackers from Iran attacked.\nA new line") == [
        "The U.S. said so.",
        "Hackers from Iran attacked.",
        "A new line",
    ]


def test_origin_story_article_text_is_clean(origin_article: Article) -> None:
    assert origin_article.title.startswith("US, Iran Engage in Tit-For-Tat Cyber Attacks")
    assert origin_article.outlet == "Sputnik International"
    assert origin_article.published == "2019-06"
    text = origin_article.text
    assert "CrowdStrike and FireEye" in text and "Stuxnet virus" in text
    for furniture in (
        "Newsfeed",
        "log in or register",
        "To participate in the discussion",
        "Subscribe",
        "Заголовок",
    ):
        assert furniture not in text
    assert "Get the latest news" not in text


def test_html_page_goes_through_trafilatura_without_its_furniture(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        """<!doctype html><html><head><title>Hackers hit Saudi oil giant</title>
        <meta property="og:site_name" content="Gulf Tribune">
        <meta property="article:published_time" content="2017-08-15T09:00:00Z"></head><body>
        <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe</a></nav>
        <article><h1>Hackers hit Saudi oil giant</h1>
        <p>Iranian hackers attacked Saudi Aramco with the Shamoon wiper in 2012, destroying data on
        thousands of computers, according to investigators cited by the New York Times.</p>
        <p>The company restored its network within weeks and said production was not affected by the
        attack on its office computers.</p></article>
        <div class="comments">Log in to comment. 12 comments</div>
        <p lang="ru">Подпишитесь на наш канал</p></body></html>""",
        encoding="utf-8",
    )
    (article,) = read_articles(page)
    assert article.outlet == "Gulf Tribune" and article.published.startswith("2017-08-15")
    assert "Shamoon" in article.text and "comment" not in article.text.lower()
    assert "Подпишитесь" not in article.text and "Subscribe" not in article.text
    (event,) = [e for e in extract_events(article) if e.attacker_countries]
    assert event.attacker_countries == ["IR"] and event.victim_countries == ["SA"]
    assert "oil-and-gas" not in event.victim_sectors or event.victim_sectors
    assert event.date is not None and event.date.start == "2012-01-01"
    assert "The New York Times" in {s.name for s in event.sources} or "New York Times" in {
        s.name for s in event.sources
    }


def test_rss_feed_gives_one_article_per_item(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Cyber Desk</title>
        <item><title>DDoS hits Estonian banks</title><link>https://example.org/1</link>
        <pubDate>Mon, 30 Apr 2007 10:00:00 GMT</pubDate>
        <description>Russian hackers launched DDoS attacks against Estonian banks and government
        websites on Friday.</description></item>
        <item><title>Weather</title><link>https://example.org/2</link>
        <pubDate>Tue, 01 May 2007 10:00:00 GMT</pubDate>
        <description>Sunny all week.</description></item></channel></rss>""",
        encoding="utf-8",
    )
    articles = read_articles(feed)
    assert [a.outlet for a in articles] == ["Cyber Desk", "Cyber Desk"]
    (event,) = extract_events(articles[0])
    assert event.attacker_countries == ["RU"] and event.victim_countries == ["EE"]
    assert "denial of service" in event.types and event.date is not None and event.date.start == "2007-04-27"
    assert extract_events(articles[1]) == []


def test_a_hostile_feed_reads_no_local_file_and_expands_no_entity_bomb(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    xxe = tmp_path / "xxe.rss"
    xxe.write_text(
        f"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>
        <rss version="2.0"><channel><title>t</title><item><title>Iranian hackers</title>
        <description>Iranian hackers breached US agencies. &x;</description></item></channel></rss>"""
    )
    laughs = "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' if n else '<!ENTITY l0 "lol">' for n in range(10)
    )
    bomb = tmp_path / "bomb.rss"
    bomb.write_text(
        f"""<?xml version="1.0"?><!DOCTYPE r [{laughs}]>
        <rss version="2.0"><channel><title>t</title><item><title>x</title>
        <description>&l9;</description></item></channel></rss>"""
    )
    (article,) = read_articles(xxe)
    assert "TOP-SECRET-MARKER" not in article.text and "Iranian hackers breached" in article.text
    (exploded,) = read_articles(bomb)
    assert len(exploded.text) < 1000  # 10**9 "lol"s were never built


def test_a_pdf_vendor_report_is_read_without_its_page_furniture(tmp_path: Path) -> None:
    from tests.support.pdf import make_pdf

    header = "TLP:CLEAR  Example Threat Report"
    pages = [
        [
            header,
            "APT33, an Iranian threat group, sent spear-phishing emails to em-",
            "ployees of US oil and gas companies in June 2019, according to",
            "FireEye.",
            "Page 1 of 2",
        ],
        [header, "The emails carried links to fake job offers at energy firms.", "Page 2 of 2"],
    ]
    report = tmp_path / "report.pdf"
    report.write_bytes(
        make_pdf(pages, title="Iranian phishing", author="Example Labs", created="D:20190625120000Z")
    )
    [article] = read_articles(report)
    assert article.published == "2019-06-25" and article.outlet == "Example Labs"
    assert "employees of US oil and gas" in article.text  # the hyphenated line break is rejoined
    assert "TLP:CLEAR" not in article.text and "Page 1" not in article.text
    [event] = extract_events(article)
    assert event.attacker_countries == ["IR"] and event.victim_countries == ["US"]
    assert "oil-and-gas" in event.victim_sectors and event.types == ["phishing"]
    assert event.date is not None and event.date.start == "2019-06-01"
    assert {s.name for s in event.sources} >= {"FireEye", "Example Labs"}


def test_a_broken_pdf_is_skipped_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a-broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R" + b"[" * 5000)
    (folder / "b-good.txt").write_text(
        "Iranian hackers targeted US government agencies with phishing emails in June 2019."
    )
    result = runner.invoke(app, ["osint", "ingest", str(folder)], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert "a-broken.pdf: skipped: not a readable PDF" in result.output
    stored = runner.invoke(app, ["osint", "events", "--format", "json"]).stdout.splitlines()
    assert len(stored) == 1


def test_a_pdf_decompression_bomb_is_refused_with_its_reason(tmp_path: Path) -> None:
    import zlib

    from seawall.osint.articles import PdfReportError
    from tests.support.pdf import make_pdf

    page = make_pdf([["Iranian hackers targeted US agencies with phishing emails in June 2019."]])
    packer = zlib.compressobj(9)
    bomb = b"".join(packer.compress(b" " * (1 << 20)) for _ in range(300)) + packer.flush()  # 300 MB
    start = page.index(b"<< /Length")
    end = page.index(b"endstream", start) + len(b"endstream")
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream"
    report = tmp_path / "bomb.pdf"
    report.write_bytes(page[:start] + stream + page[end:])
    assert report.stat().st_size < 1_000_000
    with pytest.raises(PdfReportError, match="not a readable PDF"):
        read_articles(report)


def test_unreadable_articles_are_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 400)
    (tmp_path / "broken.html").write_bytes(b"<html><body><div><p>unclosed " + b"<div>" * 5000)
    (tmp_path / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss><channel><item><title>x")
    result = runner.invoke(app, ["osint", "ingest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["osint", "events", "--format", "json"]).stdout == ""


def test_an_oversized_or_crashing_file_is_skipped_and_the_rest_ingested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seawall.osint.articles as articles

    folder = tmp_path / "articles"
    folder.mkdir()
    good = "Iranian hackers targeted US government agencies with phishing emails in June 2019."
    (folder / "a-good.txt").write_text(good)
    (folder / "b-huge.txt").write_bytes(b"x" * 2048)
    (folder / "c-poison.txt").write_text("POISON " + good)
    monkeypatch.setattr(articles, "MAX_ARTICLE_BYTES", 1024)
    real = articles.clean_text

    def clean_or_crash(raw: str) -> tuple[str, str, str]:
        if raw.startswith("POISON"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(raw)

    monkeypatch.setattr(articles, "clean_text", clean_or_crash)
    result = runner.invoke(app, ["osint", "ingest", str(folder)], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert "b-huge.txt: skipped: 2,048 bytes" in result.output
    assert "c-poison.txt: skipped: RecursionError" in result.output
    stored = [
        json.loads(line)
        for line in runner.invoke(app, ["osint", "events", "--format", "json"]).stdout.splitlines()
    ]
    assert len(stored) == 1 and stored[0]["attacker_countries"] == ["IR"]


def test_dates_resolve_against_the_publication_date() -> None:
    saturday = resolve("The US launched a cyberattack against Iran on Saturday.", date(2019, 6, 23), "day")
    assert saturday is not None and saturday.start == "2019-06-22" and saturday.precision == "day"
    may = resolve("the president granted it new powers earlier in May", date(2019, 6, 23), "day")
    assert may is not None and (may.start, may.end) == ("2019-05-01", "2019-05-31")
    year = resolve("In 2010, Iran was hit by the Stuxnet virus.", date(2019, 6, 23), "day")
    assert year is not None and (year.start, year.precision) == ("2010-01-01", "year")
    december = resolve("hackers struck in December", date(2019, 6, 23), "day")
    assert december is not None and december.start == "2018-12-01"
    vague = resolve("on Saturday", date(2019, 6, 1), "month")
    assert vague is not None and vague.precision == "month"
    assert resolve("no date here", date(2019, 6, 23), "day") is None
    # the time of what came before or after the operation is not its time
    after = "It was the Cyber Command's first operation after the president granted it powers in May."
    assert resolve(after, date(2019, 6, 23), "day") is None
    # a span of weekdays in an article known only to its month stays the month
    vague_span = resolve(
        "The attacks began on Saturday and continued through Monday.", date(2019, 6, 1), "month"
    )
    assert vague_span is not None and (vague_span.start, vague_span.precision) == ("2019-06-01", "month")
    # the day of the report is not the day of the operation
    accused = resolve(
        "The FBI on Friday formally accused North Korea of the hack of Sony Pictures last month.",
        date(2014, 12, 20),
        "day",
    )
    assert accused is not None and (accused.start, accused.precision) == ("2014-11-01", "month")
    said = resolve("Officials said on Tuesday that the hackers struck on Sunday.", date(2019, 6, 23), "day")
    assert said is not None and said.start == "2019-06-23"


@pytest.mark.parametrize(
    ("sentence", "start", "end", "precision"),
    [
        ("The campaign ran between 2017 and 2021.", "2017-01-01", "2021-12-31", "year"),
        ("APT33 was active from 2014 to 2018.", "2014-01-01", "2018-12-31", "year"),
        ("From March to May 2019, APT33 targeted energy firms.", "2019-03-01", "2019-05-31", "month"),
        ("Between November and February 2019 the wiper spread.", "2018-11-01", "2019-02-28", "month"),
        ("The outage lasted June 20-24, 2019.", "2019-06-20", "2019-06-24", "day"),
        ("The attacks began on June 20 and continued through June 23.", "2019-06-20", "2019-06-23", "day"),
        ("Phishing peaked in Q3 2018.", "2018-07-01", "2018-09-30", "month"),
        ("In the first half of 2018 the group changed tools.", "2018-01-01", "2018-06-30", "month"),
        ("The clinic was hit during the week of 27 February 2023.", "2023-02-27", "2023-03-05", "week"),
        ("The group has been active since at least 2014.", "2014-01-01", "2019-06-24", "year"),
        ("Since March, Iranian hackers have targeted US agencies.", "2019-03-01", "2019-06-24", "month"),
        ("Earlier this month the hackers struck.", "2019-06-01", "2019-06-24", "month"),
        ("Last month the hackers struck.", "2019-05-01", "2019-05-31", "month"),
        # two dates that are not a span stay the first one
        (
            "In 2010 Iran was hit by Stuxnet and in 2012 Saudi Aramco by Shamoon.",
            "2010-01-01",
            "2010-12-31",
            "year",
        ),
    ],
)
def test_date_ranges_resolve_to_their_whole_span(sentence: str, start: str, end: str, precision: str) -> None:
    found = resolve(sentence, date(2019, 6, 24), "day")
    assert found is not None and (found.start, found.end, found.precision) == (start, end, precision)


def test_a_hostile_run_of_capitals_or_abbreviations_is_cut_into_bounded_sentences() -> None:
    import time

    for run in ("Aa " * 30_000, "U.S. " * 30_000):
        text = f"Russian hackers breached {run}servers."
        assert max(len(s) for s in sentences(text)) <= MAX_SENTENCE_CHARS
        started = time.monotonic()
        extract_events(Article(id="h", published="2019-06-01", text=text))
        # quadratic patterns took minutes on such runs before they were cut
        assert time.monotonic() - started < 60


def test_clean_text_drops_widgets_and_other_scripts() -> None:
    title, outlet, body = clean_text(
        "- Daily Wire\nHome\nMenu\nHackers breach city hall in major attack\n"
        "Hackers breached the city hall network and stole payroll records of every employee last week.\n"
        "Comments\n0\nПодписаться на рассылку новостей\n"
    )
    assert outlet == "Daily Wire" and title == "Hackers breach city hall in major attack"
    assert body.startswith("Hackers breached") and "Подписаться" not in body and "Comments" not in body


def test_a_text_file_opening_with_a_short_line_of_its_own_is_titled_by_it(tmp_path: Path) -> None:
    # as a person or a tracker's export writes an article: a short title, a blank line, the text
    path = tmp_path / "2013-09-16-belgacom.txt"
    path.write_text("Belgacom hack\n\nHackers broke into Belgacom's network.\n", encoding="utf-8")
    (article,) = read_articles(path)
    assert article.title == "Belgacom hack" and article.text == "Hackers broke into Belgacom's network."
    assert extract_events(article), "an article of one short sentence is read, not skipped"


def test_pathological_markup_is_read_without_a_quadratic_parse(tmp_path: Path) -> None:
    """Issue 19: a tag of 200,000 attributes and a feed entry of 200,000 escaped <div> took
    minutes; they are read (the story kept) without parsing the markup they are made of.
    bench/hostile_osint.py times them through the command."""
    story = "Iranian hackers linked to APT33 targeted US energy companies in June 2019."
    attributes = " ".join(f'data-a{n}="{n}"' for n in range(200_000))
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><p {attributes}>{story}</p></body></html>")
    feed = tmp_path / "feed.atom"
    feed.write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        "<entry><title>APT33</title><updated>2019-06-20T00:00:00Z</updated>"
        f'<content type="html">{"&lt;div&gt;" * 200_000}{story}</content></entry></feed>'
    )
    for path in (page, feed):
        (article,) = read_articles(path)
        assert story in article.text and "data-a" not in article.text and "<div>" not in article.text


def test_an_endless_article_is_cut_to_a_bounded_text_and_operation_count() -> None:
    from seawall.osint.articles import MAX_ARTICLE_TEXT_CHARS, _make
    from seawall.osint.events import MAX_OPERATION_SENTENCES, _operations

    story = "Iranian hackers linked to APT33 targeted US energy companies with spear-phishing. "
    article = _make(story * (MAX_ARTICLE_TEXT_CHARS // len(story) + 10), title="", path="x.txt")
    assert len(article.text) == MAX_ARTICLE_TEXT_CHARS
    assert len(_operations(article)[0]) == MAX_OPERATION_SENTENCES


def test_an_endless_title_is_cut_to_a_headline() -> None:
    from seawall.osint.articles import MAX_TITLE_CHARS, _make

    # a headline is parsed whole: 66,000 characters of one took 11 s, growing faster than that
    article = _make(
        "Hackers breached the ministry.", title="Hackers from Russia hacked Iran. " * 20_000, path="x"
    )
    assert len(article.title) == MAX_TITLE_CHARS
    assert extract_events(article)
