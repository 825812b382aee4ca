"""The matcher's hot path: run the automata over a folded text and turn raw matches into :class:`Hit` tuples.

Per raw match the work is a few integer and string tests; a key's aliases are read from the columns once
(:meth:`AliasMatcher.record <normalizer.matcher.AliasMatcher.record>`, memoised) as plain tuples, and spans are
mapped back to the caller's offsets with one ``bisect`` over the fold's breakpoints (the fast fold only ever
removes spaces, so original index = folded index + spaces removed before it).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from . import compiled
from .affixes import Affixes, case_flags, shouting
from .fastfold import FastAux
from .fold import Folded

if TYPE_CHECKING:
    from .matcher import AliasMatcher


F_ARABIC, F_ARTICLE, F_UPPER, F_NEEDCAP = 1, 2, 4, 8  # key flags (F_NEEDCAP: every alias needs a capital)
_APOSTROPHES = frozenset("'’ʼ‘`´′")
_PLAIN_RULES = {rule: ("alias", f"case:{rule}") for rule in ("any", "cased", "upper", "exact")}
_FALLBACK = ("fallback:shorter",)
Span = Callable[[int, int], tuple[int, int]]  # folded [a, b) -> original [start, end)

# A Row is one alias of a key: (text, case rule, lang, derived, (entity id, canonical name, entity type)).
Row = tuple[str, str, str, bool, tuple[str, str, str]]


class Hit(NamedTuple):
    """A raw match in original offsets, before entity decisions."""

    start: int
    end: int
    rows: tuple[Row, ...]  # the key's aliases whose case rule the text satisfies
    rules: tuple[str, ...]
    inflected: bool
    fend: int  # end in the padded folded text (internal: where a re-scan restarts)
    key: str  # the folded key that matched


_hit = tuple.__new__  # Hit without the NamedTuple's Python-level __new__


def _to_chars(raw: bytes, matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """UTF-8 byte offsets -> str offsets for non-overlapping matches in increasing order."""
    out = []
    pb = pc = 0
    for s, e, p in matches:
        pc += len(raw[pb:s].decode("utf-8"))
        ce = pc + len(raw[s:e].decode("utf-8"))
        out.append((pc, ce, p))
        pb, pc = e, ce
    return out


def _identity(a: int, b: int) -> tuple[int, int]:
    return a, b


def _fast_span(folded: Folded) -> Span:
    """``Folded.span`` for a fast-path fold (only space runs collapsed, so the map is strictly increasing)."""
    fpos, n, total = folded.fpos, len(folded.text), len(folded.source)
    if not fpos:
        return _identity if n == total else folded.span

    def span(a: int, b: int) -> tuple[int, int]:
        return a + bisect_right(fpos, a), (b + bisect_right(fpos, b) if b < n else total)

    return span


class Scanner:
    """Mixin of :class:`~normalizer.matcher.AliasMatcher`: ``find`` and the per-match checks."""

    affixes: Affixes

    def find(self: AliasMatcher, folded: Folded, lang: str | None = None) -> list[Hit]:
        """All alias hits in ``folded``, in original offsets (may overlap; see decide)."""
        suffixes = self.affixes.suffixes(lang)
        if compiled.USE:  # normalizer/_scan.pyx: the same steps as below, in C
            return compiled.scan.find(self, folded, suffixes, self.folder._fast, FastAux, Hit, _PLAIN_RULES,
                                         self.record_memo)
        hits: list[Hit] = []
        padded = " " + folded.text
        aux = folded.aux if isinstance(folded.aux, FastAux) and folded.aux.fast is self.folder._fast else None
        caps = aux.fast.capitals(aux.private) if aux is not None else None
        if self._main is not None:
            if aux is not None:
                self._scan(self._main, self._main_keys, folded, padded, b" " + aux.collapsed, _fast_span(folded),
                           caps, suffixes, hits)
            else:
                self._scan(self._main, self._main_keys, folded, padded, None, folded.span, None, suffixes, hits)
        if self._upper is not None:
            if aux is not None:  # capitals-only keys on the case-inverted fold: identity offsets
                plain = Folded(aux.raw.decode("ascii"), folded.source)
                self._scan(self._upper, self._upper_keys, plain, " " + plain.text,
                           b" " + aux.fast.upper(aux.private), _identity, caps, suffixes, hits)
            else:
                self._scan(self._upper, self._upper_keys, folded, padded, None, folded.span, None, suffixes, hits)
        return hits

    def compiled_view(self: AliasMatcher):  # noqa: ANN201
        """What the compiled scan reads from this matcher (normalizer/_scan.pyx), made once."""
        return self.__dict__.get("_compiled_view") or compiled.scan.view(
            self, self.folder._fast, FastAux, Hit, _PLAIN_RULES, self.record_memo)

    @staticmethod
    def _matches(ac, padded: str, raw: bytes | None, lo: int, hi: int) -> list[tuple[int, int, int]]:  # noqa: ANN001
        """Leftmost-longest matches in ``padded[lo:hi]`` in str offsets (``raw``: the same text as ASCII bytes)."""
        if raw is not None:
            ms = ac.find(raw if lo == 0 and hi == len(raw) else raw[lo:hi])
        else:
            sub = padded[lo:hi]
            if sub.isascii():
                ms = ac.find(sub.encode("ascii"))
            else:
                b = sub.encode("utf-8")
                ms = _to_chars(b, ac.find(b))
        return [(s + lo, e + lo, p) for s, e, p in ms] if lo else ms

    def _scan(self: AliasMatcher, ac, pkeys: array, folded: Folded, padded: str, raw: bytes | None,  # noqa: ANN001
              span: Span, caps: bytes | None, suffixes: frozenset[str], hits: list[Hit]) -> None:
        """``caps``: :meth:`FastFold.capitals` of the source, to drop matches of keys that need a capital where the
        text has none without a call to ``_accept`` (which would reject them the same way)."""
        n = len(padded)
        todo = [(0, n)]
        flags, short, accept, maxlen = self._flags, self.affixes.min_alias_length + 1, self._accept, self.max_key_len
        find = padded.find
        while todo:
            lo, hi = todo.pop()
            for s, e, p in self._matches(ac, padded, raw, lo, hi):
                k = pkeys[p]
                if e < n and padded[e] != " " and not flags[k] & F_ARABIC and find(" ", s + 1, e) == -1:
                    # one word ending inside a longer one: only a fused suffix can save it (no shorter key)
                    if e - s < short:
                        continue
                    w = find(" ", e)
                    if padded[e:n if w == -1 else w] not in suffixes:
                        continue
                f = flags[k]
                if (f & F_NEEDCAP and caps is not None and not f & F_ARABIC and (e == n or padded[e] == " ")
                        and (f & F_UPPER or find(" ", s + 1, e) == -1)):
                    a, b = span(s, e - 1)
                    if caps.find(85, a, b) == -1:  # no capital: _accept's F_NEEDCAP test rejects it
                        continue
                hit = accept(folded, padded, span, caps, k, s, e, suffixes)
                if hit is not None:
                    hits.append(hit)
                    if hit[3][-1] == "fallback:shorter":
                        todo.append((hit[5], min(n, e + maxlen)))
                else:  # rejected: what started inside this span was hidden by it; look again
                    nxt = find(" ", s + 1, e)
                    if nxt != -1:
                        todo.append((nxt, min(n, e + maxlen)))

    def _accept(self: AliasMatcher, folded: Folded, padded: str, span: Span, caps: bytes | None, k: int, s: int,
                e: int, suffixes: frozenset[str]) -> Hit | None:
        flags = self._flags[k]
        rules: list[str] | None = None
        if flags & F_ARABIC:
            ws = padded.rfind(" ", 0, s) + 1
            prefix = padded[ws:s]
            if prefix:
                if not self.affixes.proclitic_re.match(prefix):
                    return None
                rules = [f"proclitic:{prefix}"]
            if flags & F_ARTICLE and not (prefix.endswith(self.affixes.article) or prefix.endswith("لل")):
                return None
            name_start = s
        else:
            name_start = s + 1
        inflected = False
        n = len(padded)
        if e < n and padded[e] != " ":
            w = padded.find(" ", e)
            tail = padded[e:n if w == -1 else w]
            if e - name_start >= self.affixes.min_alias_length and tail in suffixes:
                inflected = True
                rules = (rules or []) + [f"suffix-fused:{tail}"]
            else:
                return self._shorter(folded, padded, span, caps, s, e, suffixes)
        source = folded.source
        start, end = span(name_start - 1, e - 1)
        text = source[start:end]
        if caps is None:
            has_upper, all_upper = case_flags(text)
        else:  # the same tests on the case marks
            has_upper = caps.find(85, start, end) != -1
            all_upper = has_upper and caps.find(108, start, end) == -1
        if flags & F_NEEDCAP and not has_upper:  # lower-case 'time' for the acronym TIME: no alias can accept it
            if flags & F_UPPER or " " not in padded[s + 1:e]:
                return None
            return self._shorter(folded, padded, span, caps, s, e, suffixes)
        rows = self._records.get(k) or self.record(k)
        if end < len(source) and source[end] in _APOSTROPHES and e < n - 1:
            rules = (rules or []) + ["suffix-apostrophe"]
        if len(rows) == 1:
            case = rows[0][1]
            ok = rows if (case == "any" or (has_upper if case == "cased" else all_upper if case == "upper"
                                            else text == rows[0][0])) else ()
        else:
            ok = tuple(r for r in rows if (r[1] == "any" or (has_upper if r[1] == "cased" else all_upper
                                                             if r[1] == "upper" else text == r[0])))
        key = padded[name_start:e]
        if not ok:
            return self._shorter(folded, padded, span, caps, s, e, suffixes) if " " in key else None
        if len(key) <= 2 and all(r[1] == "upper" for r in ok) and shouting(source, start, end):
            return None
        if inflected:
            w = padded.find(" ", e)
            end = span(name_start - 1, (n if w == -1 else w) - 1)[1]
        if rules:
            return _hit(Hit, (start, end, ok, ("alias", *rules, f"case:{ok[0][1]}"), inflected, e, key))
        return _hit(Hit, (start, end, ok, _PLAIN_RULES[ok[0][1]], inflected, e, key))

    def _shorter(self: AliasMatcher, folded: Folded, padded: str, span: Span, caps: bytes | None, s: int, e: int,
                 suffixes: frozenset[str]) -> Hit | None:
        """The longest match at ``s`` failed (word boundary or case): try the longest shorter key there."""
        pos = padded.rfind(" ", s + 1, e)
        arabic = bool(self._arabic_re.match(padded, s))
        while pos > s:
            k = self._index.find(padded[s:pos] if arabic else padded[s + 1:pos])
            if k >= 0:
                hit = self._accept(folded, padded, span, caps, k, s, pos, suffixes)
                if hit is not None:
                    return hit._replace(rules=hit.rules + _FALLBACK)
            pos = padded.rfind(" ", s + 1, pos)
        return None
