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

Then the same for a document classifier (TF-IDF over the whole article, C=16) used as a second
opinion beside the wording: an article has a type when the wording mentions it or the
classifier's probability is above 0.7 (the rule chosen by 5-fold cross-validation on dev).

Last, on dev only (grouped 7-fold cross-validation), the sentence classifier as a veto on the
wording: a sentence the wording finds counts only when the classifier's probability is at
least t, for several t.
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

from seawall.osint.extract import lexicon, operation_mention, sentences

TYPES = ("Phishing", "Databreach", "Ransom")
OURS = {"Phishing": "phishing", "Databreach": "data theft", "Ransom": "ransomware"}


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
        self.texts = [json.loads(Path(name).read_text(encoding="utf-8"))["content"] for name in files]
        worded: list[set[str]] = [set() for _ in files]
        for number, sentence in zip(self.article, self.sentences, strict=True):
            mention = operation_mention(sentence)
            if mention is not None:
                worded[number].update(k for k in TYPES if OURS[k] in mention.types)
        self.worded = worded
        """The types the wording finds in each article (every mention, as bench/osint.py scores)."""


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


def _document_scores(
    train: Corpus, train_docs: np.ndarray, test: Corpus, test_docs: np.ndarray, kind: str
) -> np.ndarray:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english")
    features = vectorizer.fit_transform([train.texts[i] for i in train_docs])
    target = np.array([kind in train.gold[i] for i in train_docs])
    model = LogisticRegression(C=16, max_iter=3000, class_weight="balanced").fit(features, target)
    return np.asarray(model.predict_proba(vectorizer.transform([test.texts[i] for i in test_docs]))[:, 1])


def _second_opinion_f1(corpus: Corpus, docs: np.ndarray, scores: np.ndarray, kind: str) -> str:
    flagged = [kind in corpus.worded[d] or s > 0.7 for d, s in zip(docs, scores, strict=True)]
    gold = [kind in corpus.gold[d] for d in docs]
    tp = sum(f and g for f, g in zip(flagged, gold, strict=True))
    fp = sum(f and not g for f, g in zip(flagged, gold, strict=True))
    fn = sum(g and not f for f, g in zip(flagged, gold, strict=True))
    return f"{2 * tp / max(2 * tp + fp + fn, 1):.3f}"


def document_classifier(dev: Corpus, held_out: Corpus) -> None:
    print("document F1, wording or document classifier:", "  ".join(f"{k:>10}" for k in TYPES))
    docs = np.arange(len(dev.texts))
    row = []
    for kind in TYPES:
        scores = np.zeros(len(docs))
        for fold in range(5):
            test_docs = docs[docs % 5 == fold]
            scores[test_docs] = _document_scores(dev, docs[docs % 5 != fold], dev, test_docs, kind)
        row.append(_second_opinion_f1(dev, docs, scores, kind))
    print(f"{'5-fold CV on dev':<38}", "  ".join(f"{v:>10}" for v in row))
    test_docs = np.arange(len(held_out.texts))
    row = [
        _second_opinion_f1(held_out, test_docs, _document_scores(dev, docs, held_out, test_docs, k), k)
        for k in TYPES
    ]
    print(f"{'trained on dev, held-out':<38}", "  ".join(f"{v:>10}" for v in row))


def veto(dev: Corpus) -> None:
    print(
        "document F1, wording vetoed below t, grouped 7-fold CV on dev:", "  ".join(f"{k:>10}" for k in TYPES)
    )
    mentions = [operation_mention(sentence) for sentence in dev.sentences]
    thresholds = (0.0, 0.1, 0.2, 0.3, 0.4)
    table: dict[float, list[str]] = {t: [] for t in thresholds}
    blocks = dev.article_of // 80
    for kind in TYPES:
        worded = np.array([m is not None and not m.capability and OURS[kind] in m.types for m in mentions])
        scores = np.zeros(len(dev.sentences))
        for block in range(7):
            train_rows, test_rows = np.where(blocks != block)[0], np.where(blocks == block)[0]
            scores[test_rows] = _fit_score(dev, train_rows, dev, test_rows, kind)
        gold = [kind in g for g in dev.gold]
        for t in thresholds:
            flagged = {int(dev.article_of[i]) for i in np.where(worded & (scores >= t))[0]}
            tp = sum(1 for a, g in enumerate(gold) if g and a in flagged)
            fp = sum(1 for a, g in enumerate(gold) if not g and a in flagged)
            table[t].append(f"{2 * tp / max(2 * tp + fp + sum(gold) - tp, 1):.3f}")
    for t, row in table.items():
        print(f"{'t = ' + str(t):<38}", "  ".join(f"{v:>10}" for v in row))


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
    document_classifier(dev, held_out)
    veto(dev)


if __name__ == "__main__":
    main()
