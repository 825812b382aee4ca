"""The variant pass after exact alias matching: windows of the text whose name key meets an alias's key.

It produces :class:`~normalizer.types.Mention` objects with ``method`` "variant" (a guess the document supports
carries the rule ``context:corroborated``) that never overlap what an earlier pass found.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import replace

from .context import window_key
from .decide import Taken, Thresholds
from .names.index import VariantIndex
from .spans import MAX_WINDOW, Token, Window, edges_ok, run_windows, runs
from .tables import TableSet
from .types import Explanation, Mention, new_mention
from .variant_decide import decide_readings


def variant_mentions(tokens: list[Token], source: str, taken: list[tuple[int, int]], index: VariantIndex,
                     tables: TableSet, th: Thresholds, stopwords: frozenset[str], steps,  # noqa: ANN001
                     known_ids: set[str] | frozenset[str] = frozenset()) -> list[Mention]:
    """Mentions of the windows of the name-like runs of ``tokens`` (see module doc), never overlapping ``taken``."""
    out: list[Mention] = []
    weak: list[Mention] = []
    taken = Taken(taken)
    tokens = [t for t in tokens if index.may_match(t.key) or (t.upper and len(t.folded) == 1)]  # U.N.: dotted
    keep = _keeper(index)
    memo = index.memo("variant_runs")
    for run in runs(tokens, source, taken):
        # the same words decide the same way wherever they stand: news repeats its names (memo per index; a
        # run with single capitals is read afresh: whether dots join them is not in its words)
        sig = None if steps or any(t.upper and len(t.folded) == 1 for t in run) else (stopwords, _words(run))
        decided = memo.get(sig) if sig is not None else None
        if decided is None:
            decided = _decide_run(run, source, index, tables, th, stopwords, steps, keep)
            if sig is not None:
                memo[sig] = decided
        else:  # the same decisions at this run's offsets
            decided = [(i, size, _moved(m, source, run[i].start, run[i + size - 1].end), w)
                       for i, size, m, w in decided]
        for _, _, m, weak_match in decided:
            if weak_match:
                if m.id is not None:
                    weak.append(m)
                continue
            out.append(m)
            taken.add(m.start, m.end)
    found = set(known_ids) | {m.id for m in out if m.id}
    for m in weak:
        if m.id in found and not taken.overlaps(m.start, m.end):
            out.append(replace(m, explain=replace(m.explain, rules=m.explain.rules + ("context:corroborated",))
                               if m.explain else None))
            taken.add(m.start, m.end)
    return out


def _keeper(index: VariantIndex) -> Callable[[list[Token]], Container[tuple[int, int]]]:
    """``run_windows``' ``keep``: the windows with some alias to read (:meth:`VariantIndex.keyed_windows`), and
    runs of single capitals (dotted acronyms)."""
    by_key = index.by_key

    def keep(run: list[Token]) -> Container[tuple[int, int]]:
        if len(run) == 1:  # most runs: one capitalised word, read as it is or with a case ending off
            k = run[0].key
            return _ONE if by_key.get(k.key) or any(by_key.get(s.key) for s in k.stems) else ()
        got = index.keyed_windows([t.key for t in run], MAX_WINDOW)
        letters = [t.upper and len(t.folded) == 1 for t in run]
        if sum(letters) < 2:
            return got
        got = set(got)
        for i, one in enumerate(letters):
            size = 1
            while one and i + size < len(run) and letters[i + size] and size < MAX_WINDOW:
                size += 1
                got.add((i, size))
        return got

    return keep


def _decide_run(run: list[Token], source: str, index: VariantIndex, tables: TableSet, th: Thresholds,  # noqa: PLR0913
                stopwords: frozenset[str], steps, keep) -> list[tuple[int, int, Mention, bool]]:  # noqa: ANN001
    """The mentions one run makes, as ``(first token, tokens, mention, weak)``: its windows longest first, each
    not overlapping a mention made before it (a weak one counts only if the document names its entity too)."""
    decided: list[tuple[int, int, Mention, bool]] = []
    at = {t.start: i for i, t in enumerate(run)}
    taken = Taken()
    memo = index.memo("variant_windows")
    for win in run_windows(run, keep):
        if taken.overlaps(win.start, win.end):
            continue
        if not edges_ok(win, stopwords):
            continue
        place = (at[win.start], len(win.tokens))
        if len(win.tokens) > 1 and all(t.upper and len(t.folded) == 1 for t in win.tokens) and all(
                "." in source[a.end:b.start] for a, b in zip(win.tokens, win.tokens[1:], strict=False)):
            m = _dotted_acronym(win, source, index, tables, steps)  # U.N. = UN
            if m is not None:
                decided.append((*place, m, False))
                taken.add(m.start, m.end)
            continue
        sig = None if steps else _words(win.tokens)
        best = memo.get(sig, _UNSEEN) if sig is not None else _UNSEEN
        if best is _UNSEEN:
            best = decide_readings(win, window_key(win.keys), source, index, tables, th, steps)
            if sig is not None:
                memo[sig] = best
        elif best is not None:
            best = (_moved(best[0], source, win.start, win.end), best[1])
        if best is None:
            continue
        m, weak_match = best
        decided.append((*place, m, weak_match))
        if not weak_match:
            taken.add(m.start, m.end)
    return decided


def _words(tokens: Sequence[Token]) -> tuple:
    """What a decision on these tokens depends on (the memos' keys): each word as written, read and cased."""
    return tuple((t.folded, t.key.text, t.key.key, t.key.lang, t.cap, t.upper) for t in tokens)


def _moved(m: Mention, source: str, start: int, end: int) -> Mention:
    """A remembered mention at other offsets of the text (the same words)."""
    return new_mention(source[start:end], start, end, m.id, m.canonical, m.type, m.score, m.method, m.alias, m.lang,
                       m.inflected, m.ambiguous, m.candidates, m.explain)


_UNSEEN = object()
_ONE = frozenset({(0, 1)})


def _dotted_acronym(win: Window, source: str, index: VariantIndex, tables: TableSet, steps) -> Mention | None:  # noqa: ANN001
    letters = "".join(t.folded for t in win.tokens)
    ids = {a.entity_id: a for a in index.acronyms.get(letters, ())}
    if len(ids) != 1:
        return None
    alias = next(iter(ids.values()))
    ent = tables.entities[alias.entity_id]
    end = win.end + 1 if source[win.end:win.end + 1] == "." else win.end
    text = source[win.start:end]
    expl = Explanation(letters, tuple(steps(text)), ("dotted-acronym",)) if steps else None
    return Mention(text, win.start, end, ent.id, ent.name, ent.type, 0.9, "variant", alias.text, explain=expl)
