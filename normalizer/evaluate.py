"""Scoring against an annotated set (format of ``shared/eval/dev``): precision / recall / F1, strict and overlap,
overall and per language, with the most frequent missed and false strings.

Gold ids are mapped to the loaded tables' ids directly when they exist there, otherwise through canonical names
(then, failing a name spelt alike, through ``resolve()``: a clear top candidate of the gold's type)
(the gold table's ``name`` folded, looked up among the loaded entities' names and aliases).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pipeline import Normalizer
from .tables import load_tables


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Report:
    strict: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overlap: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    unlisted: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))  # gold spellings no alias lists
    missed: Counter = field(default_factory=Counter)
    false: Counter = field(default_factory=Counter)
    unmapped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "strict": {k: v.as_dict() for k, v in sorted(self.strict.items())},
            "overlap": {k: v.as_dict() for k, v in sorted(self.overlap.items())},
            "unlisted_recall": {k: round(v.recall, 4) for k, v in sorted(self.unlisted.items())},
            "top_missed": self.missed.most_common(15),
            "top_false": self.false.most_common(15),
            "unmapped_gold_ids": self.unmapped,
        }

    def format(self) -> str:
        langs = sorted(k for k in self.overlap if k != "all") + ["all"]
        lines = ["lang   |  strict P   R     F1  | overlap P   R     F1  | unlisted R |  gold  pred"]
        for lang in langs:
            s, o, u = self.strict[lang], self.overlap[lang], self.unlisted[lang]
            ur = f"{u.recall:.3f} ({u.tp + u.fn:>3})" if u.tp + u.fn else "    -     "
            lines.append(f"{lang:<6} | {s.precision:.3f} {s.recall:.3f} {s.f1:.3f} | {o.precision:.3f} {o.recall:.3f} "
                         f"{o.f1:.3f} | {ur} | {o.tp + o.fn:>5} {o.tp + o.fp:>5}")
        if self.missed:
            lines.insert(0, "top missed: " + ", ".join(f"{t!r}×{n}" for t, n in self.missed.most_common(12)))
        if self.false:
            lines.insert(0, "top false:  " + ", ".join(f"{t!r}×{n}" for t, n in self.false.most_common(12)))
        if self.unmapped:
            lines.insert(0, f"gold ids with no entity in the loaded tables: {', '.join(self.unmapped)}")
        o = self.overlap["all"]
        lines.append(f"overall overlap: P={o.precision:.3f} R={o.recall:.3f} F1={o.f1:.3f}  "
                     f"strict F1={self.strict['all'].f1:.3f}  unlisted R={self.unlisted['all'].recall:.3f}")
        return "\n".join(lines)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _id_map(norm: Normalizer, gold_ids: Iterable[str], gold_table: Path | None) -> tuple[dict[str, str], list[str]]:
    names: dict[str, str] = {}
    types: dict[str, str] = {}
    if gold_table and gold_table.exists():
        gold_entities = load_tables([gold_table]).entities.values()
        names = {e.id: e.name for e in gold_entities}
        types = {e.id: e.type for e in gold_entities}
    by_name: dict[str, str] = {}
    by_alias: dict[str, str] = {}
    for ent in norm.tables.entities.values():
        by_name.setdefault(norm.folder.fold_key(ent.name), ent.id)
        for a in ent.aliases:
            by_alias.setdefault(norm.folder.fold_key(a.text), ent.id)
    out: dict[str, str] = {}
    unmapped = []
    for gid in sorted(set(gold_ids)):
        if gid in norm.tables.entities:
            out[gid] = gid
            continue
        key = norm.folder.fold_key(names.get(gid, ""))
        target = by_name.get(key) or by_alias.get(key) or _resolved(norm, names.get(gid, ""), types.get(gid))
        if target:
            out[gid] = target
        else:
            unmapped.append(gid)
    return out, unmapped


MAP_SCORE, MAP_MARGIN = 0.85, 0.05


def _resolved(norm: Normalizer, name: str, etype: str | None) -> str | None:
    """The loaded entity a gold name resolves to when no name or alias is spelt like it (GeoNames writes
    Zaporizhzhya for the gold's Zaporizhzhia): the top candidate, of the gold's type, clearly ahead."""
    if not name:
        return None
    got = norm.resolve(name, limit=2)
    if not got or got[0].score < MAP_SCORE or (etype and got[0].type != etype):
        return None
    if len(got) > 1 and got[0].score - got[1].score < MAP_MARGIN:
        return None
    return got[0].id


def evaluate(norm: Normalizer, texts: Path, gold: Path, *, gold_table: Path | None = None, use_lang: bool = True) -> Report:
    docs = _read_jsonl(texts)
    golds = _read_jsonl(gold)
    if gold_table is None:
        cand = gold.parent / "user_table.yaml"
        gold_table = cand if cand.exists() else None
    idmap, unmapped = _id_map(norm, (g["entity"] for g in golds), gold_table)
    listed = set(idmap.values())
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in golds:
        by_doc[g["doc"]].append(g)
    rep = Report(unmapped=unmapped)
    fk = norm.folder.fold_key
    for doc in docs:
        lang = doc.get("lang", "und")
        result = norm.normalize(doc["text"], lang=lang if use_lang else None)
        gl = by_doc.get(doc["id"], [])
        preds = [m for m in result.mentions
                 if m.id in listed or any(m.start < g["end"] and g["start"] < m.end for g in gl)]
        for mode, counts in (("strict", rep.strict), ("overlap", rep.overlap)):
            used: set[int] = set()
            for g in gl:
                want = idmap.get(g["entity"])
                hit = None
                for i, m in enumerate(preds):
                    if i in used or m.id is None or m.id != want:
                        continue
                    same = m.start == g["start"] and m.end == g["end"]
                    if same or (mode == "overlap" and m.start < g["end"] and g["start"] < m.end):
                        hit = i
                        break
                ent = norm.tables.entities.get(want or "")
                is_listed = ent is not None and fk(g["text"]) in {fk(a.text) for a in ent.aliases}
                for key in (lang, "all"):
                    if hit is None:
                        counts[key].fn += 1
                    else:
                        counts[key].tp += 1
                    if mode == "overlap" and not is_listed:
                        bucket = rep.unlisted[key]
                        bucket.tp += hit is not None
                        bucket.fn += hit is None
                if hit is not None:
                    used.add(hit)
                elif mode == "overlap":
                    rep.missed[g["text"]] += 1
            for i, m in enumerate(preds):
                if i not in used:
                    counts[lang].fp += 1
                    counts["all"].fp += 1
                    if mode == "overlap":
                        rep.false[f"{m.text}->{m.id}"] += 1
    return rep
