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
and their lookups are stored as columns (:mod:`normalizer.compact`).  Matching itself (:mod:`normalizer.scan`)
builds no ``Alias`` or ``Entity`` objects: a hit carries its key's aliases as plain tuples read from the columns
(:meth:`AliasMatcher.record`); ``entries`` builds ``KeyEntry`` objects for other callers.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate

import daachorse

from .affixes import Affixes, case_flags, case_ok
from .compact import AliasColumns, StringIndex, StringTable
from .fold import Folder
from .scan import F_ARABIC, F_ARTICLE, F_NEEDCAP, F_UPPER, Hit, Row, Scanner
from .tables import TableSet
from .types import Alias

__all__ = ["Affixes", "AliasMatcher", "Hit", "KeyEntry", "case_ok"]

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LEFTMOST_LONGEST = daachorse.MATCH_KIND_LEFTMOST_LONGEST
_DERIVED = "derived:"  # source prefix of the aliases the normalizer derives (decide.DERIVED)
STATE_VERSION = 4  # bump when the layout of AliasMatcher.state() changes
_MEMO = 200_000  # key records kept (cleared when full)


@dataclass(frozen=True, slots=True)
class KeyEntry:
    key: str  # the folded alias key as searched
    aliases: tuple[Alias, ...]
    arabic: bool = False
    needs_article: bool = False  # key is an alias with its article ال removed: the text must carry the article


def _automaton(patterns: list[bytes]):  # noqa: ANN202
    return daachorse.DoubleArrayAhoCorasick(patterns, match_kind=_LEFTMOST_LONGEST) if patterns else None


class AliasMatcher(Scanner):
    """Finds alias keys in folded text.  Build from tables, or from :meth:`state` via :meth:`from_state`."""

    record_memo = _MEMO  # key records kept by record() (cleared when full)

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
        self._ent_info: StringTable = state["ent_info"]  # per entity number: "type\x1fname" (ids: aliases.entity_ids)
        self._alias_meta: array = state["alias_meta"]  # per alias: index into _metas
        self._metas: tuple[tuple[str, str, bool], ...] = state["metas"]  # (case rule, lang, derived)
        self._records: dict[int, tuple[Row, ...]] = {}  # key number -> its aliases as rows (see record)
        self._ents: dict[int, tuple[str, str, str]] = {}  # entity number -> (id, canonical name, type)
        self._arabic_re = _ARABIC
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
                                                                   and case_flags(aliases[i].text)[0]) for i in idx)
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
        columns = AliasColumns(aliases)
        # what a hit needs, packed for few memory reads: a type cannot hold \x1f (tables.TYPE_RE)
        ents = (tables.entities[eid] for eid in columns.entity_ids)
        ent_info = StringTable.build(f"{ent.type}\x1f{ent.name}" for ent in ents)
        derived = {i for i, f in enumerate(columns.files) if f.startswith(_DERIVED)}
        metas: dict[tuple[int, int, bool], int] = {}
        alias_meta = array("H", (metas.setdefault((c, lang, f in derived), len(metas))
                                 for c, lang, f in zip(columns.case, columns.lang, columns.src_file, strict=True)))
        return {
            "version": STATE_VERSION,
            "keys": table,
            "index": StringIndex.build(table),
            "flags": bytes(flags),
            "key_alias_ends": array("I", accumulate(len(m) for m in members)),
            "key_alias": array("I", (i for m in members for i in m)),
            "aliases": columns,
            "ent_info": ent_info,
            "alias_meta": alias_meta,
            "metas": tuple((columns.cases[c], columns.langs[lang], d) for c, lang, d in metas),
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

    def record(self, k: int) -> tuple[Row, ...]:
        """The aliases of key number ``k`` as rows ``(text, case, lang, derived, (id, canonical, type))``, read
        from the columns without building objects (memoised)."""
        cols, ents, metas, meta = self._aliases, self._ents, self._metas, self._alias_meta
        tb, te, entity = cols.text.blob, cols.text.ends, cols.entity
        ends = self._key_alias_ends
        rows = []
        for i in self._key_alias[ends[k - 1] if k else 0 : ends[k]]:
            ec = entity[i]
            info = ents.get(ec)
            if info is None:
                info = ents[ec] = self._entity_info(ec)
            case, lang, derived = metas[meta[i]]
            rows.append((tb[te[i - 1] if i else 0 : te[i]].decode("utf-8"), case, lang, derived, info))
        out = tuple(rows)
        if len(self._records) >= self.record_memo:
            self._records.clear()
            ents.clear()
        self._records[k] = out
        return out

    def _entity_info(self, ec: int) -> tuple[str, str, str]:
        """(id, canonical name, type) of entity number ``ec``."""
        b, e = self._ent_info.blob, self._ent_info.ends
        etype, name = b[e[ec - 1] if ec else 0 : e[ec]].decode("utf-8").split("\x1f", 1)
        ib, ie = self._aliases.entity_ids.blob, self._aliases.entity_ids.ends
        return ib[ie[ec - 1] if ec else 0 : ie[ec]].decode("utf-8"), name, etype

    def key_index(self, key: str) -> int:
        """Number of a folded key, or -1."""
        return self._index.find(key)



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
