"""Borrowed names in results: the ordinary-word rule and explain's provenance.

A borrowed name (see :mod:`normalizer.kb.link`) goes through the matcher like any table alias: same folding,
case rules (a capitalised name needs a capital in the text), inflections and decisions.  Two rules more, each
waived where the document names the same entity another way: a borrowed name that is an ordinary word somewhere
(``Mali`` is Turkish for *financial*, ``Nice`` an English adjective, ``مالي`` Arabic for *financial*) counts only
where its capital is evidence (inside a sentence, not next to another capitalised word); and one capitalised word
naming a KB entity no table asked for (bundled mode) does not count next to another capitalised word
(``Queen Victoria``, ``Santiago Abascal``: part of another name).  Explain mode shows where each borrowed name comes from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..types import Entity, Mention
from .link import BORROWED, ONE_WORD, ORDINARY

_OPENERS = frozenset("\"'“”‘’«»„([{—–-*•·")
_ENDS = frozenset(".!?…:;\n\r")


def borrowed_source(entities: Mapping[str, Entity], memo: dict, eid: str, alias: str) -> str | None:
    """The ``source`` of entity ``eid``'s borrowed alias spelt ``alias`` (None: not borrowed)."""
    per = memo.get(eid)
    if per is None:
        ent = entities.get(eid)
        per = memo[eid] = {} if ent is None else {a.text: a.source for a in ent.aliases
                                                   if a.source.startswith((BORROWED, ORDINARY, ONE_WORD))}
    return per.get(alias)


_NAMES = ("borrowed names",)  # borrowed_names' entry in the memo (borrowed_source's entries: entity ids)


def borrowed_names(entities: Mapping[str, Entity], memo: dict) -> dict[str, frozenset[str]]:
    """Entity id -> the texts of its borrowed aliases, for the entities that have any (built once per memo): a
    mention whose (id, alias) is not in it has no ``borrowed_source``, so ``borrowed_checks`` has nothing to do."""
    names = memo.get(_NAMES)
    if names is None:
        prefixes = (BORROWED, ORDINARY, ONE_WORD)
        names = {}
        for eid, ent in entities.items():
            texts = frozenset(a.text for a in ent.aliases if a.source.startswith(prefixes))
            if texts:
                names[eid] = texts
        memo[_NAMES] = names
    return names


def sentence_initial(text: str, start: int) -> bool:
    """Does ``text[start:]`` begin a sentence (only openers and spaces after a sentence end or the text start)?

    >>> sentence_initial("Mali destek. Mali", 13), sentence_initial("in Mali", 3), sentence_initial('"Nice', 1)
    (True, False, True)
    """
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        if text[i] in "\n\r":
            return True
        i -= 1
    return i < 0 or text[i] in _ENDS


def capital_evidence(text: str, m: Mention) -> bool:
    """Is the mention's capital letter evidence of this name: cased script, capitalised, inside a sentence, not in
    a run of capitals (a headline), and not next to another capitalised word (``Queen Victoria``, ``Santiago
    Abascal``, ``Van Gölü``: part of another name)?

    >>> capital_evidence("We drove to Nice.", Mention("Nice", 12, 16, "x", "Nice", "location", 1.0, "exact", "Nice"))
    True
    >>> capital_evidence("So Queen Victoria came.", Mention("Victoria", 9, 17, "x", "V", "location", 1.0, "exact", "V"))
    False
    """
    first = m.text[:1]
    if not first or first.lower() == first.upper() or not first.isupper():
        return False
    if m.text.isupper() and len(m.text) > 1:
        return False
    return not (sentence_initial(text, m.start) or _capitalised_neighbour(text, m.start, m.end))


def _capitalised_neighbour(text: str, start: int, end: int) -> bool:
    """Is the word just before ``start`` (not a sentence's first word) or just after ``end`` (spaces between,
    nothing else) capitalised?

    >>> _capitalised_neighbour("Heyet Minsk'e gitti", 6, 11), _capitalised_neighbour("a Queen Victoria", 8, 16)
    (False, True)
    """
    i = start - 1
    if i >= 0 and text[i] == " ":
        while i >= 0 and text[i] == " ":
            i -= 1
        j = i
        while j >= 0 and (text[j].isalpha() or text[j] in "-'’."):
            j -= 1
        word = text[j + 1 : i + 1]
        if word[:1].isupper() and not sentence_initial(text, j + 1):  # not just a sentence's first word
            return True
    k = end
    if k < len(text) and text[k] == " ":
        while k < len(text) and text[k] == " ":
            k += 1
        if k < len(text) and text[k].isupper():
            return True
    return False


def borrowed_checks(mentions: list[Mention], text: str, entities: Mapping[str, Entity], memo: dict, *,
                    explain: bool, only: Sequence[int] | None = None) -> list[Mention]:
    """Drop ordinary-word borrowed mentions without evidence; in explain mode, name each borrowed name's source.
    ``only``: the indexes of the mentions that may be borrowed names, in order (None: all)."""
    needs: list[int] = []
    out = list(mentions)
    names = borrowed_names(entities, memo)
    for i in range(len(out)) if only is None else only:
        m = out[i]
        per = names.get(m.id) if m.id is not None else None
        if per is None or m.alias not in per:
            continue  # not a borrowed name (no borrowed_source)
        src = borrowed_source(entities, memo, m.id, m.alias)
        if src is None:
            continue
        if (src.startswith(ORDINARY) and not capital_evidence(text, m)) or (
                src.startswith(ONE_WORD) and _capitalised_neighbour(text, m.start, m.end)):
            needs.append(i)
        if explain and m.explain is not None:
            kind, _, rest = src.partition(":")
            origin, _, kb_id = rest.partition(":")
            rule = f"borrowed: from the knowledge base ({origin}, {kb_id})"
            if kind + ":" == ORDINARY:
                rule += "; an ordinary word somewhere: needs a capital inside a sentence or another mention"
            elif kind + ":" == ONE_WORD:
                rule += "; one word of an entity no table asked for: not next to another capitalised word"
            out[i] = replace(m, explain=replace(m.explain, rules=(*m.explain.rules, rule)))
    if not needs:
        return out
    # an entity another mention names (one that needs nothing) supports its borrowed mentions
    pending = set(needs)
    supported = {m.id for i, m in enumerate(out) if m.id is not None and i not in pending}
    drop = {i for i in needs if out[i].id not in supported}
    return [m for i, m in enumerate(out) if i not in drop]
