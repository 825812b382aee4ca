"""Reproducible synthetic benchmark data: alias tables, a news-like corpus with gold spans, fuzzy queries.

    python benchmarks/generate.py                 # all sizes (1k, 100k, 1m) into benchmarks/.cache/
    python benchmarks/generate.py --sizes 1k --corpus-mb 2

Writes, per size: ``aliases_<size>.tsv`` (id, alias, lang, type, name; the first row of an entity is its name with
lang ``und``), ``corpus_<size>.jsonl`` (``{id, lang, text}``), ``gold_<size>.jsonl`` (``{doc, start, end, text,
entity, form, case_ok}``: every inserted mention, the span being the name without any suffix) and
``queries_<size>.jsonl`` (``{query, entity, kind}`` for resolve(): ``edit1``/``edit2`` random edits, ``reromanised``).
Tables are nested: the 1k table is the first 1k rows of the 100k table, which is the first 100k rows of the 1m one.
Each corpus draws its mentions from its own table, so hits are spread over the whole automaton.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

from _vocab import (
    AR_GIVEN,
    AR_IBN,
    AR_KUNYA,
    AR_NISBA,
    EN_CITIES,
    EN_DAYS,
    EN_FIRST,
    EN_LAST,
    EN_LAST_A,
    EN_LAST_B,
    EN_ORD,
    EN_SUBJ,
    EN_TAIL,
    EN_TEMPLATES,
    EN_VERB,
    ORG_ADJ,
    ORG_REGION,
    ORG_TYPE,
    TR_CITIES,
    TR_DAYS,
    TR_FIRST,
    TR_LAST,
    TR_LAST_A,
    TR_LAST_B,
    TR_SUBJ,
    TR_TAIL,
    TR_TEMPLATES,
    TR_VERB,
)
from unidecode import unidecode

CACHE = Path(__file__).resolve().parent / ".cache"
SIZES = {"1k": 1_000, "100k": 100_000, "1m": 1_000_000}
SEED = 20240611
FORMAT = 3  # bump when the generated data changes
NAME_SENTENCES = 0.3  # share of sentences with name slots: about 4 mentions per KB of text

Entity = tuple[str, str, str, list[tuple[str, str]]]  # id, type, name, [(alias, lang)]


def tr_lower(s: str) -> str:
    return s.replace("I", "ı").replace("İ", "i").lower()


def tr_upper(s: str) -> str:
    return s.replace("i", "İ").replace("ı", "I").upper()


# ------------------------------------------------------------------------------------------------------ entities
def _en_person(r: random.Random) -> tuple[str, list[tuple[str, str]]]:
    first = r.choice(EN_FIRST)
    last = r.choice(EN_LAST) if r.random() < 0.5 else r.choice(EN_LAST_A) + r.choice(EN_LAST_B)
    if r.random() < 0.6:
        mid = r.choice(EN_FIRST)
        name = f"{first} {mid} {last}"
        return name, [(f"{first} {last}", "en"), (f"{first} {mid[0]}. {last}", "en")]
    return f"{first} {last}", [(last if r.random() < 0.05 else f"{first} {last}", "en")]


def _tr_person(r: random.Random) -> tuple[str, list[tuple[str, str]]]:
    first = r.choice(TR_FIRST)
    last = r.choice(TR_LAST) if r.random() < 0.5 else r.choice(TR_LAST_A) + r.choice(TR_LAST_B).lower()
    last = last[0] + last[1:].lower()
    out: list[tuple[str, str]] = []
    if r.random() < 0.4:
        second = r.choice(TR_FIRST)
        name = f"{first} {second} {last}"
        out.append((f"{first} {last}", "tr"))
    else:
        name = f"{first} {last}"
    if r.random() < 0.5 and unidecode(name) != name:
        out.append((unidecode(name), "en"))
    return name, out


def _ar_person(r: random.Random) -> tuple[str, list[tuple[str, str]]]:
    given, father, nisba = r.choice(AR_GIVEN), r.choice(AR_GIVEN), r.choice(AR_NISBA)
    kunya = r.choice(AR_GIVEN) if r.random() < 0.5 else None
    langs = ["en", "tr", "fr"] + (["de"] if r.random() < 0.5 else [])
    idx = {"en": 0, "tr": 1, "fr": 2, "de": 3}
    out: list[tuple[str, str]] = []
    for lang in langs:
        i = idx[lang]
        out.append((f"{given[i]} {AR_IBN[i]} {father[i]} {nisba[i]}", lang))
        if kunya:
            out.append((f"{AR_KUNYA[i]} {kunya[i]} {nisba[i]}", lang))
    name = out[1][0] if kunya else out[0][0]
    return name, out


def _acronym(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[0].isalpha()).upper().replace("İ", "I")


def _org(r: random.Random) -> tuple[str, list[tuple[str, str]]]:
    parts = [r.choice(ORG_ADJ)]
    if r.random() < 0.4:
        parts.append(r.choice(ORG_ADJ))
    if r.random() < 0.8:
        parts.insert(0, r.choice(ORG_REGION))
    parts.append(r.choice(ORG_TYPE))
    if r.random() < 0.3:
        reg = r.choice(ORG_REGION)
        en = " ".join(p[0] for p in parts) + f" of {reg[0]}"
        tr = f"{reg[1]} " + " ".join(p[1] for p in parts)
    else:
        en, tr = " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)
    out = [(tr, "tr"), (_acronym(en.replace(" of ", " ").split()), "en")]
    if r.random() < 0.5:
        out.append((_acronym(tr.split()), "tr"))
    return en, out


KINDS = [
    ("per", "person", _en_person, 0.3),
    ("per", "person", _tr_person, 0.3),
    ("per", "person", _ar_person, 0.25),
    ("org", "organization", _org, 0.15),
]


def entities(seed: int = SEED) -> Iterator[Entity]:
    """An endless, reproducible stream of entities (name first, then its other aliases)."""
    r = random.Random(seed)
    weights = [k[3] for k in KINDS]
    seen: set[str] = set()
    n = 0
    while True:
        prefix, etype, make, _ = r.choices(KINDS, weights)[0]
        name, aliases = make(r)
        if name in seen:
            continue
        seen.add(name)
        n += 1
        rows, have = [(name, "und")], {name}
        for a, lang in aliases:
            if a not in have:
                have.add(a)
                rows.append((a, lang))
        yield f"{prefix}:{n:07d}", etype, name, rows


def table(size: int, seed: int = SEED) -> list[Entity]:
    """Entities whose alias rows add up to exactly ``size`` (the last one may be cut short)."""
    out: list[Entity] = []
    rows = 0
    for eid, etype, name, aliases in entities(seed):
        take = aliases[: size - rows]
        out.append((eid, etype, name, take))
        rows += len(take)
        if rows >= size:
            return out
    raise AssertionError("unreachable")


def write_tsv(ents: list[Entity], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("id\talias\tlang\ttype\tname\n")
        for eid, etype, name, aliases in ents:
            for alias, lang in aliases:
                fh.write(f"{eid}\t{alias}\t{lang}\t{etype}\t{name}\n")


# -------------------------------------------------------------------------------------------------------- corpus
def _tr_suffix(word: str, r: random.Random) -> str:
    vowels = [c for c in tr_lower(word) if c in "aeıioöuü"]
    v = vowels[-1] if vowels else "e"
    front = v in "eiöü"
    ends_vowel = tr_lower(word)[-1] in "aeıioöuü"
    kind = r.choice(["gen", "loc", "dat", "acc"])
    if kind == "gen":
        hv = {"a": "ı", "ı": "ı", "e": "i", "i": "i", "o": "u", "u": "u", "ö": "ü", "ü": "ü"}[v]
        return "n" + hv + "n" if ends_vowel else hv + "n"
    if kind == "loc":
        return "de" if front else "da"
    if kind == "dat":
        return ("y" if ends_vowel else "") + ("e" if front else "a")
    hv = {"a": "ı", "ı": "ı", "e": "i", "i": "i", "o": "u", "u": "u", "ö": "ü", "ü": "ü"}[v]
    return ("y" if ends_vowel else "") + hv


FORMS_EN = (["exact", "ascii", "lower", "upper", "suffixed"], [40, 15, 10, 15, 20])
FORMS_TR = (["exact", "ascii", "lower", "upper", "trupper", "suffixed"], [30, 15, 10, 5, 15, 25])


def _mention(ent: Entity, lang: str, r: random.Random) -> tuple[str, str, str, bool]:
    """(surface name, suffix written after it, form, case_ok) for one inserted mention."""
    aliases = ent[3]
    pref = [a for a in aliases if a[1] in (lang, "und")] or aliases
    forms, weights = FORMS_TR if lang == "tr" else FORMS_EN
    form = r.choices(forms, weights)[0]
    if form == "ascii":
        non_ascii = [a for a in aliases if not a[0].isascii()]
        alias = r.choice(non_ascii)[0] if non_ascii else r.choice(pref)[0]
        text, form = (unidecode(alias), "ascii") if non_ascii else (alias, "exact")
    else:
        alias = r.choice(pref)[0]
        text = {
            "exact": alias,
            "lower": tr_lower(alias) if lang == "tr" else alias.lower(),
            "upper": alias.upper(),
            "trupper": tr_upper(alias),
            "suffixed": alias,
        }[form]
    suffix = ""
    if form == "suffixed":
        apo = "'" if r.random() < 0.7 else "’"
        suffix = apo + (_tr_suffix(alias, r) if lang == "tr" else "s")
    case_ok = not (form == "lower" and any(c.isupper() for c in alias))
    return text, suffix, form, case_ok


def corpus(ents: list[Entity], target_bytes: int, seed: int = SEED) -> Iterator[tuple[dict, list[dict]]]:
    """Documents (``{id, lang, text}``) with their gold mentions until about ``target_bytes`` of UTF-8."""
    rf, rm = random.Random(seed + 1), random.Random(seed + 2)  # filler and mentions: filler stays comparable
    total, d = 0, 0
    while total < target_bytes:
        lang = "tr" if rf.random() < 0.5 else "en"
        templates = TR_TEMPLATES if lang == "tr" else EN_TEMPLATES
        days, cities = (TR_DAYS, TR_CITIES) if lang == "tr" else (EN_DAYS, EN_CITIES)
        parts: list[str] = []
        gold: list[dict] = []
        pos = 0
        last_suffix = ""
        for _ in range(rf.randint(12, 40)):
            if rf.random() < NAME_SENTENCES:
                tpl = rf.choice(templates)
            elif lang == "tr":
                tpl = f"{rf.choice(TR_SUBJ)} {rf.choice(TR_TAIL)} {rf.choice(TR_VERB)}."
            else:
                tpl = f"{rf.choice(EN_SUBJ)} {rf.choice(EN_VERB)} {rf.choice(EN_TAIL)}."
            chunks = tpl.split("{E}")
            for i, chunk in enumerate(chunks):
                chunk = chunk.format(
                    day=rf.choice(days),
                    city=rf.choice(cities),
                    year=rf.randint(1990, 2023),
                    num=rf.randint(2, 900),
                    ord=rf.choice(EN_ORD),
                )
                if chunk.startswith("'s") and last_suffix:  # the template's own possessive: no second suffix
                    chunk = chunk[2:]
                parts.append(chunk)
                pos += len(chunk)
                if i + 1 < len(chunks):
                    ent = rm.choice(ents)
                    text, suffix, form, ok = _mention(ent, lang, rm)
                    gold.append(
                        {
                            "doc": d,
                            "start": pos,
                            "end": pos + len(text),
                            "text": text,
                            "entity": ent[0],
                            "form": form,
                            "case_ok": ok,
                        }
                    )
                    parts.append(text + suffix)
                    last_suffix = suffix
                    pos += len(text) + len(suffix)
            parts.append(" " if rf.random() < 0.85 else "\n\n")
            pos += len(parts[-1])
        text = "".join(parts).rstrip()
        assert all(text[g["start"] : g["end"]] == g["text"] for g in gold)
        total += len(text.encode("utf-8"))
        yield {"id": d, "lang": lang, "text": text}, gold
        d += 1


# ------------------------------------------------------------------------------------------------------- queries
def _edit(s: str, r: random.Random) -> str:
    i = r.randrange(len(s))
    letters = "abcdefghijklmnoprstuvyz"
    op = r.choice(["sub", "ins", "del", "swap"])
    if op == "sub":
        return s[:i] + r.choice(letters.replace(s[i].lower(), "")) + s[i + 1 :]
    if op == "ins":
        return s[:i] + r.choice(letters) + s[i:]
    if op == "del" or i + 1 >= len(s):
        return s[:i] + s[i + 1 :]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def queries(ents: list[Entity], n: int, seed: int = SEED) -> list[dict]:
    """``n`` queries of each kind: 1 edit, 2 edits, re-romanised (an Arabic name spelled in mixed systems)."""
    r = random.Random(seed + 3)
    out: list[dict] = []
    for kind, edits in (("edit1", 1), ("edit2", 2)):
        while sum(q["kind"] == kind for q in out) < n:
            eid, _, _, aliases = r.choice(ents)
            alias = r.choice(aliases)[0]
            if len(alias) < 8:
                continue
            q = alias
            for _ in range(edits):
                q = _edit(q, r)
            out.append({"query": q, "entity": eid, "kind": kind})
    ar = [e for e in ents if any(a.startswith(("Abu ", "Ebu ")) or " ibn " in a for a, _ in e[3])]
    given = {g: g for g in AR_GIVEN}
    while sum(q["kind"] == "reromanised" for q in out) < n and ar:
        eid, _, _, aliases = r.choice(ar)
        words = aliases[1][0].split() if len(aliases) > 1 else aliases[0][0].split()
        table_keys = {unidecode(a).lower().replace("-", " ") for a, _ in aliases}
        mixed = []
        for w in words:  # re-spell each component from a randomly chosen system
            for comp in list(given) + AR_NISBA + [AR_KUNYA, AR_IBN]:
                if w in comp:
                    w = comp[r.randrange(4)]
                    break
            mixed.append(w)
        q = " ".join(mixed)
        if unidecode(q).lower().replace("-", " ") not in table_keys:
            out.append({"query": q, "entity": eid, "kind": "reromanised"})
    return out


# ----------------------------------------------------------------------------------------------------------- main
def paths(size: str, cache: Path = CACHE) -> dict[str, Path]:
    return {
        k: cache / f"{k}_{size}.{ext}"
        for k, ext in (("aliases", "tsv"), ("corpus", "jsonl"), ("gold", "jsonl"), ("queries", "jsonl"))
    }


def generate(
    size: str, corpus_mb: float = 20.0, n_queries: int = 300, cache: Path = CACHE, force: bool = False
) -> dict:
    """Write the files for one size (skipped when a stamp says they are up to date); returns their paths."""
    cache.mkdir(parents=True, exist_ok=True)
    p = paths(size, cache)
    stamp = cache / f"stamp_{size}.json"
    want = {"format": FORMAT, "seed": SEED, "size": SIZES[size], "corpus_mb": corpus_mb, "queries": n_queries}
    if (
        not force
        and stamp.exists()
        and json.loads(stamp.read_text()) == want
        and all(x.exists() for x in p.values())
    ):
        return p
    t0 = time.perf_counter()
    ents = table(SIZES[size])
    write_tsv(ents, p["aliases"])
    with p["corpus"].open("w", encoding="utf-8") as fc, p["gold"].open("w", encoding="utf-8") as fg:
        for doc, gold in corpus(ents, int(corpus_mb * 1e6)):
            fc.write(json.dumps(doc, ensure_ascii=False) + "\n")
            for g in gold:
                fg.write(json.dumps(g, ensure_ascii=False) + "\n")
    with p["queries"].open("w", encoding="utf-8") as fq:
        for q in queries(ents, n_queries):
            fq.write(json.dumps(q, ensure_ascii=False) + "\n")
    stamp.write_text(json.dumps(want))
    print(
        f"generated {size}: {len(ents)} entities, {SIZES[size]} aliases in {time.perf_counter() - t0:.1f}s -> {cache}"
    )
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--corpus-mb", type=float, default=20.0)
    ap.add_argument("--queries", type=int, default=300, help="fuzzy queries per kind")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    for size in args.sizes:
        generate(size, args.corpus_mb, args.queries, force=args.force)


if __name__ == "__main__":
    main()
