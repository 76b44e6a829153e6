"""What the OSINT tests share: the origin story of the project, read once."""

from __future__ import annotations

import pytest

from seawall.osint.articles import Article, read_articles
from tests.conftest import REPO

ORIGIN = REPO.parent / "shared" / "osint" / "articles" / "sputnik-2019-06-us-iran-cyber-attacks.txt"


@pytest.fixture(scope="session")
def origin_article() -> Article:
    if not ORIGIN.is_file():
        pytest.skip("../shared/osint/articles is absent")
    (article,) = read_articles(ORIGIN)
    return article
