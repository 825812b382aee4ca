"""Storage of the variant-key index (:class:`~normalizer.spans.VariantIndex`): variant key -> aliases, acronym letters -> aliases, (first, last) key token -> aliases.

Stored as columns so a million aliases cost tens of megabytes and load from the compiled-table cache
(:mod:`normalizer.cache`) in a fraction of a second: keys in a :class:`~normalizer.compact.StringTable` found
through a :class:`~normalizer.compact.StringIndex`, each key's aliases as a run of positions in the matcher's
:class:`~normalizer.compact.AliasColumns`.  ``Alias`` objects are built only for the keys a lookup meets.
Built from the columns, never from ``Entity`` objects.

>>> from normalizer.compact import AliasColumns
>>> from normalizer.types import Alias
>>> from normalizer.names.keys import default_variants
>>> cols = AliasColumns([Alias("Ebu Bekir el-Bağdadi", "per:b", "tr", "cased"), Alias("UN", "org:un", "en", "upper"),
...                      Alias("U.N.", "org:un", "en", "cased")])
>>> state = build_state(cols, default_variants(), min_key_letters=2)
>>> by_key, acronyms = AliasLists(state["by_key"], cols), AliasLists(state["acronyms"], cols)
>>> [a.text for a in by_key[default_variants().key("Abu Bakr al-Baghdadi")]], [a.text for a in acronyms["un"]]
(['Ebu Bekir el-Bağdadi'], ['UN', 'U.N.'])
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

from ..compact import AliasColumns, StringIndex, StringTable
from ..types import Alias
from .keys import TokenKey, Variants, key_of

if TYPE_CHECKING:
    from ..cache import CacheHandle
    from ..tables import TableSet

DERIVED = "derived:"  # source prefix of the matcher's own aliases (decide.DERIVED): not in the tables, not indexed
MEMO_SIZE = 50_000  # entries a memo (VariantIndex.memo) holds before it is emptied
LAYOUT = 3  # bump when the stored layout changes (the cache key already covers code changes)
SEP = "\x1f"  # joins the (first, last) pair of a by_ends key


def _word(k: TokenKey) -> str:
    """What a token adds to a variant key (key_of): its key, nothing for an article."""
    return k.key if k.kind != "article" else ""


class Postings:
    """``str -> run of ints``: keys in a StringTable (found by CRC-32 + bisect), runs in one flat array."""

    __slots__ = ("ends", "index", "values")

    def __init__(self, index: StringIndex, ends: array, values: array) -> None:
        self.index, self.ends, self.values = index, ends, values

    @classmethod
    def build(cls, groups: dict[str, list[int]]) -> Postings:
        keys = StringTable.build(groups)
        ends = array("I", accumulate(map(len, groups.values())))
        return cls(StringIndex.build(keys), ends, array("I", (i for run in groups.values() for i in run)))

    def get(self, key: str) -> array | None:
        k = self.index.find(key)
        if k < 0:
            return None
        return self.values[self.ends[k - 1] if k else 0 : self.ends[k]]

    def keys(self) -> StringTable:
        return self.index.table

    def __len__(self) -> int:
        return len(self.ends)

    def __reduce__(self):  # noqa: ANN204
        return (Postings, (self.index, self.ends, self.values))


class AliasLists(Mapping):
    """Read-only ``key -> list[Alias]`` over :class:`Postings` (what ``VariantIndex.by_key`` & co. used to be)."""

    MEMO = 50_000  # lookups remembered (hits and misses): running text meets the same capitalised words again

    def __init__(self, postings: Postings, columns: AliasColumns,
                 encode: Callable[[Hashable], str] | None = None, decode: Callable[[str], Hashable] | None = None) -> None:
        self._p, self._cols, self._enc, self._dec = postings, columns, encode, decode
        self._memo: dict[Hashable, list[Alias] | None] = {}

    def get(self, key: Hashable, default: object = None) -> list[Alias] | object:  # type: ignore[override]
        try:
            got = self._memo[key]
        except KeyError:
            try:
                run = self._p.get(self._enc(key) if self._enc else key)  # type: ignore[arg-type]
            except (TypeError, AttributeError):
                return default
            got = None if run is None else list(map(self._cols.alias, run))
            if len(self._memo) >= self.MEMO:
                self._memo.clear()
            self._memo[key] = got
        except TypeError:  # unhashable: no such key
            return default
        return default if got is None else got

    def __getitem__(self, key: Hashable) -> list[Alias]:
        got = self.get(key, None)
        if got is None:
            raise KeyError(key)
        return got  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        try:
            return self._p.index.find(self._enc(key) if self._enc else key) >= 0  # type: ignore[arg-type]
        except (TypeError, AttributeError):
            return False

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._p.keys()) if self._dec is None else map(self._dec, self._p.keys())

    def __len__(self) -> int:
        return len(self._p)


class AliasSeq(Sequence[Alias]):
    """The tables' aliases (positions ``ids`` of the columns) as a read-only sequence of ``Alias`` objects."""

    def __init__(self, columns: AliasColumns, ids: array) -> None:
        self.columns, self.ids = columns, ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            return [self.columns.alias(k) for k in self.ids[i]]
        return self.columns.alias(self.ids[i])

    def __iter__(self) -> Iterator[Alias]:
        return map(self.columns.alias, self.ids)


class _WordKeys(dict):
    """Folded word -> its part of a variant key (``""`` for an article), as :func:`~normalizer.names.keys.key_of`
    takes it from :meth:`Variants.token`; memoised (a table has far fewer words than aliases)."""

    def __init__(self, variants: Variants) -> None:
        super().__init__()
        self.token = variants.token

    def __missing__(self, word_lang: tuple[str, str]) -> str:
        t = self.token(*word_lang)
        k = self[word_lang] = t.key if t.kind != "article" else ""
        return k


def build_state(columns: AliasColumns, variants: Variants, min_key_letters: int) -> dict:
    """The index's columns for every table alias of ``columns`` (derived aliases left out), in column order."""
    # the matcher's own aliases, and those whose source seeds no guess (``no_guess_sources`` in variants.yaml)
    derived = {k for k, f in enumerate(columns.files)
               if f.startswith(DERIVED) or (variants.no_guess_sources and f.startswith(variants.no_guess_sources))}
    src = columns.src_file
    ids = array("I", (i for i in range(len(columns)) if src[i] not in derived)) if derived \
        else array("I", range(len(columns)))
    by_key: dict[str, list[int]] = {}
    acronyms: dict[str, list[int]] = {}
    by_ends: dict[str, list[int]] = {}
    words: set[str] = set()
    prefixes: set[str] = set()  # every key's first words (1 .. all but the last)
    fold_key, prepare = variants.folder.fold_key, variants.prepare
    word_keys = _WordKeys(variants)
    langs = columns.langs
    for i, text in enumerate(columns.text):
        if derived and src[i] in derived:
            continue
        if text.isupper():  # (dots are not cased: the same test as on the letters)
            letters = text.replace(".", "")
            if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper():
                acronyms.setdefault(fold_key(letters), []).append(i)
        lang = langs[columns.lang[i]]
        parts = [k for w in fold_key(prepare(text)).split() if (k := word_keys[w, lang])]  # key_of(tokens(text, lang))
        if sum(map(len, parts)) >= min_key_letters:
            by_key.setdefault(" ".join(parts), []).append(i)
            words.update(parts)
            prefixes.update(" ".join(parts[:j]) for j in range(1, len(parts)))
        if len(parts) >= 4:  # long names are also written shortened: first and last kept
            by_ends.setdefault(f"{parts[0]}{SEP}{parts[-1]}", []).append(i)
    return {"layout": LAYOUT, "columns": len(columns), "ids": ids, "by_key": Postings.build(by_key),
            "acronyms": Postings.build(acronyms), "by_ends": Postings.build(by_ends), "words": sorted(words),
            "prefixes": sorted(prefixes), "ends_first": sorted({k.split(SEP)[0] for k in by_ends})}


class VariantIndex:
    """Variant key -> aliases, over every alias of the loaded tables; and capital acronyms by their letters
    (so a dotted ``U.N.`` meets ``UN``).

    ``columns``: the aliases as columns (the matcher's ``alias_columns``); without it they are taken from
    ``tables``.  ``cache``: a :class:`~normalizer.cache.CacheHandle` to load the index from, or store it in.
    """

    def __init__(self, tables: TableSet | None, variants: Variants, *, min_key_letters: int = 2,
                 columns: AliasColumns | None = None, cache: CacheHandle | None = None) -> None:
        self.variants = variants
        if columns is None:
            assert tables is not None
            columns = AliasColumns(a for e in tables.entities.values() for a in e.aliases)
        self.columns = columns
        def build() -> dict:
            return build_state(columns, variants, min_key_letters)

        def valid(got: object) -> bool:
            return isinstance(got, dict) and got.get("layout") == LAYOUT and got.get("columns") == len(columns)

        state = build() if cache is None else cache.get_or_build(
            f"variant_index-k{min_key_letters}-v{variants.version}", build, valid=valid)
        self.ids = state["ids"]  # positions of the tables' aliases in ``columns`` (the matcher's derived ones left out)
        self.by_key: Mapping[str, list[Alias]] = AliasLists(state["by_key"], columns)
        self.acronyms: Mapping[str, list[Alias]] = AliasLists(state["acronyms"], columns)
        self.by_ends: Mapping[tuple[str, str], list[Alias]] = AliasLists(
            state["by_ends"], columns, encode=SEP.join, decode=lambda s: tuple(s.split(SEP)))
        self._aliases: Sequence[Alias] = AliasSeq(columns, self.ids)
        self.key_words = frozenset(state["words"])  # every token key that is part of an alias's key
        self.key_prefixes = frozenset(state["prefixes"])  # every alias key's first words, short of the whole key
        self.ends_first = frozenset(state["ends_first"])  # the first words of the keys in by_ends
        self._token_index = None
        self._tok_cache: dict[tuple[str, str], list[TokenKey]] = {}
        self._memos: dict[str, dict] = {}

    def may_match(self, key: TokenKey) -> bool:
        """Whether a text token can be part of a window that meets an alias key: a particle, an article, or a
        name whose key (or whose stem's key) is a word of some alias key."""
        if key.kind != "name":
            return True
        return key.key in self.key_words or any(s.key in self.key_words for s in key.stems)

    def memo(self, name: str) -> dict:
        """A dictionary that the callers of this index keep their decisions in (pure results only: words, window
        decisions); emptied when it holds :data:`MEMO_SIZE` entries, and dropped with the index, so a reloaded
        table never sees another's."""
        got = self._memos.get(name)
        if got is None:
            got = self._memos[name] = {}
        elif len(got) >= MEMO_SIZE:
            got.clear()
        return got

    def keyed_windows(self, keys: Sequence[TokenKey], most: int) -> frozenset[tuple[int, int]]:
        """``(start, size)`` of the windows over consecutive tokens with these keys (at most ``most`` tokens) whose
        variant key may have aliases: the key, or a reading of it with case endings read off (each token's
        ``stems``), is an alias key, or the key (3+ words) may be a :meth:`shortened` one.  Every window left out
        has none: a window is extended only while a reading of it starts some alias key (``key_prefixes``) or its
        first word starts a long key (``ends_first``).  Remembered per run of words (news repeats its names)."""
        words = tuple(_word(k) if not k.stems else (_word(k), *map(_word, k.stems)) for k in keys)
        memo = self.memo("keyed_windows")
        got = memo.get((words, most))
        if got is None:
            got = memo[(words, most)] = frozenset(self._keyed_windows(words, most))
        return got

    def _keyed_windows(self, words: tuple[str | tuple[str, ...], ...], most: int) -> Iterator[tuple[int, int]]:
        """:meth:`keyed_windows` of the words of a run ("" for an article; a tuple: the word, then its stems)."""
        by_key, by_ends, prefixes, ends_first = self.by_key, self.by_ends, self.key_prefixes, self.ends_first
        n = len(words)
        for i in range(n):
            readings = [""]  # the window's key as read so far ("": no word yet), each way of reading it
            first = last = ""
            count = 0
            for j in range(i, min(n, i + most)):
                w = words[j]
                word = w if isinstance(w, str) else w[0]
                if word:
                    first, last, count = first or word, word, count + 1
                grown = list(dict.fromkeys((f"{p} {r}" if p else r) if r else p
                                           for r in ((w,) if isinstance(w, str) else w) for p in readings))
                if any(by_key.get(p) for p in grown if p) or (count >= 3 and by_ends.get((first, last))):
                    yield (i, j - i + 1)
                readings = [p for p in grown if not p or p in prefixes]
                if not readings and first not in ends_first:
                    break

    def shortened(self, key: str) -> list[Alias]:
        """Aliases of which ``key`` (3+ tokens) is an in-order subsequence keeping the first and last token:
        ``Abu Hussein al-Qurashi`` for ``Abu al-Hussein al-Husseini al-Qurashi``."""
        parts = key.split()
        if len(parts) < 3:
            return []
        out = []
        for alias in self.by_ends.get((parts[0], parts[-1]), ()):
            it = iter(key_of(self.alias_tokens(alias)).split())
            if all(p in it for p in parts):
                out.append(alias)
        return out

    def alias_tokens(self, alias: Alias) -> list[TokenKey]:
        got = self._tok_cache.get((alias.text, alias.lang))
        if got is None:
            if len(self._tok_cache) > 100_000:
                self._tok_cache.clear()
            got = self._tok_cache[(alias.text, alias.lang)] = self.variants.tokens(alias.text, alias.lang)
        return got

    def token_index(self):  # noqa: ANN201
        """The fuzzy candidate index (normalizer/fuzzy_index.py): the Normalizer's (shared with resolve()) when it
        set ``fuzzy_index`` (a callable returning it), else one over these aliases, built on first use."""
        if self._token_index is None:
            from .fuzzy_index import FuzzyIndex

            shared = getattr(self, "fuzzy_index", None)
            self._token_index = shared() if shared else FuzzyIndex.over(self._aliases, self.variants)
        return self._token_index
