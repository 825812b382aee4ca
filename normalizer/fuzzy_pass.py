"""The fuzzy pass: multi-word names a few edits from an alias (typos, dropped letters), found selectively: the work
grows with the near misses in a text, not with its length (see :func:`fuzzy_mentions`)."""

from __future__ import annotations

import numpy as np

from . import compiled
from .context import window_key
from .decide import Taken, Thresholds, pick
from .names.index import VariantIndex
from .names.score import fuzzy_score
from .spans import GAP_OK, Token, edges_ok, runs, windows
from .tables import TableSet
from .types import Candidate, Explanation, Mention

_UNSEEN = object()


FUZZY_MARGIN = 0.05  # a fuzzy match must clear the variant threshold by this much
FUZZY_TOP = 8
FUZZY_MIN_LETTERS = 6  # consonants in the window's key: fewer is too little to go on without a key match
FUZZY_MAX_DF = 2_000  # a token in more aliases than this proposes none (Abu, Muhammad, State: they verify)


def fuzzy_mentions(tokens: list[Token], source: str, taken: list[tuple[int, int]], index: VariantIndex,
                   tables: TableSet, th: Thresholds, stopwords: frozenset[str], steps) -> list[Mention]:  # noqa: ANN001
    """Multi-word capitalised names a few edits from an alias (typos, dropped letters).

    Selective: the work grows with the near misses in the text, not with its windows.  Each capitalised word is
    looked up once in the fuzzy index's deletion table (and by its variant key) for the alias words it may spell;
    a window is considered only when every word of it is near some alias word and one of them is no alias word
    and no ordinary word (an ordinary word never starts a guess); the aliases holding near words of all its words
    but one are scored (romanised edit similarity, whole and per token).  Single words never match fuzzily."""
    out: list[Mention] = []
    taken_set = Taken(taken)
    free = [t for run in runs(tokens, source, taken_set) for t in run]  # particles and articles join runs
    names_at = [t for t in free if t.cap and t.key.kind == "name"]
    if len(names_at) < 2:
        return out
    tindex = index.token_index()
    common = index.variants.common_words
    memo = index.memo("fuzzy_near")
    # a guess starts at a word that is neither an alias word nor an ordinary word; only the words of its
    # capitalised run (and it) are looked up further
    unknown = index.memo("fuzzy_start")
    starts = set()
    for t in names_at:
        w = t.key.text
        got = unknown.get(w)
        if got is None:
            got = unknown[w] = t.folded not in common and tindex.token(w) is None
        if got:
            starts.add(w)
    if not starts:
        return out
    near_runs = [r for r in _runs(free, source) if len(r) > 1 and any(t.key.text in starts for t in r)]
    words = list(dict.fromkeys(t.key.text for r in near_runs for t in r if t.cap and t.key.kind == "name"))
    todo = [w for w in words if w not in memo]
    if todo:
        memo.update(zip(todo, tindex.near(todo, [index.variants.token(w).key for w in todo]), strict=True))
    near = {w: memo[w] for w in words}
    starts = {w for w in starts if near.get(w)}
    if not starts:
        return out
    in_runs = [t for r in near_runs if any(t.key.text in starts for t in r) for t in r]  # windows only there
    decided = index.memo("fuzzy_windows")
    for win in windows(in_runs, source, taken_set):
        if not win.at_edge:
            continue  # "President Recep Tayip Erdoan said": a name sits at an edge of its capitalised run
        names = [t for t in win.tokens if t.key.kind == "name"]
        if not 2 <= len(names) <= 5 or not all(t.cap for t in names) or taken_set.overlaps(win.start, win.end):
            continue
        if not any(t.key.text in starts for t in names) or not all(near.get(t.key.text) for t in names):
            continue
        if not edges_ok(win, stopwords) or len(window_key(win.keys).replace(" ", "")) < FUZZY_MIN_LETTERS:
            continue
        sig = tuple((t.folded, t.key.text) for t in win.tokens)  # the same words decide the same way
        c = decided.get(sig, _UNSEEN)
        if c is _UNSEEN:
            c = decided[sig] = _choose(win, names, near, index, tables, th)
        if c is None:
            continue  # nothing, or a near tie: a fuzzy guess between entities is never made
        text = source[win.start:win.end]
        expl = Explanation(window_key(win.keys), tuple(steps(text)), ("fuzzy-tokens",), c.features) if steps else None
        out.append(Mention(text, win.start, win.end, c.id, c.canonical, c.type, c.score, "fuzzy", c.alias, explain=expl))
        taken_set.add(win.start, win.end)
    return out


_NOTHING_TAKEN = bytearray()


def _runs(tokens: list[Token], source: str) -> list[list[Token]]:
    """Runs of adjacent tokens (only spaces, hyphens or apostrophes between them)."""
    if compiled.USE:  # normalizer/_spans.pyx: the same in C
        return compiled.spans.runs(tokens, source, _NOTHING_TAKEN, False)
    runs: list[list[Token]] = []
    for t in tokens:
        if runs and GAP_OK.fullmatch(source, runs[-1][-1].end, t.start):
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs


def _choose(win, names: list[Token], near: dict[str, set[int]], index: VariantIndex, tables: TableSet,  # noqa: ANN001
            th: Thresholds) -> Candidate | None:
    """The entity a window names, or None: the aliases holding near words of all its words but one are scored
    (romanised edit similarity, whole and aligned by token); a near tie between entities is no guess."""
    tindex = index.token_index()
    held = [tindex.holding(near[t.key.text], max_df=FUZZY_MAX_DF) for t in names]
    ids, counts = np.unique(np.concatenate(held), return_counts=True)
    cand = ids[counts >= len(names) - 1]
    if len(cand) > 4 * FUZZY_TOP:
        cand = cand[np.argsort(-counts[counts >= len(names) - 1], kind="stable")[:4 * FUZZY_TOP]]
    best: dict[str, tuple[float, Candidate]] = {}
    for i in cand.tolist():
        alias = tindex.aliases[i]
        if alias.case in ("exact", "upper"):
            continue
        atoks = index.alias_tokens(alias)
        if abs(sum(t.kind == "name" for t in atoks) - len(names)) > 1:
            continue  # a name of another length is another name, however alike the words
        ent = tables.entities[alias.entity_id]
        bar = th.threshold(ent.type, len(names)) + FUZZY_MARGIN
        score, feats = fuzzy_score(win.keys, atoks, min_whole=2 * bar / 0.9 - 1)
        if score < bar:
            continue
        if alias.entity_id not in best or best[alias.entity_id][0] < score:
            best[alias.entity_id] = (score, Candidate(ent.id, ent.name, ent.type, score, alias.text, "fuzzy", feats))
    chosen, _ = pick(list(best.values()), th.margin)
    return chosen
