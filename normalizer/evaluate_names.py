"""Scoring ``resolve()`` on a set of name queries (format of ``shared/eval/names-dev``), against brute force.

Each line of the queries file is ``{"query", "entity", "kind"[, "ambiguous"]}``.  For every line,
``Normalizer.resolve(query, limit=limit)``: acc@1 = a right entity first, r@k = one within the first ``limit``,
per ``kind`` and overall.  A query the file gives for several entities (the list gives it to each of them,
``ambiguous: true``) is right with any of them; only the entities the file gives count (the list may give the
name to entries whose queries are held out: such a miss is flagged ``ambiguous``).

In the same run, the reference: brute-force ``rapidfuzz.process.extractOne`` (and ``extract`` with the same
limit for r@k), ``fuzz.ratio``, over the primary names of the loaded entities after ``unidecode(name).lower()``,
the query processed the same way.  CPU time (``time.process_time``) per call of each is measured as well
(informational; after one warm-up ``resolve()`` call).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from unidecode import unidecode

from .pipeline import Normalizer

KINDS = ("spelling_variant", "original_script", "other_name")  # the names-dev kinds, in report order
ALL = "all"


@dataclass(frozen=True)
class NameQuery:
    query: str
    entity: str
    kind: str
    ambiguous: bool = False


@dataclass(frozen=True)
class KindScore:
    n: int
    at1: int  # right entity first
    atk: int  # right entity within the first ``limit``

    @property
    def acc1(self) -> float:
        return self.at1 / self.n if self.n else 0.0

    @property
    def recall_k(self) -> float:
        return self.atk / self.n if self.n else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "at1": self.at1, "atk": self.atk, "acc1": round(self.acc1, 4),
                "recall_k": round(self.recall_k, 4)}


@dataclass(frozen=True)
class Timing:
    """CPU time per call, in milliseconds."""
    median_ms: float
    p95_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        if not seconds:
            return cls(0.0, 0.0)
        ms = sorted(s * 1000 for s in seconds)
        return cls(statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))])

    def as_dict(self) -> dict[str, float]:
        return {"median_ms": round(self.median_ms, 4), "p95_ms": round(self.p95_ms, 4)}


@dataclass(frozen=True)
class Miss:
    """A query whose first candidate is not a right entity (``got`` is None when there is no candidate)."""
    query: str
    kind: str
    expected: tuple[str, ...]
    expected_names: tuple[str, ...]
    got: str | None
    got_name: str | None
    score: float | None
    ambiguous: bool = False  # flagged in the file: the list gives the name to other entries too, maybe unseen

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "kind": self.kind, "expected": list(self.expected),
                "expected_names": list(self.expected_names), "got": self.got, "got_name": self.got_name,
                "score": self.score, "ambiguous": self.ambiguous}


@dataclass(frozen=True)
class NamesReport:
    limit: int
    normalizer: dict[str, KindScore]  # per kind, and ``all``
    reference: dict[str, KindScore]
    misses: tuple[Miss, ...]  # the normalizer's, at @1, in file order
    normalizer_time: Timing
    reference_time: Timing
    unknown_ids: tuple[str, ...]  # expected entities the loaded tables do not have (always wrong)

    def as_dict(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "normalizer": {k: v.as_dict() for k, v in self.normalizer.items()},
            "reference": {k: v.as_dict() for k, v in self.reference.items()},
            "cpu_time_per_call": {"resolve": self.normalizer_time.as_dict(),
                                  "brute_force_extractOne": self.reference_time.as_dict()},
            "misses": [m.as_dict() for m in self.misses],
            "unknown_ids": list(self.unknown_ids),
        }

    def format(self, *, show_misses: int = 0) -> str:
        k = self.limit
        lines = [f"kind             |     n | resolve acc@1 r@{k} | brute force acc@1 r@{k}",
                 "-----------------+-------+-------------------+-----------------------"]
        for kind, s in self.normalizer.items():
            r = self.reference[kind]
            lines.append(f"{kind:<16} | {s.n:>5} | {s.acc1:>13.3f} {s.recall_k:.3f} | {r.acc1:>17.3f} {r.recall_k:.3f}")
        nt, rt = self.normalizer_time, self.reference_time
        lines.append(f"CPU time per call: resolve() median {nt.median_ms:.3f} ms, p95 {nt.p95_ms:.3f} ms; "
                     f"brute-force extractOne median {rt.median_ms:.3f} ms, p95 {rt.p95_ms:.3f} ms")
        if self.unknown_ids:
            lines.insert(0, f"expected ids with no entity in the loaded tables: {', '.join(self.unknown_ids)}")
        if show_misses > 0 and self.misses:
            lines.append(f"resolve() wrong at @1: {len(self.misses)} queries; the first {min(show_misses, len(self.misses))}"
                         " by kind:")
            rank = {k: i for i, k in enumerate(self.normalizer)}
            for m in sorted(self.misses, key=lambda m: rank[m.kind])[:show_misses]:  # by kind, then file order
                want = " | ".join(f"{i} {n}" for i, n in zip(m.expected, m.expected_names, strict=True))
                got = f"{m.got} {m.got_name} ({m.score})" if m.got else "no candidate"
                flag = " (ambiguous: the list gives it to other entries too)" if m.ambiguous else ""
                lines.append(f"  [{m.kind}] {m.query!r}: expected {want}{flag}; got {got}")
        elif self.misses:
            lines.append(f"resolve() wrong at @1: {len(self.misses)} queries (--show-misses N lists them)")
        return "\n".join(lines)


def read_queries(path: Path) -> list[NameQuery]:
    """The queries file; a bad line raises ``ValueError`` naming file and line."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{no}: not JSON: {exc.msg}") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{no}: expected an object")
            for key in ("query", "entity", "kind"):
                if not isinstance(row.get(key), str) or not row[key]:
                    raise ValueError(f"{path}:{no}: {key!r} must be a non-empty string")
            out.append(NameQuery(row["query"], row["entity"], row["kind"], bool(row.get("ambiguous", False))))
    return out


def reference_key(name: str) -> str:
    """The brute-force reference's processing of a name: ``unidecode(name).lower()``."""
    return unidecode(name).lower()


def _scores(right: list[tuple[bool, bool]], kinds: list[str]) -> dict[str, KindScore]:
    order = [k for k in KINDS if k in kinds] + sorted(set(kinds) - set(KINDS)) + [ALL]
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (first, within), kind in zip(right, kinds, strict=True):
        for key in (kind, ALL):
            acc[key][0] += 1
            acc[key][1] += first
            acc[key][2] += within
    return {k: KindScore(*acc[k]) for k in order}


def evaluate_names(norm: Normalizer, queries: Path | list[NameQuery], *, limit: int = 5) -> NamesReport:
    """Score ``norm.resolve`` on ``queries`` (a names.jsonl path or parsed queries) against brute force."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    rows = read_queries(queries) if isinstance(queries, Path) else list(queries)
    right_for: dict[str, set[str]] = defaultdict(set)  # a query given for several entities: each is right
    for q in rows:
        right_for[q.query].add(q.entity)
    entities = norm.tables.entities
    ids = list(entities)
    choices = [reference_key(entities[i].name) for i in ids]
    if rows:
        norm.resolve(rows[0].query, limit=limit)  # warm-up: lazily built indexes are not a query's cost
    ours: list[tuple[bool, bool]] = []
    ref: list[tuple[bool, bool]] = []
    misses: list[Miss] = []
    t_ours: list[float] = []
    t_ref: list[float] = []
    for q in rows:
        right = right_for[q.query]
        t0 = time.process_time()
        cands = norm.resolve(q.query, limit=limit)
        t_ours.append(time.process_time() - t0)
        got = [c.id for c in cands]
        ours.append((bool(got) and got[0] in right, any(i in right for i in got)))
        if not ours[-1][0]:
            exp = tuple(sorted(right))
            top = cands[0] if cands else None
            misses.append(Miss(q.query, q.kind, exp, tuple(entities[i].name if i in entities else "?" for i in exp),
                               top.id if top else None, top.canonical if top else None,
                               top.score if top else None, q.ambiguous))
        key = reference_key(q.query)
        t0 = time.process_time()
        best = process.extractOne(key, choices, scorer=fuzz.ratio)
        t_ref.append(time.process_time() - t0)
        top_k = process.extract(key, choices, scorer=fuzz.ratio, limit=limit)
        ref.append((best is not None and ids[best[2]] in right, any(ids[j] in right for _, _, j in top_k)))
    kinds = [q.kind for q in rows]
    unknown = tuple(sorted({q.entity for q in rows} - set(entities)))
    return NamesReport(limit, _scores(ours, kinds), _scores(ref, kinds), tuple(misses), Timing.of(t_ours),
                       Timing.of(t_ref), unknown)
