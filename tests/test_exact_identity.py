"""Corpus-level identity of the exact path (``variants=False, fuzzy=False, context=False``): the ``explain=True``
output of every text is hashed and compared with digests stored before the matcher's hot path was compiled
(tests/fixtures/identity/exact_path.json), so a speed change that alters any mention, span, score, rule or fold
step fails here and names the corpus and the document.

Corpora: the dev sets' texts (../shared/eval/dev and dev-beat2, bundled tables and each set's user table, when
present) and the first documents of the benchmark generator's corpora over its 1k and 100k tables (built in a
temporary directory from ``benchmarks/generate.py``; seeded, so the same everywhere).  The 1M corpus is checked
by ``python tests/test_exact_identity.py --check 1m`` (a minute of table building: benchmarks, not CI).
Both paths are checked: the compiled one (normalizer/_scan.pyx, _fold.pyx) and the Python reference.

Regenerate the digests only for an intended output change: ``python tests/test_exact_identity.py --write``.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
FIXTURE = Path(__file__).parent / "fixtures" / "identity" / "exact_path.json"
GEN_DOCS = 300  # generator documents per size (~2.3 KB each)
CORE = {"variants": False, "fuzzy": False, "context": False}


def digest(result) -> str:  # noqa: ANN001
    """A short hash of a result's ``explain=True`` JSON (mentions in order, every field)."""
    data = json.dumps([m.to_dict(explain=True) for m in result.mentions], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _dev_texts(name: str) -> list[dict]:
    path = SHARED / name / "texts.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _generator():  # noqa: ANN202
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    return generate


@functools.cache
def _table(size: str) -> list:
    generate = _generator()
    return generate.table(generate.SIZES[size])


def corpus_texts(name: str) -> Iterator[tuple[str, str | None]]:
    """(text, lang) of each document of a corpus, in order."""
    if name.startswith("gen-"):
        for i, (doc, _gold) in enumerate(_generator().corpus(_table(name[4:]), 10**12)):
            if i >= GEN_DOCS:
                return
            yield doc["text"], doc["lang"] if i % 2 == 0 else None  # with and without the language's suffixes
    else:
        for row in _dev_texts(name.split(":")[0]):
            yield row["text"], row.get("lang")


def normalizer_for(name: str, tmp: Path):  # noqa: ANN201
    """The exact-path Normalizer of a corpus: ``<set>:bundled``, ``<set>:user`` or ``gen-<size>``."""
    from normalizer import Normalizer

    if name.startswith("gen-"):
        tsv = tmp / f"aliases_{name[4:]}.tsv"
        _generator().write_tsv(_table(name[4:]), tsv)
        return Normalizer([tsv], bundled=False, cache=False, **CORE)
    dev, mode = name.split(":")
    if mode == "bundled":
        return Normalizer(cache=False, **CORE)
    return Normalizer([SHARED / dev / "user_table.yaml"], bundled=False, cache=False, **CORE)


@functools.cache
def _shared_normalizer(name: str):  # noqa: ANN202
    """One Normalizer per corpus for the whole session (the compiled/Python switch acts per call)."""
    with tempfile.TemporaryDirectory() as tmp:
        return normalizer_for(name, Path(tmp))


def digests(name: str, tmp: Path | None = None) -> list[str]:
    n = _shared_normalizer(name) if tmp is None else normalizer_for(name, tmp)
    return [digest(n.normalize(text, lang, explain=True)) for text, lang in corpus_texts(name)]


DEV_CORPORA = ["dev:bundled", "dev:user", "dev-beat2:bundled", "dev-beat2:user"]
GEN_CORPORA = ["gen-1k", "gen-100k"]


def _expected() -> dict[str, list[str]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _compare(name: str, got: list[str]) -> None:
    want = _expected()[name]
    assert len(got) == len(want), f"{name}: {len(got)} documents, expected {len(want)}"
    changed = [i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w]
    assert not changed, f"{name}: exact-path output changed in documents {changed[:20]} ({len(changed)} of {len(got)})"


@pytest.fixture(params=["compiled", "pure"])
def path_kind(request, monkeypatch):  # noqa: ANN001, ANN201
    """Run a test on the compiled scan and again on the pure-Python one."""
    from normalizer import compiled

    if request.param == "compiled" and not compiled.available():
        pytest.fail("the compiled extensions are not built (pip install -e . builds them)")
    monkeypatch.setattr(compiled, "USE", request.param == "compiled")
    return request.param


@pytest.mark.parametrize("name", DEV_CORPORA)
def test_dev_texts_exact_path_identical(name: str, path_kind: str) -> None:
    if not (SHARED / name.split(":")[0] / "texts.jsonl").exists():
        pytest.skip("dev set not present")
    _compare(name, digests(name))


@pytest.mark.parametrize("name", GEN_CORPORA)
def test_generator_corpora_exact_path_identical(name: str, path_kind: str) -> None:
    _compare(name, digests(name))


@functools.cache
def _default_normalizer(name: str):  # noqa: ANN202
    """The default pipeline (every pass) over a corpus's tables."""
    from normalizer import Normalizer

    if name.startswith("gen-"):
        with tempfile.TemporaryDirectory() as tmp:
            tsv = Path(tmp) / f"aliases_{name[4:]}.tsv"
            _generator().write_tsv(_table(name[4:]), tsv)
            return Normalizer([tsv], bundled=False, cache=False)
    dev, mode = name.split(":")
    return Normalizer(cache=False) if mode == "bundled" else Normalizer([SHARED / dev / "user_table.yaml"],
                                                                       bundled=False, cache=False)


@pytest.mark.parametrize("name", [*DEV_CORPORA, "gen-1k"])
def test_default_pipeline_same_on_both_paths(name: str, monkeypatch) -> None:  # noqa: ANN001
    """Every pass (variants, fuzzy, context) on the compiled path (scan, fold and the name passes' tokenizer,
    normalizer/_spans.pyx) gives the Python reference's ``explain=True`` output, document by document."""
    from normalizer import compiled

    if not compiled.available():
        pytest.fail("the compiled extensions are not built (pip install -e . builds them)")
    if not name.startswith("gen-") and not (SHARED / name.split(":")[0] / "texts.jsonl").exists():
        pytest.skip("dev set not present")
    n = _default_normalizer(name)
    texts = list(corpus_texts(name))
    got = {}
    for use in (True, False):
        monkeypatch.setattr(compiled, "USE", use)
        got[use] = [digest(n.normalize(text, lang, explain=True)) for text, lang in texts]
    changed = [i for i, (a, b) in enumerate(zip(got[True], got[False], strict=True)) if a != b]
    assert not changed, f"{name}: compiled and Python paths differ in documents {changed[:20]}"


@pytest.mark.parametrize("name", ["dev:bundled", "dev-beat2:user", "gen-1k"])
def test_remembered_decisions_are_the_fresh_ones(name: str) -> None:
    """The name passes remember their decisions (per window, per run of words) and replay them where the same
    words stand again; ``explain=True`` decides afresh.  Both give the same mentions for every document, read
    in one order and then in the other (so each is met both before and after the others)."""
    from dataclasses import replace

    if not name.startswith("gen-") and not (SHARED / name.split(":")[0] / "texts.jsonl").exists():
        pytest.skip("dev set not present")
    n = _default_normalizer(name)
    texts = list(corpus_texts(name))
    for text, lang in texts + texts[::-1]:
        remembered = [replace(m, explain=None) for m in n.normalize(text, lang).mentions]
        fresh = [replace(m, explain=None) for m in n.normalize(text, lang, explain=True).mentions]
        assert remembered == fresh, text[:200]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="store the current output's digests")
    ap.add_argument("--check", nargs="*", metavar="CORPUS", help="compare these corpora (default: all stored)")
    ap.add_argument("--corpora", nargs="+", default=DEV_CORPORA + GEN_CORPORA + ["gen-1m"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.write:
            FIXTURE.parent.mkdir(parents=True, exist_ok=True)
            old = _expected() if FIXTURE.exists() else {}
            old.update({name: digests(name, Path(tmp)) for name in args.corpora})
            FIXTURE.write_text(json.dumps(old, indent=0) + "\n", encoding="utf-8")
            print(f"wrote {FIXTURE}: {', '.join(f'{k} ({len(v)})' for k, v in old.items())}")
        else:
            for name in args.check or list(_expected()):
                _compare(name, digests(name, Path(tmp)))
                print(f"{name}: identical")


if __name__ == "__main__":
    main()
