"""Column storage for big alias tables: strings in one UTF-8 blob, numbers in arrays, objects built on access.

A million aliases as Python objects cost about a gigabyte and seconds to unpickle; as columns they are a few
tens of megabytes and load as fast as the bytes can be read.  :class:`StringTable` is a read-only list of
strings, :class:`StringIndex` finds a string's position, :class:`CompactEntities` is a read-only
``Mapping[str, Entity]`` that builds :class:`~normalizer.types.Entity` objects when asked for them.

>>> t = StringTable.build(["MİT", "Daesh", ""])
>>> list(t), len(t), t[1]
(['MİT', 'Daesh', ''], 3, 'Daesh')
>>> StringIndex.build(t).find("Daesh"), StringIndex.build(t).find("ISIS")
(1, -1)
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from itertools import accumulate, chain
from types import MemberDescriptorType
from zlib import crc32

import numpy as np

from .types import Alias, Entity

_NONE = "\x00"  # stored for an optional string that is None


def _alias_maker():  # noqa: ANN202
    """``Alias(...)`` without the frozen dataclass's per-field ``object.__setattr__`` (2.5x faster); the plain
    constructor when Alias is not a slotted class."""
    slots = [Alias.__dict__.get(f) for f in ("text", "entity_id", "lang", "case", "source")]
    if not all(isinstance(d, MemberDescriptorType) for d in slots):
        return Alias
    new, (s0, s1, s2, s3, s4) = object.__new__, (d.__set__ for d in slots)  # type: ignore[union-attr]

    def make(text: str, entity_id: str, lang: str, case: str, source: str) -> Alias:
        a = new(Alias)
        s0(a, text)
        s1(a, entity_id)
        s2(a, lang)
        s3(a, case)
        s4(a, source)
        return a

    return make


_make_alias = _alias_maker()


def _split_source(source: str) -> tuple[str, int]:
    """``"file:12"`` -> ``("file", 12)``; anything else -> ``(source, -1)``."""
    head, sep, tail = source.rpartition(":")
    if sep and tail.isdigit() and str(int(tail)) == tail and int(tail) < 2**31:
        return head, int(tail)
    return source, -1


def _join_source(file: str, line: int) -> str:
    return file if line < 0 else f"{file}:{line}"


class StringTable(Sequence[str]):
    """An immutable sequence of strings stored as one UTF-8 blob plus end offsets."""

    __slots__ = ("blob", "ends")

    def __init__(self, blob: bytes, ends: array) -> None:
        self.blob = blob
        self.ends = ends  # ends[i] = end of string i; string 0 starts at 0

    @classmethod
    def build(cls, strings: Iterable[str]) -> StringTable:
        parts = [s.encode("utf-8") for s in strings]
        blob = b"".join(parts)
        ends = array("I" if len(blob) < 2**32 else "Q", accumulate(map(len, parts)))
        return cls(blob, ends)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self.ends)
        return self.blob[self.ends[i - 1] if i else 0 : self.ends[i]].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        blob, start = self.blob, 0
        for end in self.ends:
            yield blob[start:end].decode("utf-8")
            start = end

    def __reduce__(self):  # noqa: ANN204
        return (StringTable, (self.blob, self.ends))


class StringIndex:
    """Position of a string in a :class:`StringTable`: CRC-32 hashes sorted in an array, then bisect."""

    __slots__ = ("hashes", "order", "table")

    def __init__(self, table: StringTable, hashes: array, order: array) -> None:
        self.table, self.hashes, self.order = table, hashes, order

    @classmethod
    def build(cls, table: StringTable) -> StringIndex:
        blob, ends = table.blob, table.ends
        hashes = array("I", map(crc32, map(blob.__getitem__, map(slice, chain((0,), ends[:-1]), ends))))
        order = np.argsort(np.frombuffer(hashes, dtype=np.uint32), kind="stable")  # by hash, then position
        return cls(table, array("I", np.frombuffer(hashes, dtype=np.uint32)[order].tobytes()),
                   array("I", order.astype(np.uint32).tobytes()))

    def find(self, s: str) -> int:
        """Index of ``s`` in the table (the first one if repeated), or -1."""
        raw = s.encode("utf-8")
        h = crc32(raw)
        hashes, order, blob, ends = self.hashes, self.order, self.table.blob, self.table.ends
        k = bisect_left(hashes, h)
        best = -1
        while k < len(hashes) and hashes[k] == h:
            i = order[k]
            if blob[ends[i - 1] if i else 0 : ends[i]] == raw and (best < 0 or i < best):
                best = i
            k += 1
        return best

    def __reduce__(self):  # noqa: ANN204
        return (StringIndex, (self.table, self.hashes, self.order))


class AliasColumns:
    """Aliases as columns: text, entity id, language, case rule, source ("file:line")."""

    __slots__ = ("text", "entity", "entity_ids", "lang", "langs", "case", "cases", "src_file", "src_line", "files")

    def __init__(self, aliases: Iterable[Alias]) -> None:
        text, ent, lang, case, sfile, sline = [], array("I"), array("B"), array("B"), array("I"), array("i")
        ids: dict[str, int] = {}
        langs: dict[str, int] = {}
        cases: dict[str, int] = {}
        files: dict[str, int] = {}
        for a in aliases:
            text.append(a.text)
            ent.append(ids.setdefault(a.entity_id, len(ids)))
            lang.append(langs.setdefault(a.lang, len(langs)))
            case.append(cases.setdefault(a.case, len(cases)))
            f, line = _split_source(a.source)
            sfile.append(files.setdefault(f, len(files)))
            sline.append(line)
        if len(langs) > 255 or len(cases) > 255:
            raise ValueError("more than 255 languages or case rules")
        self.text = StringTable.build(text)
        self.entity, self.entity_ids = ent, StringTable.build(ids)
        self.lang, self.langs = lang, tuple(langs)
        self.case, self.cases = case, tuple(cases)
        self.src_file, self.src_line, self.files = array("H" if len(files) < 2**16 else "I", sfile), sline, tuple(files)

    def __len__(self) -> int:
        return len(self.text)

    def alias(self, i: int) -> Alias:
        tb, te = self.text.blob, self.text.ends
        e = self.entity[i]
        ib, ie = self.entity_ids.blob, self.entity_ids.ends
        line = self.src_line[i]
        src = self.files[self.src_file[i]]
        return _make_alias(tb[te[i - 1] if i else 0 : te[i]].decode("utf-8"),
                           ib[ie[e - 1] if e else 0 : ie[e]].decode("utf-8"), self.langs[self.lang[i]],
                           self.cases[self.case[i]], src if line < 0 else f"{src}:{line}")

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, v)


class CompactEntities(Mapping[str, Entity]):
    """``id -> Entity`` over columns; each Entity (with its aliases) is built when looked up, then memoised."""

    def __init__(self, entities: Mapping[str, Entity], shared: AliasColumns | None = None) -> None:
        """``shared``: alias columns holding each entity's aliases in table order, possibly followed by more
        aliases of the same entity (the matcher's, with derived acronyms); used instead of a second copy when
        they match, checked alias by alias."""
        ents = list(entities.values())
        self.ids = StringTable.build(e.id for e in ents)
        self.index = StringIndex.build(self.ids)
        self.names = StringTable.build(e.name for e in ents)
        types: dict[str, int] = {}
        self.type_codes = array("H", (types.setdefault(e.type, len(types)) for e in ents))
        self.types = tuple(types)
        self.wikidata = StringTable.build(_NONE if e.wikidata is None else e.wikidata for e in ents)
        self.description = StringTable.build(_NONE if e.description is None else e.description for e in ents)
        self.context = StringTable.build("\x1f".join(e.context) for e in ents)
        files: dict[str, int] = {}
        lines = array("i")
        for e in ents:
            f, line = _split_source(e.source)
            files.setdefault(f, len(files))
            lines.append(line)
        self.src_file = array("H" if len(files) < 2**16 else "I", (files[_split_source(e.source)[0]] for e in ents))
        self.src_line, self.files = lines, tuple(files)
        self.alias_count = sum(len(e.aliases) for e in ents)
        located = _locate(ents, shared) if shared is not None else None
        if located is None:
            self.aliases = AliasColumns(a for e in ents for a in e.aliases)
            self.alias_start = array("I", accumulate((len(e.aliases) for e in ents[:-1]), initial=0) if ents else ())
        else:
            self.aliases, self.alias_start = shared, located
        self.alias_n = array("I", (len(e.aliases) for e in ents))
        self._memo: dict[str, Entity] = {}

    def build(self, i: int) -> Entity:
        lo = self.alias_start[i]
        wd, desc, ctx = self.wikidata[i], self.description[i], self.context[i]
        return Entity(self.ids[i], self.types[self.type_codes[i]], self.names[i],
                      tuple(map(self.aliases.alias, range(lo, lo + self.alias_n[i]))),
                      None if wd == _NONE else wd, None if desc == _NONE else desc,
                      tuple(ctx.split("\x1f")) if ctx else (), _join_source(self.files[self.src_file[i]], self.src_line[i]))

    def __getitem__(self, eid: str) -> Entity:
        ent = self._memo.get(eid)
        if ent is None:
            i = self.index.find(eid) if isinstance(eid, str) else -1
            if i < 0:
                raise KeyError(eid)
            ent = self.build(i)
            if len(self._memo) >= 100_000:
                self._memo.clear()
            self._memo[eid] = ent
        return ent

    def __contains__(self, eid: object) -> bool:
        return isinstance(eid, str) and (eid in self._memo or self.index.find(eid) >= 0)

    def name_and_type(self, eid: str) -> tuple[str, str]:
        """An entity's name and type, without building the Entity and its aliases (resolve()'s candidates)."""
        ent = self._memo.get(eid)
        if ent is not None:
            return ent.name, ent.type
        i = self.index.find(eid)
        if i < 0:
            raise KeyError(eid)
        return self.names[i], self.types[self.type_codes[i]]

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def values(self) -> ValuesView[Entity]:
        return _Values(self)

    def items(self) -> ItemsView[str, Entity]:
        return _Items(self)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_memo"] = {}
        return state


def _locate(ents: list[Entity], shared: AliasColumns) -> array | None:
    """Start of each entity's aliases in ``shared``, or None when ``shared`` does not hold them in order."""
    starts = array("I")
    k, n = 0, len(shared)
    for e in ents:
        starts.append(k)
        for a in e.aliases:
            if k >= n or shared.alias(k) != a:
                return None
            k += 1
        if e.aliases:
            run = shared.entity[k - 1]
            while k < n and shared.entity[k] == run:  # more aliases of this entity: the matcher's own
                k += 1
    return starts


class _Values(ValuesView):
    """Iterating builds every Entity in table order without keeping them."""

    def __iter__(self) -> Iterator[Entity]:
        m = self._mapping
        return (m.build(i) for i in range(len(m)))


class _Items(ItemsView):
    def __iter__(self) -> Iterator[tuple[str, Entity]]:
        m = self._mapping
        return ((e.id, e) for e in (m.build(i) for i in range(len(m))))
