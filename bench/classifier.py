"""The request classifier on the TipDM 2020-C messages (../shared/datasets/tipdm2020c).

Splits the dev data once, deterministically (a hash of each message puts one in five in the
held-out part; a tokenized copy of a held-out raw message is dropped from training too), writes
the two parts to var/bench/, then runs exactly the commands docs/benchmarks.md quotes:

    hotline classifier train --data var/bench/tipdm_train.csv --out var/bench/tipdm.joblib
    hotline classifier eval --data var/bench/tipdm_test.csv --model var/bench/tipdm.joblib

and measures latency, batch speed, training time and size on one core. Prints one JSON line.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets" / "tipdm2020c"
OUT = ROOT / "var" / "bench"
ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _held(key: str) -> bool:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % 5 == 0


def _words(text: str, tokens: str | None = None) -> set[str]:
    import jieba

    return {w for w in (tokens.split() if tokens is not None else jieba.lcut(text)) if len(w) >= 2}


def _messages(rows: list[tuple[str, set[str]]]) -> list[int]:
    """The message each row is a copy of: rows whose words mostly lie in another row's (a
    tokenized copy of a raw message, a re-post with other spacing or a few words changed) share
    one group. Union-find over an index of the rarer words."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = defaultdict(list)
    for i, (_t, words) in enumerate(rows):
        for w in words:
            index[w].append(i)
    for i, (_t, words) in enumerate(rows):
        votes = Counter(j for w in sorted(words) if len(index[w]) <= 30 for j in index[w] if j < i)
        for j, _n in votes.most_common(5):
            shared = len(words & rows[j][1])
            if shared >= 0.6 * max(1, min(len(words), len(rows[j][1]))):
                parent[root(i)] = root(j)
    return [root(i) for i in range(len(rows))]


def split() -> tuple[Path, Path, dict]:
    raw = list(csv.DictReader(open(DATA / "messages_raw_dev.csv", encoding="utf-8-sig")))
    tok = list(csv.DictReader(open(DATA / "messages_tokenized_dev.csv", encoding="utf-8-sig")))
    rows = [(r["text"], _words(r["text"])) for r in raw]
    rows += [("".join(r["text_tokens"].split()), _words("", r["text_tokens"])) for r in tok]
    labels = [r["label"] for r in raw] + [r["label"] for r in tok]
    group = _messages(rows)
    # A message's side is decided once, by the first of its copies, so no copy crosses the line.
    key: dict[int, str] = {}
    for g, (text, _w) in zip(group, rows):
        key.setdefault(g, text)
    train, test, seen = [], [], set()
    for g, (text, _w), label in zip(group, rows, labels):
        if (text, label) in seen:
            continue
        seen.add((text, label))
        (test if _held(key[g]) else train).append((text, label))
    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in (("tipdm_train.csv", train), ("tipdm_test.csv", test)):
        with open(OUT / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["text", "label"])
            writer.writerows(rows)
        paths.append(OUT / name)
    return paths[0], paths[1], {"train": len(train), "test": len(test), "messages": len(key)}


def _hotline(*args: str) -> str:
    env = {**os.environ, **ONE_CORE, "HOTLINE_VAR_DIR": str(OUT)}
    cmd = ["taskset", "-c", "0", sys.executable, "-m", "hotline.cli", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout


def speed(model_path: Path, test: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    import django

    django.setup()
    from hotline.dispatch import classifier

    model = classifier.load(model_path)
    texts = [r["text"] for r in csv.DictReader(open(test, encoding="utf-8"))]
    model.predict(texts[:5])
    times = []
    for text in texts[:500]:
        started = time.perf_counter()
        model.predict([text])
        times.append(time.perf_counter() - started)
    times.sort()
    batch = texts * (4000 // len(texts) + 1)
    batch = batch[:4000]
    started = time.perf_counter()
    for i in range(0, len(batch), 500):
        model.predict(batch[i : i + 500], explain=False)
    per_s = len(batch) / (time.perf_counter() - started)
    return {
        "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 1),
        "p50_ms": round(times[len(times) // 2] * 1000, 1),
        "batch_per_s": round(per_s),
        "size_mb": round(model_path.stat().st_size / 1e6, 1),
    }


def main() -> None:
    if not DATA.exists():
        print(json.dumps({"skipped": f"no data at {DATA}"}))
        return
    train, test, counts = split()
    model = OUT / "tipdm.joblib"
    started = time.perf_counter()
    trained = _hotline("classifier", "train", "--data", str(train), "--out", str(model)).strip().splitlines()[-1]
    train_s = time.perf_counter() - started
    evaluated = [
        x for x in _hotline("classifier", "eval", "--data", str(test), "--model", str(model)).splitlines() if x
    ]
    os.sched_setaffinity(0, {0})
    for key, value in ONE_CORE.items():
        os.environ[key] = value
    result = {
        **counts,
        "train_line": trained,
        "train_wall_s": round(train_s, 1),
        "eval_threshold_line": next((x for x in evaluated if x.startswith("at the model")), ""),
        "eval_line": evaluated[-1],
        **speed(model, test),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
