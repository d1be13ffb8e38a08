"""The text classifier: trains on a handful of rows here (big runs are in bench/), never crashes
on bad text, and names the problem with bad training data."""

import dataclasses
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from hotline.dispatch import classifier

ROWS = {
    "垃圾": ["小区门口垃圾堆积没人清理", "楼下垃圾桶满了臭气熏天", "垃圾清运不及时苍蝇很多", "街边垃圾乱倒无人管"],
    "噪音": ["楼上装修噪音太大影响休息", "工地夜间施工噪音扰民", "广场舞音响声音太吵", "酒吧音乐噪音到凌晨"],
    "供水": ["家里停水两天了没有通知", "自来水发黄有异味", "水管爆裂漏水严重", "小区水压太低用不了水"],
}


def sample():
    texts = [t for label, items in ROWS.items() for t in items]
    labels = [label for label, items in ROWS.items() for _t in items]
    return texts, labels


@pytest.fixture(scope="module")
def model():
    return classifier.train(*sample(), parents={"垃圾": "环境", "噪音": "环境"})


def test_it_suggests_the_right_label_with_the_words_behind_it(model):
    [p] = model.predict(["我家楼下的垃圾好几天没人清理了"])
    assert p.best.label == "垃圾"
    assert len(p.guesses) == 3 and abs(sum(g.confidence for g in p.guesses) - 1) < 1e-6
    assert any("垃圾" in w for w in p.best.words)


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "hello, my water is off", "😀😀😀🙏", "<script>alert('x')</script>", "<b></b>&nbsp;", "12345"],
)
def test_unreadable_text_is_unsure_and_never_a_crash(model, text):
    [p] = model.predict([text])
    assert p.unsure and p.guesses == () and p.reason


def test_huge_and_html_laden_text_is_read_from_its_words(model):
    [huge] = model.predict(["停水" * 50_000])
    assert huge.best.label == "供水"
    [tagged] = model.predict(["<div><script>var a=1;</script>楼上<b>装修</b>噪音太大&amp;吵</div>"])
    assert tagged.best.label == "噪音" and "script" not in " ".join(tagged.best.words)


def test_a_weak_leaf_falls_back_to_a_sure_parent(model):
    text = "垃圾和噪音都很严重"
    [p] = model.predict([text])
    share = sum(g.confidence for g in p.guesses if g.label in ("垃圾", "噪音"))
    strict = dataclasses.replace(model, threshold=(p.best.confidence + share) / 2)
    [q] = strict.predict([text])
    assert q.unsure and q.fallback.label == "环境" and q.fallback.confidence == pytest.approx(share)
    [r] = dataclasses.replace(model, threshold=share + 1e-3).predict([text])
    assert r.unsure and r.fallback is None


@pytest.mark.parametrize(
    ("texts", "labels", "problem"),
    [
        (["垃圾", "噪音"], ["a", ""], "empty label"),
        (["垃圾很多", "垃圾很臭"], ["a", "a"], "Only one class"),
        (["垃圾很多", "垃圾很臭", "噪音"], ["a", "a", "b"], "single example"),
        (["abc", "def", "ghi", "jkl"], ["a", "a", "b", "b"], "No row has Chinese"),
    ],
)
def test_bad_training_data_is_one_clear_error(texts, labels, problem):
    with pytest.raises(ValidationError, match=problem):
        classifier.train(texts, labels)


def test_a_saved_model_loads_and_a_foreign_file_is_refused(model, tmp_path):
    path = tmp_path / "m.joblib"
    model.save(path)
    again = classifier.load(path)
    assert again.predict(["水管漏水"])[0].best.label == "供水"
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(ValidationError):
        classifier.load(tmp_path / "junk.joblib")
    with pytest.raises(ValidationError, match="No model file"):
        classifier.load(tmp_path / "missing.joblib")


def test_the_numpy_ngrams_weigh_exactly_as_scikit_learn_does():
    """CharGrams replaces TfidfVectorizer(analyzer="char") for speed; the numbers must not move.
    Mixed case, emoji (beyond the 16-bit plane), a NUL, an empty and a duplicated text included."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts, _labels = sample()
    texts = [*texts, texts[0], "", "ABC垃圾abc😀垃圾\x00桶", "😀😀"]
    ours = classifier.CharGrams(n=3, min_df=2, max_features=None)
    theirs = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32)
    fitted = [t.replace("\x00", "") for t in texts]
    a, b = ours.fit_transform(texts), theirs.fit_transform(fitted)
    names = list(theirs.get_feature_names_out())
    assert sorted(ours.get_feature_names_out()) == sorted(names)
    order = [names.index(n) for n in ours.get_feature_names_out()]
    assert abs(a - b[:, order]).max() < 1e-6
    unseen = ["完全陌生的句子", "", "垃圾" * 5000, "垃圾\ud800桶"]  # a lone surrogate, as broken JSON gives
    assert abs(ours.transform(unseen) - theirs.transform(unseen)[:, order]).max() < 1e-6
    assert ours.transform([]).shape == (0, len(names))


def test_threshold_for_finds_the_precision_point():
    import numpy as np

    conf = np.array([0.99, 0.95, 0.9, 0.8, 0.7])
    right = np.array([True, True, True, False, True])
    assert classifier.threshold_for(conf, right, 0.97) == (0.9, 0.6)
    assert classifier.threshold_for(conf, np.zeros(5, bool), 0.97) == (1.0, 0.0)


def _csv(tmp_path, name, rows, header=("text", "label"), encoding="utf-8"):
    path = tmp_path / name
    body = ",".join(header) + "\n" + "\n".join(f"{t},{label}" for t, label in rows) + "\n"
    path.write_bytes(body.encode(encoding))
    return str(path)


def test_the_commands_train_eval_and_explain(tmp_path, db):
    texts, labels = sample()
    data = _csv(tmp_path, "train.csv", list(zip(texts, labels)), encoding="gb18030")  # Excel on Chinese Windows
    out = tmp_path / "m.joblib"
    say = io.StringIO()
    call_command("classifier", "train", "--data", data, "--out", str(out), stdout=say)
    assert "trained on 12 rows, 3 labels" in say.getvalue()
    say = io.StringIO()
    call_command("classifier", "eval", "--data", data, "--model", str(out), stdout=say)
    last = say.getvalue().strip().splitlines()[-1]
    assert last.startswith("macro-F1 1.0000 accuracy 1.0000 coverage@97%precision") and last.endswith(" n=12")
    say = io.StringIO()
    call_command("classifier", "explain", "家里停水了", "--model", str(out), stdout=say)
    assert say.getvalue().splitlines()[0].startswith("供水\t")
    say = io.StringIO()
    call_command("classifier", "explain", "😀", "--model", str(out), stdout=say)
    assert say.getvalue().startswith("unsure")


def test_the_train_command_names_the_missing_column_and_the_missing_file(tmp_path, db):
    data = _csv(tmp_path, "bad.csv", [("垃圾很多", "a")], header=("content", "label"))
    with pytest.raises(CommandError, match="Missing columns: text"):
        call_command("classifier", "train", "--data", data)
    with pytest.raises(CommandError, match="No such file"):
        call_command("classifier", "train", "--data", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="Only one class"):
        call_command("classifier", "train", "--data", _csv(tmp_path, "one.csv", [("垃圾很多", "a"), ("垃圾", "a")]))


def test_on_real_messages_a_small_model_beats_chance_by_far():
    from conftest import SHARED

    from hotline.tabular import read_table

    path = SHARED / "tipdm2020c" / "messages_raw_dev.csv"
    if not path.exists():
        pytest.skip(f"shared dataset absent: {path}")
    rows = read_table(path, required=["text", "label"])
    train, test = rows[:600:2], rows[1:600:2]  # a small sample: the full run is bench/classifier.py
    model = classifier.train([r["text"] for r in train], [r["label"] for r in train])
    result = classifier.evaluate(model, [r["text"] for r in test], [r["label"] for r in test])
    assert result.macro_f1 > 0.6 and result.accuracy > 0.7  # chance is 1/7


def test_a_model_labelled_with_things_that_are_not_matters_never_becomes_active(tmp_path, ref):
    """L6 of 2026-11-30: `classifier train` with labels `=cmd|…` and NOT-A-MATTER trained and
    activated a version that emptied every operator's suggestions."""
    from hotline.dispatch.models import ClassifierModel

    texts, _labels = sample()
    bogus = ["=cmd|' /C calc'!A0", "NOT-A-MATTER", "垃圾"] * 4
    data = _csv(tmp_path, "bogus.csv", list(zip(texts, bogus)))
    before = ClassifierModel.objects.count()
    with pytest.raises(CommandError, match="not active matters.*NOT-A-MATTER.*nothing was trained"):
        call_command("classifier", "train", "--data", data)
    assert ClassifierModel.objects.count() == before
