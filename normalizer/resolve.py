"""``Normalizer.resolve``: one name in, ranked candidates out (same folding and tables as ``normalize``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from .types import Candidate

if TYPE_CHECKING:
    from .pipeline import Normalizer


def resolve_name(norm: Normalizer, name: str, *, limit: int = 5, lang: str | None = None) -> list[Candidate]:
    key = norm.folder.fold_key(name)
    if not key or limit <= 0:
        return []
    entries = norm.matcher.entries
    out: dict[str, Candidate] = {}
    entry = entries.get(key)
    if entry is not None:
        for a in entry.aliases:
            ent = norm.tables.entities[a.entity_id]
            method = "exact" if a.text == name.strip() else "folded"
            score = 1.0 if method == "exact" else 0.95
            if a.entity_id not in out or out[a.entity_id].score < score:
                out[a.entity_id] = Candidate(ent.id, ent.name, ent.type, score, a.text, method, {"key": key})
    keys = norm.matcher.key_list
    for cand_key, sim, _ in process.extract(key, keys, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=60):
        for a in entries[cand_key].aliases:
            if a.entity_id in out:
                continue
            ent = norm.tables.entities[a.entity_id]
            out[a.entity_id] = Candidate(ent.id, ent.name, ent.type, round(sim / 100 * 0.9, 4), a.text, "fuzzy",
                                         {"key": cand_key, "ratio": round(sim, 1)})
    return sorted(out.values(), key=lambda c: (-c.score, c.id))[:limit]
