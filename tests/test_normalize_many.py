"""Normalizer.normalize_many: the same results as normalize() per text, one call per batch (the CLI's chunks, the
API's /normalize/batch), bad texts named by index before any work."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from normalizer import Normalizer, pipeline
from normalizer.batch import BatchOptions, Source, run_batch

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = [
    "MİT'in Daesh operasyonu Türkiye'de sürüyor.",
    "Der Geheimdienst MIT hat mit der Polizei in Syrien ermittelt.",
    "",
    "داعش في سوريا والعراق",
    "The mit license is not MIT; ISIS and IŞİD are names.",
]
LANGS = ["tr", "de", None, "ar", "en"]


def _dicts(results) -> list:  # noqa: ANN001
    return [[m.to_dict(explain=True) for m in r.mentions] for r in results]


def test_same_results_as_normalize_per_text(core: Normalizer) -> None:
    for lang in (None, "tr", LANGS):
        for explain in (False, True, [True, False, True, False, True]):
            got = core.normalize_many(TEXTS, lang=lang, explain=explain)
            langs = lang if isinstance(lang, list) else [lang] * len(TEXTS)
            exps = explain if isinstance(explain, list) else [explain] * len(TEXTS)
            want = [core.normalize(t, lg, explain=ex) for t, lg, ex in zip(TEXTS, langs, exps, strict=True)]
            assert _dicts(got) == _dicts(want)
            assert [r.text for r in got] == TEXTS and [r.lang for r in got] == langs
    assert core.normalize_many(iter(TEXTS[:2]))[1].mentions  # any iterable
    assert core.normalize_many([]) == []


def test_bad_texts_are_named_by_index(core: Normalizer, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, not bytes"):
        core.normalize_many(["MIT", b"MIT"])  # type: ignore[list-item]
    monkeypatch.setattr(pipeline, "MAX_TEXT_CHARS", 10)
    with pytest.raises(ValueError, match=r"texts\[2\] too long: 11 characters"):
        core.normalize_many(["MIT", "ok", "x" * 11])
    with pytest.raises(ValueError, match="one per text"):
        core.normalize_many(["MIT", "ok"], lang=["tr"])


def test_cli_batch_calls_it_once_per_chunk(core: Normalizer, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = Normalizer.normalize_many

    def spy(self, texts, **kw):  # noqa: ANN001, ANN003, ANN202
        calls.append(len(texts))
        return real(self, texts, **kw)

    monkeypatch.setattr(Normalizer, "normalize_many", spy)
    monkeypatch.setattr(pipeline, "MAX_TEXT_CHARS", 200)
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(TEXTS)] + ["not json", json.dumps({"id": 9, "text": "x" * 201})]
    out = io.BytesIO()
    src = Source("x", io.BytesIO("\n".join(lines).encode() + b"\n"), "jsonl", None)
    summary = run_batch([src], out, BatchOptions(lang="tr"), normalizer=core)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert (summary.read, summary.written, summary.errors) == (7, 7, 2)
    assert [r["mentions"] for r in rows[:5]] == [[m.to_dict() for m in core.normalize(t, "tr").mentions] for t in TEXTS]
    assert rows[5]["_error"]["code"] == "invalid_json"
    assert rows[6]["_error"]["code"] == "normalize_failed" and rows[6]["id"] == 9  # too long: only that record
    assert calls and calls[0] == 6  # the chunk's valid texts in one call (it failed on the long one: per record)


def test_api_batch_uses_it_and_keeps_per_item_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple] = []
    real = Normalizer.normalize_many

    def spy(self, texts, **kw):  # noqa: ANN001, ANN003, ANN202
        calls.append((len(texts), kw["lang"], kw["explain"]))
        return real(self, texts, **kw)

    monkeypatch.setattr(Normalizer, "normalize_many", spy)
    n = Normalizer([FIXTURES / "core_table.yaml"], bundled=False)
    with TestClient(create_app(n)) as c:
        res = c.post("/normalize/batch", json={"items": [
            {"id": "a", "text": "MİT'in açıklaması", "lang": "tr", "explain": True},
            {"id": "b", "text": 5},
            {"id": "c", "text": "ISIS in Syria"},
        ]}).json()["results"]
    assert calls == [(2, ["tr", None], [True, False])]
    assert res[0]["mentions"][0]["id"] == "org:mit" and "explain" in res[0]["mentions"][0]
    assert res[1]["error"]["code"] == "validation_error" and res[1]["id"] == "b"
    assert [m["id"] for m in res[2]["mentions"]] == ["org:isis", "loc:syria"]
