"""Exact and folded alias matching over folded text with two byte-level Aho–Corasick automata.

Every alias is folded with the same :class:`~normalizer.fold.Folder` as the text.  Latin/Greek/Cyrillic keys are
stored as ``" " + key`` and searched in ``" " + folded_text`` so a match can only start at a word start; the word end
is checked per match (with fused suffixes from ``data/affixes.yaml``).  Arabic-script keys are stored bare so a
proclitic (و ف ب ل ك, the article ال) fused before the name can be checked and left out of the span.

Keys whose aliases all need capitals (``MIT``, ``UN``: the ``upper`` case rule) and are one word live in a second
automaton that is run over the *case-inverted* fold when the fast fold path applies (see :mod:`fastfold`): there
a lower-case source letter is an upper-case byte, so ``the``, ``in`` or ``mit`` written in lower case never even
reach Python.  With a million aliases most raw matches were such short acronyms.

The automata are ``daachorse`` double-array Aho–Corasick (Rust): leftmost-longest matching, compact, and
serialisable, so the compiled-table cache (:mod:`normalizer.cache`) loads them in a fraction of a second instead
of rebuilding (ahocorasick-rs automata cannot be pickled and take ~6 s to build for 780k keys).  Keys, aliases
and their lookups are stored as columns (:mod:`normalizer.compact`); ``Alias`` objects are built for hits only.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import daachorse
import yaml

from .compact import AliasColumns, StringIndex, StringTable
from .fastfold import FastAux
from .fold import DATA_DIR, Folded, Folder
from .tables import TableSet
from .types import Alias

_APOSTROPHES = frozenset("'’ʼ‘`´′")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LEFTMOST_LONGEST = daachorse.MATCH_KIND_LEFTMOST_LONGEST
F_ARABIC, F_ARTICLE, F_UPPER, F_NEEDCAP = 1, 2, 4, 8  # key flags (F_NEEDCAP: every alias needs a capital)
STATE_VERSION = 2  # bump when the layout of AliasMatcher.state() changes


@dataclass(frozen=True, slots=True)
class KeyEntry:
    key: str  # the folded alias key as searched
    aliases: tuple[Alias, ...]
    arabic: bool = False
    needs_article: bool = False  # key is an alias with its article ال removed: the text must carry the article


@dataclass(frozen=True, slots=True)
class Hit:
    """A raw match in original offsets, before entity decisions."""

    start: int
    end: int
    entry: KeyEntry
    aliases: tuple[Alias, ...]  # those whose case rule the text satisfies
    rules: tuple[str, ...]
    inflected: bool = False
    fend: int = 0  # end in the padded folded text (internal: where a re-scan restarts)


@dataclass(frozen=True)
class Affixes:
    suffixes_any: frozenset[str]
    suffixes_lang: dict[str, frozenset[str]]
    min_alias_length: int
    proclitic_re: re.Pattern[str]
    article: str

    @classmethod
    def load(cls, folder: Folder, path: Path | None = None) -> Affixes:
        data = yaml.safe_load((path or DATA_DIR / "affixes.yaml").read_text(encoding="utf-8"))
        suf = data["suffixes"]
        fk = folder.fold_key
        any_ = frozenset(fk(s) for lst in suf["any"].values() for s in lst)
        by_lang = {lang: frozenset(fk(s) for s in lst) | any_ for lang, lst in suf.get("lang", {}).items()}
        ar = data["proclitics"]["ar"]
        conj = "|".join(map(re.escape, map(fk, ar["conjunctions"])))
        prep = "|".join(map(re.escape, map(fk, ar["prepositions"])))
        art = fk(ar["article"])
        contr = "|".join(map(re.escape, map(fk, ar.get("contractions", {}))))
        pattern = f"^(?:{conj})?(?:(?:{prep})?(?:{re.escape(art)})?|(?:{contr}))$"
        return cls(any_, by_lang, int(suf["min_alias_length"]), re.compile(pattern), art)

    def suffixes(self, lang: str | None) -> frozenset[str]:
        return self.suffixes_lang.get(lang or "", self.suffixes_any)


def case_ok(rule: str, span: str, alias: str) -> bool:
    """Does ``span`` (as written in the text) satisfy the alias's case rule?

    >>> case_ok("upper", "MİT", "MIT"), case_ok("upper", "mit", "MIT"), case_ok("cased", "gül", "Gül")
    (True, False, False)
    """
    if rule == "any":
        return True
    if rule == "exact":
        return span == alias
    cased = [c for c in span if c.lower() != c.upper()]
    if rule == "upper":
        return bool(cased) and all(c.isupper() for c in cased)
    return any(c.isupper() for c in cased)  # "cased"


@lru_cache(maxsize=65536)
def _case_flags(span: str) -> tuple[bool, bool]:
    """(some cased character is upper case, all cased characters are upper case and there is one): case_ok's tests.

    >>> _case_flags("MİT"), _case_flags("Gül"), _case_flags("gül"), _case_flags("123")
    ((True, True), (True, False), (False, False), (False, False))
    """
    if span.isascii():
        return span != span.lower(), span.isupper()
    cased = [c for c in span if c.lower() != c.upper()]
    return any(c.isupper() for c in cased), bool(cased) and all(c.isupper() for c in cased)


_PLAIN_RULES = {rule: ("alias", f"case:{rule}") for rule in ("any", "cased", "upper", "exact")}


def _shouting(source: str, start: int, end: int) -> bool:
    """A 1–2 letter capitals acronym inside all-capitals text (a headline) is a word, not an acronym."""
    before = source[max(0, start - 40):start].split()
    after = source[end:end + 40].split()
    words = [w for w in (before[-1:] + after[:1]) if any(c.isalpha() for c in w)]
    return len(words) == 2 and all(w.isupper() and sum(c.isalpha() for c in w) >= 2 for w in words)


def _automaton(patterns: list[bytes]):  # noqa: ANN202
    return daachorse.DoubleArrayAhoCorasick(patterns, match_kind=_LEFTMOST_LONGEST) if patterns else None


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


class AliasMatcher:
    """Finds alias keys in folded text.  Build from tables, or from :meth:`state` via :meth:`from_state`."""

    def __init__(self, tables: TableSet | None, folder: Folder, affixes: Affixes | None = None, *,
                 state: dict | None = None) -> None:
        self.folder = folder
        self.affixes = affixes or Affixes.load(folder)
        if state is None:
            assert tables is not None
            state = self._build_state(tables)
        self.keys: StringTable = state["keys"]
        self._flags: bytes = state["flags"]
        self._key_alias_ends: array = state["key_alias_ends"]
        self._key_alias: array = state["key_alias"]
        self._aliases: AliasColumns = state["aliases"]
        self._index: StringIndex = state["index"]
        self.max_key_len: int = state["max_key_len"]
        self._main = daachorse.DoubleArrayAhoCorasick.deserialize(state["main"]) if state["main"] else None
        self._upper = daachorse.DoubleArrayAhoCorasick.deserialize(state["upper"]) if state["upper"] else None
        self._state = {k: v for k, v in state.items() if k not in ("main", "upper")}  # the automata hold those bytes
        self._main_keys: array = state["main_keys"]
        self._upper_keys: array = state["upper_keys"]
        self._memo: dict[int, KeyEntry] = {}
        self.entries: Mapping[str, KeyEntry] = _Entries(self)  # folded key -> KeyEntry (built on access)
        self.key_list = self.keys  # every folded key, read-only
        self.cache = None  # set by normalizer.cache: a CacheHandle for indexes built from the same tables

    @classmethod
    def from_state(cls, state: dict, folder: Folder, affixes: Affixes | None = None) -> AliasMatcher:
        if state.get("version") != STATE_VERSION:
            raise ValueError("matcher state from another version")
        return cls(None, folder, affixes, state=state)

    def state(self) -> dict:
        """Everything needed to rebuild this matcher without the tables (bytes and arrays: cheap to pickle)."""
        return {**self._state, "main": self._main.serialize() if self._main else b"",
                "upper": self._upper.serialize() if self._upper else b""}

    # ------------------------------------------------------------------------------------------------ building
    def _build_state(self, tables: TableSet) -> dict:
        aliases = [a for ent in tables.entities.values() for a in ent.aliases]
        fk = self.folder.fold_key
        art = self.affixes.article
        groups: dict[str, list[int]] = {}
        stripped: dict[str, list[int]] = {}
        for i, alias in enumerate(aliases):
            key = fk(alias.text)
            if not key:
                continue
            groups.setdefault(key, []).append(i)
            if _ARABIC.match(key) and key.startswith(art) and len(key) > len(art) + 2:
                stripped.setdefault(key[len(art):], []).append(i)
        flags = bytearray()
        for key, idx in groups.items():
            arabic = bool(_ARABIC.match(key))
            upper = not arabic and " " not in key and all(aliases[i].case == "upper" for i in idx)
            needcap = all(aliases[i].case in ("upper", "cased") or (aliases[i].case == "exact"
                                                                   and _case_flags(aliases[i].text)[0]) for i in idx)
            flags.append((F_ARABIC if arabic else 0) | (F_UPPER if upper else 0) | (F_NEEDCAP if needcap else 0))
        for key in list(stripped):
            if key in groups:
                del stripped[key]
            else:
                flags.append(F_ARABIC | F_ARTICLE)
        keys = list(groups) + list(stripped)
        members = list(groups.values()) + list(stripped.values())
        main_p, main_k, upper_p, upper_k = [], array("I"), [], array("I")
        for k, key in enumerate(keys):
            f = flags[k]
            pat = key.encode("utf-8") if f & F_ARABIC else b" " + key.encode("utf-8")
            if f & F_UPPER:
                upper_p.append(pat)
                upper_k.append(k)
            else:
                main_p.append(pat)
                main_k.append(k)
        main, upper = _automaton(main_p), _automaton(upper_p)
        table = StringTable.build(keys)
        return {
            "version": STATE_VERSION,
            "keys": table,
            "index": StringIndex.build(table),
            "flags": bytes(flags),
            "key_alias_ends": array("I", accumulate(len(m) for m in members)),
            "key_alias": array("I", (i for m in members for i in m)),
            "aliases": AliasColumns(aliases),
            "max_key_len": max((len(k) + 1 for k in keys), default=0),
            "main": main.serialize() if main else b"",
            "upper": upper.serialize() if upper else b"",
            "main_keys": main_k,
            "upper_keys": upper_k,
        }

    @property
    def alias_columns(self) -> AliasColumns:
        """Every alias the matcher knows (the tables' in table order, each entity's derived ones after its own)."""
        return self._aliases

    def entry(self, k: int) -> KeyEntry:
        """The entry of key number ``k`` (aliases built on first use, then memoised)."""
        e = self._memo.get(k)
        if e is None:
            ends = self._key_alias_ends
            aliases = tuple(map(self._aliases.alias, self._key_alias[ends[k - 1] if k else 0 : ends[k]]))
            f = self._flags[k]
            e = KeyEntry(self.keys[k], aliases, bool(f & F_ARABIC), bool(f & F_ARTICLE))
            if len(self._memo) >= 200_000:
                self._memo.clear()
            self._memo[k] = e
        return e

    def key_index(self, key: str) -> int:
        """Number of a folded key, or -1."""
        return self._index.find(key)

    # ---------------------------------------------------------------------------------------------- matching
    def find(self, folded: Folded, lang: str | None = None) -> list[Hit]:
        """All alias hits in ``folded``, in original offsets (may overlap; see decide)."""
        hits: list[Hit] = []
        suffixes = self.affixes.suffixes(lang)
        padded = " " + folded.text
        aux = folded.aux if isinstance(folded.aux, FastAux) and folded.aux.fast is self.folder._fast else None
        if self._main is not None:
            raw = b" " + aux.collapsed if aux is not None else None
            self._scan(self._main, self._main_keys, folded, padded, raw, suffixes, hits)
        if self._upper is not None:
            if aux is not None:  # capitals-only keys on the case-inverted fold: identity offsets
                plain = Folded(aux.raw.decode("ascii"), folded.source)
                self._scan(self._upper, self._upper_keys, plain, " " + plain.text,
                           b" " + aux.fast.upper(aux.private), suffixes, hits)
            else:
                self._scan(self._upper, self._upper_keys, folded, padded, None, suffixes, hits)
        return hits

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

    def _scan(self, ac, pkeys: array, folded: Folded, padded: str, raw: bytes | None,  # noqa: ANN001
              suffixes: frozenset[str], hits: list[Hit]) -> None:
        todo = [(0, len(padded))]
        flags, n, short = self._flags, len(padded), self.affixes.min_alias_length + 1
        while todo:
            lo, hi = todo.pop()
            for s, e, p in self._matches(ac, padded, raw, lo, hi):
                k = pkeys[p]
                if e < n and padded[e] != " " and not flags[k] & F_ARABIC and padded.find(" ", s + 1, e) == -1:
                    # one word ending inside a longer one: only a fused suffix can save it (no shorter key)
                    if e - s < short:
                        continue
                    w = padded.find(" ", e)
                    if padded[e:n if w == -1 else w] not in suffixes:
                        continue
                hit = self._accept(folded, padded, k, s, e, suffixes)
                if hit is not None:
                    hits.append(hit)
                    if hit.rules[-1] == "fallback:shorter":
                        todo.append((hit.fend, min(len(padded), e + self.max_key_len)))
                else:  # rejected: what started inside this span was hidden by it; look again
                    nxt = padded.find(" ", s + 1, e)
                    if nxt != -1:
                        todo.append((nxt, min(len(padded), e + self.max_key_len)))

    def _accept(self, folded: Folded, padded: str, k: int, s: int, e: int, suffixes: frozenset[str]) -> Hit | None:
        flags = self._flags[k]
        rules: list[str] = []
        if flags & F_ARABIC:
            ws = padded.rfind(" ", 0, s) + 1
            prefix = padded[ws:s]
            if prefix:
                if not self.affixes.proclitic_re.match(prefix):
                    return None
                rules.append(f"proclitic:{prefix}")
            if flags & F_ARTICLE and not (prefix.endswith(self.affixes.article) or prefix.endswith("لل")):
                return None
            name_start = s
        else:
            name_start = s + 1
        inflected = False
        if e < len(padded) and padded[e] != " ":
            w = padded.find(" ", e)
            w = len(padded) if w == -1 else w
            tail = padded[e:w]
            if e - name_start >= self.affixes.min_alias_length and tail in suffixes:
                inflected = True
                rules.append(f"suffix-fused:{tail}")
            else:
                return self._shorter(folded, padded, s, e, suffixes)
        source = folded.source
        start, end = folded.span(name_start - 1, e - 1)
        span = source[start:end]
        has_upper, all_upper = _case_flags(span)
        if flags & F_NEEDCAP and not has_upper:  # lower-case 'time' for the acronym TIME: no alias can accept it
            return None if flags & F_UPPER or " " not in padded[s + 1:e] else self._shorter(folded, padded, s, e,
                                                                                          suffixes)
        entry = self._memo.get(k) or self.entry(k)
        if end < len(source) and source[end] in _APOSTROPHES and e < len(padded) - 1:
            rules.append("suffix-apostrophe")
        ok = tuple(a for a in entry.aliases if (a.case == "any" or (has_upper if a.case == "cased" else all_upper
                                                                    if a.case == "upper" else span == a.text)))
        if not ok:
            return self._shorter(folded, padded, s, e, suffixes) if " " in entry.key else None
        if len(entry.key) <= 2 and all(a.case == "upper" for a in ok) and _shouting(source, start, end):
            return None
        if inflected:
            w = padded.find(" ", e)
            end = folded.span(name_start - 1, (len(padded) if w == -1 else w) - 1)[1]
        if rules:
            rules.insert(0, "alias")
            rules.append(f"case:{ok[0].case}")
            return Hit(start, end, entry, ok, tuple(rules), inflected, e)
        return Hit(start, end, entry, ok, _PLAIN_RULES[ok[0].case], inflected, e)

    def _shorter(self, folded: Folded, padded: str, s: int, e: int, suffixes: frozenset[str]) -> Hit | None:
        """The longest match at ``s`` failed (word boundary or case): try the longest shorter key there."""
        pos = padded.rfind(" ", s + 1, e)
        arabic = bool(_ARABIC.match(padded, s))
        while pos > s:
            k = self._index.find(padded[s:pos] if arabic else padded[s + 1:pos])
            if k >= 0:
                hit = self._accept(folded, padded, k, s, pos, suffixes)
                if hit is not None:
                    return Hit(hit.start, hit.end, hit.entry, hit.aliases, hit.rules + ("fallback:shorter",),
                               hit.inflected, hit.fend)
            pos = padded.rfind(" ", s + 1, pos)
        return None


class _Entries(Mapping[str, KeyEntry]):
    """``folded key -> KeyEntry`` over the matcher's columns."""

    def __init__(self, matcher: AliasMatcher) -> None:
        self._m = matcher

    def __getitem__(self, key: str) -> KeyEntry:
        k = self._m.key_index(key) if isinstance(key, str) else -1
        if k < 0:
            raise KeyError(key)
        return self._m.entry(k)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._m.key_index(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._m.keys)

    def __len__(self) -> int:
        return len(self._m.keys)
