"""The trained model: file format and versioning, training and evaluation commands, analyst
feedback, and the proof that collector fingerprints do not move its probability."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seawall.cli import app
from seawall.config import Settings, settings_from_toml
from seawall.detect.detector import Detector
from seawall.detect.fixtures import analyse_file
from seawall.detect.model import dataset, evaluate, train
from seawall.detect.model.linear import LinearModel, ModelError, default_model_path, load_model
from seawall.detect.model.normalise import VIEWS, evaluation_view, scrub_message, strip_list_tags
from seawall.detect.model.vectorize import FEATURE_VERSION, Hasher, Tokens
from seawall.detect.verdict import combine, label_for, scale_odds
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message
from tests.conftest import RULE_FIXTURES, fixture_path

runner = CliRunner()


@pytest.fixture(scope="module")
def fixture_folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rule fixtures sorted into phish/ and ham/ (a folder-per-label training set)."""
    root = tmp_path_factory.mktemp("labelled")
    for name in ("phish", "ham"):
        (root / name).mkdir()
    for path in RULE_FIXTURES.glob("*.eml"):
        shutil.copy(path, root / ("phish" if path.name.startswith("phish-") else "ham") / path.name)
    return root


def test_the_shipped_model_loads_by_default_and_explains_itself() -> None:
    assert default_model_path().is_file()
    assert default_model_path().stat().st_size < 10 * 1024 * 1024
    model = load_model("")
    assert model is not None and model.metadata["feature_version"] == FEATURE_VERSION
    detector = Detector(Settings())
    verdict = analyse_file(fixture_path("phish-m365-unusual-signin.eml"), detector).verdict
    assert verdict.model_probability is not None and verdict.model_probability > 0.5
    model_line = next(e for e in verdict.evidence if e.rule == "model")
    # What the model saw is said in the features' and rules' own words, never as a hashed token.
    assert model_line.triggers and all(t.feature == "model.saw" for t in model_line.triggers)
    assert all(":" not in str(t.value).split(" (")[0][:3] for t in model_line.triggers)
    assert any("credentials" in str(t.value) for t in model_line.triggers)
    assert "(+" in str(model_line.triggers[0].value)


def test_a_model_of_another_feature_version_is_refused(tmp_path: Path) -> None:
    model = load_model("")
    assert model is not None
    path = tmp_path / "old.npz"
    old = LinearModel(
        model.weights, model.intercept, model.calibration_a, model.calibration_b, {**model.metadata}
    )
    old.save(path)
    with np.load(path) as archive:
        content = dict(archive)
    meta = json.loads(content["metadata"].tobytes())
    meta["feature_version"] = "seawall-model-features/0"
    content["metadata"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **content)
    with pytest.raises(ModelError, match="retrain it with `seawall train`"):
        LinearModel.load(path)
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a Seawall model file"):
        LinearModel.load(tmp_path / "junk.npz")


def test_train_and_eval_commands_on_folders(fixture_folders: Path, tmp_path: Path) -> None:
    output = tmp_path / "model.npz"
    trained = runner.invoke(app, ["train", str(fixture_folders), "-o", str(output), "--no-analyst-labels"])
    assert trained.exit_code == 0, trained.output
    model = LinearModel.load(output)
    assert model.metadata["messages"]["phish"] == len(list((fixture_folders / "phish").glob("*.eml")))
    assert output.stat().st_size < 10 * 1024 * 1024
    evaluated = runner.invoke(app, ["eval", str(fixture_folders), "--split", "campaign", "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)
    assert report["split"] == "campaign" and report["test_messages"] > 0
    assert set(report["overall"]) == {"combined", "model", "rules"}
    assert {"0.1%", "1%"} == set(report["overall"]["combined"]["tpr_at_fpr"])
    table = runner.invoke(app, ["eval", str(fixture_folders), "--split", "campaign"], env={"COLUMNS": "200"})
    assert "TPR@0.1%FPR" in table.stdout and "Confusion matrix" in table.stdout


def test_probability_is_rebased_to_the_configured_phishing_share() -> None:
    model = load_model("")
    assert model is not None
    share = model.training_share
    assert 0.15 < share < 0.3  # all of labels.tsv: 2,603 phish among 13,833 messages
    model.prior = None
    at_training_mix = model.calibrate(0.3)
    model.prior = 0.1
    rebased = model.calibrate(0.3)
    odds = lambda p: p / (1 - p)  # noqa: E731
    expected = (0.1 / 0.9) / (share / (1 - share))
    assert odds(rebased) / odds(at_training_mix) == pytest.approx(expected, rel=1e-6)
    assert rebased < at_training_mix
    # the scan applies the configured share
    settings = settings_from_toml("[model]\nphish_prior = 0.02\n")
    assert Detector(settings).model.prior == 0.02  # type: ignore[union-attr]


def test_legitimacy_scales_the_models_odds_not_its_probability() -> None:
    # A sign of legitimacy tempers a doubtful model and leaves a sure one sure: an attacker who
    # authenticates the domain they registered must not be cleared by that alone.
    assert scale_odds(0.6, 0.3) == pytest.approx(0.45 / 1.45)
    assert scale_odds(0.999, 0.3) > 0.99
    assert scale_odds(0.5, 1.0) == 0.5
    _rules, sure = combine([-20.0], scale_odds(0.999, 0.3))
    _rules, doubtful = combine([-20.0], scale_odds(0.6, 0.3))
    thresholds = Settings().verdict
    assert label_for(sure, thresholds) == "phishing"
    assert label_for(doubtful, thresholds) == "clean"
    # A probability rounded to 1.0 is scaled as 0.999, not left untouched.
    assert scale_odds(1.0, 0.3) == pytest.approx(scale_odds(0.999, 0.3))
    assert scale_odds(1.0, 0.003) < 0.8


_TOKENS_OF_FIXTURES = """
import hashlib, sys
from pathlib import Path
from seawall.config import Settings
from seawall.detect.detector import Detector
from seawall.detect.model.vectorize import message_tokens
from seawall.intake.source import RawMessage
from seawall.mail.parse import parse_message
detector = Detector(Settings(), use_model=False)
for path in sorted(Path(sys.argv[1]).glob("*.eml")):
    message = parse_message(RawMessage.from_bytes(path.read_bytes(), str(path)), Settings().limits)
    analysis = detector.analyse(message)
    tokens = message_tokens(message, analysis.features, [m.rule.id for m in analysis.matches])
    text = hashlib.sha256("|".join(sorted(set(tokens.text))).encode()).hexdigest()[:12]
    print(path.name, text, sorted(set(tokens.meta)))
"""


def test_model_tokens_do_not_depend_on_the_hash_seed() -> None:
    # The documented training command must rebuild the same model: no token may depend on the
    # order of a set (a lookalike of t-mobile.com and t-mobile.de once named either).
    outputs = []
    for seed in ("1", "2"):
        completed = subprocess.run(
            [sys.executable, "-c", _TOKENS_OF_FIXTURES, str(RULE_FIXTURES)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        outputs.append(completed.stdout)
    assert outputs[0].count("\n") >= 40
    assert outputs[0] == outputs[1]


def test_a_token_hashes_to_the_same_bucket_wherever_it_stands() -> None:
    hasher = Hasher(2**19)
    tokens = ["b:invoice", "b:your_account", "c:paŷ", "s:a\x1fb", "", "b:invoice", "b:a\x00"]
    together = hasher.buckets(tokens).tolist()
    alone = [Hasher(2**19).index(token) for token in tokens]  # each hashed on its own
    assert together == alone
    assert together[0] == together[5]
    assert len(set(together[:5])) == 5 and together[6] != hasher.index("b:a")
    assert all(0 <= bucket < 2**19 for bucket in together)
    spread = hasher.buckets([f"b:word{i}" for i in range(20_000)])
    assert np.bincount(spread % 64, minlength=64).min() > 20_000 / 64 * 0.8


def test_remembered_buckets_stay_right_when_the_memory_is_emptied() -> None:
    small = Hasher(2**16)
    small.MAX_REMEMBERED = 3
    tokens = [f"f:attachment.extension={n}" for n in range(10)] + ["r:dmarc-fail"]
    first = small.buckets(tokens[:6]).tolist() + small.buckets(tokens[6:]).tolist()
    assert len(small._remembered) <= 5
    assert first == Hasher(2**16).buckets(tokens).tolist() == small.buckets(tokens).tolist()


def test_each_token_block_has_unit_length() -> None:
    hasher = Hasher(2**19)
    indices, values, names = hasher.vector_with_names(
        Tokens(
            text=["b:verify", "b:verify", "b:account", "s:urgent"], meta=["f:link.shortener", "r:dmarc-fail"]
        )
    )
    assert list(indices) == sorted(set(indices.tolist()))
    assert float(values @ values) == pytest.approx(2.0)
    assert names.names([hasher.index("s:urgent"), -1]) == {hasher.index("s:urgent"): "s:urgent"}


def test_evaluation_metrics_on_known_scores() -> None:
    labels = np.array([1] * 10 + [0] * 1000)
    scores = np.concatenate([np.linspace(91, 100, 10), np.linspace(0, 90, 1000)])
    assert evaluate.tpr_at_fpr(labels, scores, 0.001) == 1.0
    scores[-2:] = [95.0, 95.5]  # two ham above half of the phish; 0.1 % of 1,000 ham allows one
    assert evaluate.tpr_at_fpr(labels, scores, 0.001) == 0.5
    assert evaluate.tpr_at_fpr(labels, scores, 0.01) == 1.0


def test_analyst_labels_feed_the_next_training(
    fixture_folders: Path, tmp_path: Path, isolated_home: Path
) -> None:
    message = fixture_path("ham-vendor-invoice.eml")
    assert runner.invoke(app, ["scan", str(message), "--keep-raw"]).exit_code == 0
    labelled = runner.invoke(
        app, ["label", "<hl-20931.1722.billing@harborlogistics.com>", "phish", "--note", "test"]
    )
    assert labelled.exit_code == 0, labelled.output
    assert "labelled phish" in labelled.stderr
    output = tmp_path / "with-labels.npz"
    trained = runner.invoke(app, ["train", str(fixture_folders), "-o", str(output)])
    assert trained.exit_code == 0, trained.output
    assert "1 messages labelled by analysts added" in trained.stderr
    model = LinearModel.load(output)
    assert "analyst" in model.metadata["corpora"]
    assert model.metadata["corpora"]["analyst"] == {"phish": 1, "ham": 0}


def test_labelling_an_unknown_message_is_an_error() -> None:
    result = runner.invoke(app, ["label", "deadbeefdeadbeef", "ham"])
    assert result.exit_code == 2 and "no scanned message" in result.stderr


def test_scrub_removes_collector_fingerprints() -> None:
    raw = (
        b"Received: from mx.lfdr.de (mx.lfdr.de [1.2.3.4]) by mx.lfdr.de; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
        b"Delivered-To: lists+usrp@lfdr.de\r\nX-MS-Exchange-Organization-SCL: 5\r\n"
        b"Authentication-Results: mx.lfdr.de; spf=pass\r\nList-Id: <usrp-users.lists.ettus.com>\r\n"
        b"From: Alice <alice@ettus.com>\r\nTo: phishing@pot\r\nSubject: Re: [USRP-users] Clock drift\r\n\r\n"
        b"Hello phishing@pot, see below\r\n_______________________________________________\r\n"
        b"USRP-users mailing list\r\nusrp-users@lists.ettus.com\r\n"
    )
    scrubbed = scrub_message(raw)
    for gone in (
        b"Delivered-To",
        b"X-MS-Exchange",
        b"Authentication-Results",
        b"List-Id",
        b"phishing@pot",
        b"[USRP-users]",
        b"mailing list",
        b"lfdr.de",
    ):
        assert gone not in scrubbed, gone
    assert b"Subject: Re: Clock drift" in scrubbed and b"recipient@example.org" in scrubbed
    assert strip_list_tags("Re: [Jfs-discussion] [PATCH] jfs: fix") == "Re: [PATCH] jfs: fix"


def test_the_evaluation_views_keep_raw_utf8_headers_readable() -> None:
    """Spam often writes raw UTF-8 in Subject and To (RFC 6532); the views must not turn it
    into replacement characters, or evaluation would score text the product never sees."""
    raw = (
        "From: Sécurité <alerte@banque-exemple.fr>\r\nTo: Jörg <phishing@pot>\r\n"
        "Subject: Félicitations, vous avez gagné\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour.\r\n"
    ).encode()
    for view in VIEWS:
        parsed = parse_message(RawMessage.from_bytes(evaluation_view(raw, view), Origin("m.eml")), Limits())
        assert parsed.subject == "Félicitations, vous avez gagné", view
        assert [(a.display_name, a.address) for a in parsed.to] == [("Jörg", "recipient@example.org")], view
    hostile = raw.replace("Jörg <phishing@pot>".encode(), "jörg\xa0@exämple.org".encode())
    assert b"Subject:" in evaluation_view(hostile, "bare")


@pytest.mark.corpus
def test_collector_artefacts_do_not_move_the_probability(corpora: Path) -> None:
    """|p(message) - p(scrubbed message)| <= 0.05 for at least 99 % of the dev corpus."""
    model = load_model("")
    assert model is not None
    items = list(dataset.load(corpora / "labels.tsv", include=("modern/",)))
    original = train.prepare(items, Settings(), scrub=False)
    scrubbed = train.prepare(items, Settings(), scrub=True)
    shift = evaluate.artefact_shift(original, scrubbed, model)
    assert shift["messages"] == len(items) > 5000
    assert shift["within_0.05"] >= 0.99, shift


def test_leave_source_out_labels_each_source_with_a_model_that_never_saw_it(tmp_path: Path) -> None:
    """`seawall eval --protocol leave-source-out` on a labels file of four small sources."""
    rows = ["path\tlabel\tcorpus"]
    for index, path in enumerate(sorted(RULE_FIXTURES.glob("*.eml"))):
        target = tmp_path / path.name
        shutil.copy(path, target)
        label = "phish" if path.name.startswith("phish-") else "ham"
        rows.append(f"{path.name}\t{label}\t{label}-{'ab'[index % 2]}")
    labels = tmp_path / "labels.tsv"
    labels.write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["eval", str(labels), "--protocol", "leave-source-out", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["view"] == "scrubbed"
    sources = {s["source"]: s for s in report["sources"]}
    assert set(sources) == {"ham-a", "ham-b", "phish-a", "phish-b"}
    total = len(rows) - 1
    for source in sources.values():
        # trained on everything but the held-out source
        assert source["trained_on"] == total - source["messages"]
    assert sources["phish-a"]["suspicious_or_worse"] > 0.5
    assert sources["ham-a"]["phishing"] < 0.5
    assert "ham en" in report["by_language"] and "phish phish" in report["by_genre"]
    # the table also ranks each held-out phish source by the model's probability alone
    table = runner.invoke(app, ["eval", str(labels), "--protocol", "leave-source-out"])
    assert table.exit_code == 0, table.output
    assert "model alone TPR@0.1%FPR" in table.stdout
    row = next(line for line in table.stdout.splitlines() if line.startswith("| phish-a (phish)"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == 8 and 0.0 <= float(cells[-1]) <= 1.0
