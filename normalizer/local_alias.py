"""Document-local aliases: another name a text itself gives to an entity it has just named.

``Hudhaifa al-Mouri, codenamed "Ayyoub"``, ``Daesh (also known as ISIS/ISIL/IS)``, ``‘Yahya’ kod adlı Mehmet
Gören``: the phrase (data: ``data/local_alias.yaml``) ties the name in quotes, or the run of capitalised words, to
the mention next to it; that name, here and wherever else the document repeats it, is a mention of the same entity
(method ``context``, rule ``context:local-alias``).  Nothing is learnt beyond the document.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import yaml

from .decide import Taken
from .fold import DATA_DIR
from .types import Explanation, Mention

SCORE_LOCAL_ALIAS = 0.85
_LEAD = re.compile(r"[\s,(]*")  # what the phrase after a name may follow it with (after_re's start)
_DEFAULT = str(DATA_DIR / "local_alias.yaml")
_OPEN, _CLOSE = "\"“”‘’'«»„", "\"“”‘’'«»"
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-ÞĞİŞ][\w'’.-]*|(?:al|el|ul|bin|ibn|abu|ebu|abou|de|du|von)(?=[\s-]))"


@lru_cache(maxsize=4)
def _patterns(path: str) -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str], tuple[str, ...]]:
    """The two phrase patterns, the last words of the phrases before a name and the first words of those after."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    after = sorted({p for ps in data["after_name"].values() for p in ps}, key=len, reverse=True)
    before = sorted({p for ps in data["before_name"].values() for p in ps}, key=len, reverse=True)
    words = rf"{_NAME_WORD}(?:[\s/-]+{_NAME_WORD}){{0,5}}"
    quoted = rf"[{_OPEN}](?P<q>[^{_CLOSE}\n]{{2,80}}?)[{_CLOSE}]"
    # Name[,] (also known as | codenamed) "Alias" -- the mention ends just before
    after_re = re.compile(rf"[\s,(]*(?:{'|'.join(map(_phrase, after))})[\s:]*(?:{quoted}|(?P<w>{words}))")
    # "Alias" kod adlı Name -- the mention starts just after
    before_re = re.compile(rf"(?:{quoted}|(?P<w>{words}))\s+(?:{'|'.join(map(_phrase, before))})\s+$")
    return after_re, before_re, frozenset(p.split()[-1] for p in before), tuple({p.split()[0] for p in after})


def _phrase(p: str) -> str:
    return r"\s+".join(map(re.escape, p.split()))


def local_alias_mentions(mentions: list[Mention], source: str, steps, *, path: Path | None = None) -> list[Mention]:  # noqa: ANN001
    """``mentions`` plus the mentions of the names the document ties to them (see module doc)."""
    after_re, before_re, before_last, after_first = _patterns(_DEFAULT if path is None else str(path))
    found: dict[str, Mention] = {}  # alias text -> the mention it names
    for m in mentions:
        if m.id is None:
            continue
        # a phrase starts right after the mention (a cheap test first: its first word, after spaces and commas)
        if source.startswith(after_first, _LEAD.match(source, m.end).end()):
            got = after_re.match(source, m.end)
            if got is not None:
                _collect(got, m, found)
        head = source[m.start - 120 if m.start > 120 else 0:m.start]
        last = head.rstrip().rsplit(None, 1)
        if not last or last[-1] not in before_last:  # the phrase ends just before the mention (a cheap test first)
            continue
        got = before_re.search(head)
        if got is not None:
            _collect(got, m, found)
    if not found:
        return mentions
    taken = Taken((m.start, m.end) for m in mentions if m.method != "context")
    kept = [m for m in mentions if m.method != "context"]
    soft = [m for m in mentions if m.method == "context"]  # a guessed short form yields to a name the text gives
    out: list[Mention] = []
    for alias, spans in occurrences(sorted(found, key=len, reverse=True), source):
        owner = found[alias]
        for s, e in spans:
            if taken.overlaps(s, e):
                continue
            rules = ("context:local-alias",)
            expl = Explanation(alias, tuple(steps(alias)), rules, {"named_by": owner.text}) if steps else None
            out.append(Mention(alias, s, e, owner.id, owner.canonical, owner.type, SCORE_LOCAL_ALIAS, "context",
                               owner.alias, lang=owner.lang, explain=expl))
            taken.add(s, e)
    soft = [m for m in soft if not taken.overlaps(m.start, m.end)]
    return kept + soft + out


def _collect(got: re.Match[str], owner: Mention, found: dict[str, Mention]) -> None:
    text = got.group("q") or got.group("w") or ""
    for part in re.split(r"\s*/\s*", text.strip(" ,.;:")):
        part = part.strip(" ,.;:")
        if 2 <= len(part) <= 80 and len(part.split()) <= 6 and (part[0].isupper() or not part[0].isascii()):
            found.setdefault(part, replace(owner, explain=None))


_WORD = re.compile(r"\w+")


def occurrences(aliases: list[str], source: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """Each alias (in the order given) with its whole-word occurrences in ``source``, left to right and not
    overlapping each other: what ``re.finditer(rf"(?<!\\w){re.escape(alias)}(?!\\w)", source)`` gives, found in
    one pass over the words of ``source`` (aliases indexed by their first word) instead of one pass per alias,
    which was quadratic when a long text names many local aliases.

    >>> occurrences(["Abu Ali", "Ali"], "Abu Ali and Ali, Alia; Abu Ali")
    [('Abu Ali', [(0, 7), (23, 30)]), ('Ali', [(4, 7), (12, 15), (27, 30)])]
    """
    found: dict[str, list[tuple[int, int]]] = {a: [] for a in aliases}
    by_first_word: dict[str, list[str]] = {}
    for alias in aliases:
        first = _WORD.match(alias)
        if first is None:  # starts with a non-word character (rare): searched on its own
            found[alias] = [m.span() for m in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", source)]
        else:
            by_first_word.setdefault(first.group(), []).append(alias)
    if by_first_word:  # the words of source that are some alias's first word, found by one pattern
        firsts = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, by_first_word))})(?!\w)")
        for word in firsts.finditer(source):
            for alias in by_first_word[word.group()]:
                s = word.start()
                e = s + len(alias)
                if source.startswith(alias, s) and _WORD.match(source, e) is None:
                    spans = found[alias]
                    if not spans or spans[-1][1] <= s:
                        spans.append((s, e))
    return [(a, found[a]) for a in aliases]
