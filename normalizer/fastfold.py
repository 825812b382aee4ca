"""Fast path of :meth:`Folder.fold <normalizer.fold.Folder.fold>` for text whose every character folds to one ASCII
character: English, Turkish, French, German without ß, romanised Arabic — most of the text this service sees.

Three C-speed steps instead of a Python dictionary lookup per character:

1. ``codecs.charmap_encode`` with an :class:`EncodingMap` turns each character into one byte of a private
   256-symbol alphabet (ASCII plus the 128 most useful Latin letters and punctuation); any other character raises,
   and the caller falls back to the general fold;
2. ``bytes.translate`` folds that byte to its ASCII result (lower case, no diacritics, separators -> space);
3. runs of spaces are collapsed with numpy, recording breakpoints that give the same offset map as the general
   fold (one per removed space instead of two per run).

The same private bytes also give the *case-inverted* fold used to find capitals-only acronyms (see
:mod:`normalizer.matcher`): letters whose source character is lower case come out in upper case, so an
upper-case-only key cannot match them.  The result is checked against the general fold in the tests.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

import numpy as np

from . import compiled

# Non-ASCII characters worth a slot in the 128-entry private alphabet, most useful first.
_PRIORITY = (
    "çğıİöşüÇĞÖŞÜâîûÂÎÛ"  # Turkish
    "’‘“”„–—…«»·•′″‹›\u00a0\u2009\u202f´ʼ"  # punctuation, apostrophes, spaces
    "àáãäåèéêëìíïñòóôõøùúýÿÀÁÃÄÅÈÉÊËÌÍÏÑÒÓÔÕØÙÚÝ"  # Western European
    "āīūēōĀĪŪĒŌḥṣṭḍẓḤṢṬḌẒ"  # transliteration of Arabic
    "šžčćłńőűřśźżŠŽČĆŁŃŐŰŘŚŹŻ"  # Central European
)
_RANGES = ((0xC0, 0x100), (0x100, 0x180), (0xA1, 0xC0), (0x2010, 0x2050), (0x1E00, 0x1F00), (0x180, 0x250))
_PAD = 0xFDD0  # noncharacters fill unused slots of the decoding table
_ARANGE = np.arange(1 << 16)


class FastFold:
    """Tables for the fast path, derived from a folder's per-character fold."""

    def __init__(self, fold_char: Callable[[str], str]) -> None:
        self.ok = all(len(fold_char(chr(i))) == 1 and ord(fold_char(chr(i))) < 128 for i in range(128))
        chosen: list[str] = []
        seen: set[str] = set()
        candidates = list(_PRIORITY) + [chr(cp) for lo, hi in _RANGES for cp in range(lo, hi)]
        for ch in candidates:
            if len(chosen) == 128:
                break
            if ch in seen:
                continue
            seen.add(ch)
            out = fold_char(ch)
            if len(out) == 1 and ord(out) < 128:
                chosen.append(ch)
        table = "".join(chr(i) for i in range(128)) + "".join(chosen)
        table += "".join(chr(_PAD + i) for i in range(256 - len(table)))
        self.alphabet = table
        self.emap = codecs.charmap_build(table)
        fold = [ord(fold_char(c)) if i < 128 + len(chosen) else 32 for i, c in enumerate(table)]
        self.fold_bytes = bytes(fold)
        # case-inverted: a letter whose source character is cased but not upper case comes out in upper case
        self.upper_bytes = bytes(
            ord(chr(f).upper()) if c.lower() != c.upper() and not c.isupper() and chr(f).isalpha() else f
            for c, f in zip(table, fold, strict=True)
        )
        # case marks (affixes.case_flags' tests): "U" where the source character is cased and upper case, "l" where it
        # is cased and not upper case, "." where it is not cased
        self.cap_bytes = bytes(46 if c.lower() == c.upper() else 85 if c.isupper() else 108 for c in table)
        self._c = (compiled.fold.FastFoldC(table, self.fold_bytes, self.ok, self.upper_bytes, self.cap_bytes)
                   if compiled.fold is not None else None)

    def encode(self, text: str) -> bytes | None:
        """One private byte per character, or None when some character is outside the alphabet."""
        if not self.ok:
            return None
        try:
            return codecs.charmap_encode(text, "strict", self.emap)[0]
        except UnicodeEncodeError:
            return None

    def fold(self, text: str) -> tuple[bytes, bytes, bytes, tuple[int, ...], tuple[int, ...]] | None:
        """``(collapsed folded bytes, uncollapsed folded bytes, private bytes, fpos, opos)`` or None."""
        if compiled.USE and self._c is not None:  # normalizer/_fold.pyx: the same in one pass
            return self._c.fold(text)
        b = self.encode(text)
        if b is None:
            return None
        t = b.translate(self.fold_bytes)
        if b"  " not in t:
            return t, t, b, (), ()
        a = np.frombuffer(t, np.uint8)
        sp = a == 32
        dup = sp[1:] & sp[:-1]  # dup[i]: t[i + 1] is a space right after a space, removed
        rem = dup.nonzero()[0]
        collapsed = t[:1] + a[1:][~dup].tobytes()
        # One breakpoint per removed space: folded index (rem + 1 - k) is original index (rem + 2), k = spaces
        # removed before it.  Within a run the folded index repeats and the last breakpoint wins: the same map
        # as the general fold's two breakpoints per run.
        n = len(rem)
        steps = _ARANGE[:n] if n <= len(_ARANGE) else np.arange(n)
        return collapsed, t, b, tuple((rem + 1 - steps).tolist()), tuple((rem + 2).tolist())

    def upper(self, private: bytes) -> bytes:
        """The case-inverted fold of the same characters (same length as the source)."""
        return private.translate(self.upper_bytes)

    def capitals(self, private: bytes) -> bytes:
        """The case marks of the source: ``b"U"`` at each upper-case letter, ``b"l"`` at each other cased letter,
        ``b"."`` elsewhere (same length as the source)."""
        return private.translate(self.cap_bytes)


class FastAux:
    """What the fast path knows beyond :class:`~normalizer.fold.Folded`: bytes for the byte-level automata
    (``scan``: what the compiled scan reads, made in the compiled fold's pass, or None; see ``FastFoldC``)."""

    __slots__ = ("collapsed", "raw", "private", "fast", "scan")

    def __init__(self, collapsed: bytes, raw: bytes, private: bytes, fast: FastFold,
                 scan: tuple[bytes, bytes, bytes, str, str] | None = None) -> None:
        self.collapsed, self.raw, self.private, self.fast, self.scan = collapsed, raw, private, fast, scan
