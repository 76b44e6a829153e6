"""The trained alternative to the OSINT wording for CASIE's three types, kept as a record.

    python bench/osint_sentence_classifier.py [--osint ../shared/osint]

A sentence classifier (TF-IDF word 1-2-grams + logistic regression, one per type) trained on
CASIE sentences labelled by the annotators' trigger nuggets; an article has a type when one of
its sentences scores above 0.5 and is not a hypothetical statement (the extractor's
``not_an_event`` wording). Prints document-level F1 per type for: grouped 7-fold
cross-validation on the 560 dev articles (blocks of 80 by file number), training on dev and
testing on the 240 held-out articles, and training on dev plus the odd half of the held-out
articles and testing on the even half. docs/benchmarks.md says why it was not adopted: it is
no better than the wording on Databreach where the wording falls short.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from seawall.osint.extract import lexicon, sentences

TYPES = ("Phishing", "Databreach", "Ransom")


class Corpus:
    """Sentences of some CASIE articles with the types their nuggets give them."""

    def __init__(self, files: list[str]) -> None:
        self.sentences: list[str] = []
        self.article: list[int] = []
        self.labels: list[set[str]] = []
        self.gold: list[set[str]] = []
        hypothetical = lexicon().not_event
        for number, name in enumerate(files):
            data = json.loads(Path(name).read_text(encoding="utf-8"))
            text = data["content"]
            nuggets = [
                (event["nugget"]["startOffset"], event["subtype"])
                for hopper in data.get("cyberevent", {}).get("hopper", [])
                for event in hopper["events"]
            ]
            self.gold.append({kind for _, kind in nuggets})
            position = 0
            for sentence in sentences(text):
                start = text.find(sentence[:40], position)
                start = position if start < 0 else start
                position = start
                self.sentences.append(sentence)
                self.article.append(number)
                self.labels.append(
                    {kind for offset, kind in nuggets if start <= offset < start + len(sentence)}
                )
        self.hypothetical = np.array([bool(hypothetical.search(s)) for s in self.sentences])
        self.article_of = np.array(self.article)


def _fit_score(
    train: Corpus, train_rows: np.ndarray, test: Corpus, test_rows: np.ndarray, kind: str
) -> np.ndarray:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    features = vectorizer.fit_transform([train.sentences[i] for i in train_rows])
    target = np.array([kind in train.labels[i] for i in train_rows])
    model = LogisticRegression(C=4, max_iter=3000, class_weight="balanced").fit(features, target)
    return np.asarray(model.predict_proba(vectorizer.transform([test.sentences[i] for i in test_rows]))[:, 1])


def _document_f1(corpus: Corpus, rows: np.ndarray, scores: np.ndarray, kind: str) -> str:
    flagged = {
        int(corpus.article_of[i])
        for i, s in zip(rows, scores, strict=True)
        if s > 0.5 and not corpus.hypothetical[i]
    }
    articles = sorted({int(corpus.article_of[i]) for i in rows})
    tp = sum(1 for a in articles if a in flagged and kind in corpus.gold[a])
    fp = sum(1 for a in articles if a in flagged and kind not in corpus.gold[a])
    fn = sum(1 for a in articles if a not in flagged and kind in corpus.gold[a])
    return f"{2 * tp / max(2 * tp + fp + fn, 1):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--osint", default=str(Path(__file__).resolve().parents[2] / "shared" / "osint"))
    args = parser.parse_args()
    files = sorted(
        glob.glob(str(Path(args.osint) / "casie" / "annotation" / "*.json")), key=lambda f: int(Path(f).stem)
    )
    if len(files) < 800:
        sys.exit(f"CASIE annotations not found under {args.osint}")
    dev, held_out = Corpus(files[:560]), Corpus(files[560:])
    mixed_train, even = Corpus(files[:560] + files[560:][1::2]), Corpus(files[560:][0::2])
    print("document F1 of the sentence classifier:", "  ".join(f"{k:>10}" for k in TYPES))
    row = []
    for kind in TYPES:
        scores = np.zeros(len(dev.sentences))
        blocks = dev.article_of // 80
        for block in range(7):
            train_rows, test_rows = np.where(blocks != block)[0], np.where(blocks == block)[0]
            scores[test_rows] = _fit_score(dev, train_rows, dev, test_rows, kind)
        row.append(_document_f1(dev, np.arange(len(dev.sentences)), scores, kind))
    print(f"{'grouped 7-fold CV on dev':<38}", "  ".join(f"{v:>10}" for v in row))
    for label, train, test in (
        ("trained on dev, held-out", dev, held_out),
        ("trained on dev + odd held-out, even", mixed_train, even),
    ):
        train_rows, test_rows = np.arange(len(train.sentences)), np.arange(len(test.sentences))
        row = [
            _document_f1(test, test_rows, _fit_score(train, train_rows, test, test_rows, k), k) for k in TYPES
        ]
        print(f"{label:<38}", "  ".join(f"{v:>10}" for v in row))


if __name__ == "__main__":
    main()
