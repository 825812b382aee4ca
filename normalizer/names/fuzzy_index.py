"""The fuzzy candidate index behind ``resolve()`` and the fuzzy pass: numpy arrays (CSR), built in seconds, cached.

Every alias is cut into the tokens of its variant-folded form (``fold_key(prepare(alias))``: the tokens
:meth:`Variants.tokens` reads).  The index holds

* the token vocabulary with each token's romanised form and variant skeleton (``Hüseyin``/``Hussein`` -> ``hsn``),
  and skeleton -> tokens;
* postings: token -> aliases containing it (``post_ptr``, ``post``), and alias -> tokens (``alias_ptr``,
  ``alias_tok``), so an alias's folded form is rebuilt from its tokens instead of being stored;
* deletion neighbourhoods (SymSpell): the CRC-32 of every token and of its one-deletion forms, sorted (the same for
  skeletons), so a query token meets the tokens about two edits away (insert, delete, substitute, swap) with one
  ``searchsorted``.

About 30 bytes per alias and no per-alias Python object.  How a query uses it: :mod:`normalizer.names.fuzzy_search`.
Alias numbers are positions in the matcher's alias columns; ``index.aliases[i]`` is the :class:`Alias`.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..types import Alias
from .fuzzy_kernel import crc, kernel
from .fuzzy_kernel import deletions as _deletions
from .fuzzy_search import Search
from .keys import Variants

if TYPE_CHECKING:
    from ..cache import CacheHandle
    from ..compact import AliasColumns

LAYOUT = 6  # bump when the stored arrays change
MAX_DEL_LEN = 40  # a longer word is no name word: it has no deletion neighbours (a 10,000-letter one would cost seconds)
MIN_DEL_LEN = 4  # tokens shorter than this have no deletion neighbours (2-letter leftovers meet everything)
MIN_SKEL_DEL_LEN = 3  # the same for skeletons (consonants only: "krS")
SCORES_KEPT = 2  # per-alias work arrays kept for reuse (one per core)
_KINDS = {"name": 0, "particle": 1}  # anything else (an article) is 2
_TRANSIENT = ("skel_id", "_local", "_pool", "_pool_lock", "aliases", "vocab_obj", "df", "_roman_obj")
_lock = threading.Lock()


def deletions(s: str, min_len: int) -> list[str]:
    return _deletions(s, min_len, MAX_DEL_LEN)


def _neighbour_table(words: Sequence[str], min_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted CRC-32 of each word and its one-deletion forms, and the word number of each."""
    hashes, ids = array("I"), array("i")
    for i, w in enumerate(words):
        for v in {w, *deletions(w, min_len)}:
            hashes.append(crc(v))
            ids.append(i)
    h = np.frombuffer(hashes, dtype=np.uint32)
    order = np.argsort(h, kind="stable")
    return h[order], np.frombuffer(ids, dtype=np.int32)[order].astype(np.uint16 if len(words) < 2**16 else np.int32)


def _csr(rows: np.ndarray, cols: np.ndarray, n_rows: int,
         by: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """CSR of (row, col) pairs: ``ptr`` (n_rows + 1) and the cols sorted by row, then ``by`` (if given), then col,
    duplicates dropped."""
    order = np.lexsort((cols, rows) if by is None else (cols, by, rows))
    r, c = rows[order], cols[order]
    if len(r):
        keep = np.ones(len(r), dtype=bool)
        keep[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
        r, c = r[keep], c[keep]
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n_rows), out=ptr[1:])
    return ptr, c.astype(np.int32)


class FuzzyIndex(Search):
    """Token postings over every alias; build with :meth:`build` (or :func:`index_for`), query through
    :class:`~normalizer.names.fuzzy_search.Search`."""

    def __init__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.skel_id = {s: i for i, s in enumerate(self.skels)}
        self.vocab_obj = np.array(self.vocab, dtype=object)
        self.df = np.diff(self.post_ptr).astype(np.int32)
        self._local = threading.local()
        self._pool: list[np.ndarray] = []
        self._pool_lock = threading.Lock()
        self.aliases: Sequence[Alias] = ()  # Alias objects by number (set by index_for / over)

    @classmethod
    def build(cls, texts: Iterable[str], variants: Variants) -> FuzzyIndex:
        fk, prep = variants.folder.fold_key, variants.prepare
        tok_id: dict[str, int] = {}
        alias_tok, ends, lengths = array("i"), array("q", [0]), array("H")
        for text in texts:
            key = fk(prep(text))
            for t in key.split():
                alias_tok.append(tok_id.setdefault(t, len(tok_id)))
            ends.append(len(alias_tok))
            lengths.append(min(len(key), 65535))
        vocab = list(tok_id)
        n_alias, n_tok = len(ends) - 1, len(vocab)
        atok = np.frombuffer(alias_tok, dtype=np.int32)
        alias_ptr = np.frombuffer(ends, dtype=np.int64)
        rows = np.repeat(np.arange(n_alias, dtype=np.int32), np.diff(alias_ptr))
        short = np.minimum(np.frombuffer(lengths, dtype=np.uint16), 255).astype(np.uint8)
        post_ptr, post = _csr(atok, rows, n_tok, short[rows])
        skel_of: dict[str, int] = {}
        tok_skel = np.full(n_tok, -1, dtype=np.int32)
        tok_kind = np.zeros(n_tok, dtype=np.int8)
        roman = array("q", [0])  # the romanised forms: one UTF-8 blob and end offsets (see romans())
        blob = bytearray()
        romans: list[str] = []
        for i, t in enumerate(vocab):
            k = variants.token(t)
            tok_kind[i] = _KINDS.get(k.kind, 2)
            romans.append(k.roman)
            blob += k.roman.encode("utf-8")
            roman.append(len(blob))
            if k.key:
                tok_skel[i] = skel_of.setdefault(k.key, len(skel_of))
        skels = list(skel_of)
        named = np.flatnonzero(tok_skel >= 0).astype(np.int32)
        skel_ptr, skel_tok = _csr(tok_skel[named], named, len(skels))
        tok_h, tok_hid = _neighbour_table(vocab, MIN_DEL_LEN)
        skel_h, skel_hid = _neighbour_table(skels, MIN_SKEL_DEL_LEN)
        rom_h, rom_hid = _neighbour_table(romans, MIN_DEL_LEN)
        return cls({
            "layout": LAYOUT, "vocab": vocab, "roman": bytes(blob), "roman_end": np.frombuffer(roman, np.int64).astype(np.uint32),
            "skels": skels, "n_alias": n_alias,
            "alias_ptr": alias_ptr.astype(np.uint32 if len(atok) < 2**32 else np.int64),
            "alias_tok": atok.astype(np.uint16 if n_tok < 2**16 else np.int32), "lengths": short,
            "post_ptr": post_ptr.astype(np.uint32 if len(post) < 2**32 else np.int64), "post": post,
            "post_len": short[post], "tok_skel": tok_skel, "tok_kind": tok_kind,
            "skel_ptr": skel_ptr, "skel_tok": skel_tok, "tok_h": tok_h, "tok_hid": tok_hid,
            "skel_h": skel_h, "skel_hid": skel_hid, "rom_h": rom_h, "rom_hid": rom_hid,
        })

    @classmethod
    def over(cls, aliases: Sequence[Alias], variants: Variants) -> FuzzyIndex:
        """An index over a sequence of aliases (numbered by position), uncached."""
        index = cls.build((a.text for a in aliases), variants)
        index.aliases = aliases
        return index

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in _TRANSIENT}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state)  # type: ignore[misc]

    # ------------------------------------------------------------------------------------------------ access
    def tokens(self, alias: int) -> list[int]:
        return self.alias_tok[self.alias_ptr[alias]:self.alias_ptr[alias + 1]].tolist()

    def text(self, alias: int) -> str:
        """The alias's variant-folded form (its tokens joined by spaces)."""
        v = self.vocab
        return " ".join([v[t] for t in self.tokens(alias)])

    def skeleton_key(self, tokens: list[int]) -> str:
        """The variant key (``key_of``) of an alias's tokens: skeletons of names and particles, articles dropped."""
        sk, kind, names = self.tok_skel, self.tok_kind, self.skels
        return " ".join([names[sk[t]] for t in tokens if kind[t] != 2 and sk[t] >= 0])

    def token(self, word: str) -> int | None:
        """The number of a vocabulary token, or None (through the CRC table: no dictionary of 50k strings)."""
        return kernel().lookup(word, self.tok_h, self.tok_hid, self.vocab)

    @property
    def roman_obj(self) -> np.ndarray:
        """Every token's romanised form (an object array, made on first use: 15 ms for 50k tokens)."""
        got = self.__dict__.get("_roman_obj")
        if got is None:
            blob, end = self.roman, self.roman_end.tolist()
            got = np.empty(len(self.vocab), dtype=object)
            got[:] = [blob[a:b].decode("utf-8") for a, b in zip(end, end[1:], strict=False)]
            self._roman_obj = got
        return got

    def romans(self, tokens: np.ndarray) -> list[str]:
        """The romanised forms of these tokens."""
        return self.roman_obj[tokens].tolist()

    def nbytes(self) -> int:
        """Bytes held in arrays (the vocabulary's strings and dictionaries come on top)."""
        return sum(v.nbytes for v in self.__dict__.values() if isinstance(v, np.ndarray))

    def scratch(self) -> np.ndarray:
        """This thread's zeroed work array, one float per token (every query leaves it zeroed)."""
        s = getattr(self._local, "scratch", None)
        if s is None:
            s = self._local.scratch = np.zeros(len(self.vocab), np.float32)
        return s

    def take_scores(self) -> np.ndarray:
        """Two zeroed floats per alias (8 MB at 1M aliases: the gathered weight and hits of each, side by side so
        one memory access reaches both): from a small pool shared by the threads, so a server's thread pool does
        not hold one per thread; hand it back zeroed with :meth:`give_scores`."""
        with self._pool_lock:
            if self._pool:
                return self._pool.pop()
        return np.zeros(2 * self.n_alias, np.float32)

    def give_scores(self, work: np.ndarray) -> None:
        with self._pool_lock:
            if len(self._pool) < SCORES_KEPT:
                self._pool.append(work)

    def neighbours(self, words: list[str], skeletons: bool = False, min_len: int = 0,
                   romans: bool = False) -> list[set[int]]:
        """For each word, the tokens (or skeletons) within one deletion on each side of it, itself included;
        ``romans``: ``words`` are romanised forms, met with the tokens' romanised forms (a name in another script)."""
        h, ids = (self.skel_h, self.skel_hid) if skeletons else (self.rom_h, self.rom_hid) if romans \
            else (self.tok_h, self.tok_hid)
        min_len = min_len or (MIN_SKEL_DEL_LEN if skeletons else MIN_DEL_LEN)
        return kernel().neighbours(words, min_len, MAX_DEL_LEN, h, ids)

    def near(self, words: list[str], keys: list[str], *, max_group: int = 64) -> list[set[int]]:
        """For each word (a folded text token) and its variant key: the vocabulary tokens it may be a spelling of:
        within one deletion on each side of it (a typo), or sharing its key (a romanisation) when few do."""
        out = self.neighbours(words)
        for got, k in zip(out, keys, strict=True):
            s = self.skel_id.get(k) if len(k) >= MIN_SKEL_DEL_LEN else None
            if s is not None and self.skel_ptr[s + 1] - self.skel_ptr[s] <= max_group:
                got.update(self.skel_tok[self.skel_ptr[s]:self.skel_ptr[s + 1]].tolist())
        return out

    def holding(self, tokens: Iterable[int], *, max_df: int) -> np.ndarray:
        """The aliases holding any of these tokens (each once), leaving out tokens in more than ``max_df``."""
        ptr, post = self.post_ptr, self.post
        parts = [post[ptr[t]:ptr[t + 1]] for t in tokens if 0 < ptr[t + 1] - ptr[t] <= max_df]
        if not parts:
            return np.zeros(0, np.int32)
        return np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]


class _Aliases(Sequence[Alias]):
    """Alias objects by number, built on access from the matcher's alias columns."""

    def __init__(self, columns: AliasColumns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        return self.columns.alias(i)


def index_for(columns: AliasColumns, variants: Variants, cache: CacheHandle | None) -> FuzzyIndex:
    """The index over ``columns`` (the matcher's aliases): from the compiled-table cache when the tables came from
    it (stored there after the first build), else built (seconds for a million aliases)."""
    def build() -> FuzzyIndex:
        return FuzzyIndex.build(columns.text, variants)

    with _lock:
        index = None if cache is None else cache.get_or_build(f"fuzzy_index-v{variants.version}", build)
        if not (isinstance(index, FuzzyIndex) and index.n_alias == len(columns) and index.layout == LAYOUT):
            index = build()
    index.aliases = _Aliases(columns)
    return index  # type: ignore[return-value]
