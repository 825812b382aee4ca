"""Folding for matching: one table of per-character rules, exact offsets back to the caller's string.

Every alias and every input text is folded by the same :class:`Folder`.  The rules are data
(``normalizer/data/fold.yaml``); this module only turns them into a per-character table and applies it.

Most characters fold to exactly one character, so the folded text has the same length as the original and
offsets are the identity.  Only three things change lengths: deleted characters (Arabic harakat, combining
marks, zero-width characters), expanded characters (``ß`` -> ``ss``) and runs of word breaks (``". "`` -> ``" "``).
Those are recorded as breakpoints of a piecewise-linear offset map.

>>> f = default_folder()
>>> f.fold_key("MİT'in")
'mit in'
>>> folded = f.fold("Daesh [ISIS]'in")
>>> folded.text
'daesh isis in'
>>> folded.span(6, 10)
(7, 11)
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from . import compiled
from .fastfold import FastAux, FastFold
from .resources import package_path

DATA_DIR = package_path("data")  # rule files, via importlib.resources (normalizer/resources.py)
_DELETE = "\x00"  # sentinel in the 1:1 pass: this character is removed
_EXPAND = "\x01"  # sentinel in the 1:1 pass: this character becomes several
_SPECIAL = re.compile("[ \x00]{2,}|[\x00\x01]")


# ---------------------------------------------------------------------------------------------- builtin steps
def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def _lowercase(ch: str) -> str:
    return ch.lower()


def _strip_marks(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))


def _separator(ch: str) -> str:
    return "".join(c if c.isalnum() else " " for c in ch)


BUILTINS: dict[str, Callable[[str], str]] = {
    "nfkc": _nfkc,
    "lowercase": _lowercase,
    "strip_marks": _strip_marks,
    "separator": _separator,
}


@dataclass(frozen=True)
class FoldStep:
    """One named folding rule, applied to a single character (its output may be 0..n characters)."""

    name: str
    doc: str
    mapping: dict[str, str] = field(default_factory=dict)
    builtin: Callable[[str], str] | None = None

    def apply(self, ch: str) -> str:
        if ch in self.mapping:
            return self.mapping[ch]
        if self.builtin is not None:
            return self.builtin(ch)
        return ch


def _parse_range(spec: str) -> range:
    lo, _, hi = spec.partition("-")
    start = int(lo.removeprefix("U+"), 16)
    end = int(hi.removeprefix("U+"), 16) if hi else start
    return range(start, end + 1)


def load_steps(path: Path) -> tuple[str, list[FoldStep]]:
    """Read fold rules from YAML; returns (version string, steps)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = []
    for raw in data["steps"]:
        mapping = {str(k): str(v) for k, v in (raw.get("map") or {}).items()}
        for spec in raw.get("delete") or ():
            for cp in _parse_range(spec):
                mapping[chr(cp)] = ""
        builtin = BUILTINS[raw["builtin"]] if raw.get("builtin") else None
        steps.append(FoldStep(raw["name"], raw.get("doc", ""), mapping, builtin))
    return str(data.get("version", 0)), steps


class _Table(dict):
    """code point -> 1:1 folded character (or a sentinel); computes characters it has not seen yet."""

    def __init__(self, folder: Folder) -> None:
        super().__init__()
        self._folder = folder

    def __missing__(self, cp: int) -> str:
        out = self._folder.fold_char(chr(cp))
        value = out if len(out) == 1 and out not in (_DELETE, _EXPAND) else (_DELETE if not out else _EXPAND)
        if value == _EXPAND and out.strip() == "":
            value = " "  # a character that expands only to breaks is one break
        self[cp] = value
        return value


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text plus the map back to the original string.

    ``text`` is the folded text; ``source`` the caller's string.  Breakpoints ``(fpos[k], opos[k])`` say that
    folded index ``fpos[k]`` is original index ``opos[k]``; between breakpoints offsets advance together.
    """

    text: str
    source: str
    fpos: tuple[int, ...] = ()
    opos: tuple[int, ...] = ()
    aux: object = field(default=None, repr=False, compare=False)  # fast path: bytes for the matcher (fastfold)

    def orig(self, i: int) -> int:
        """Original index of folded character ``i`` (``len(text)`` maps to ``len(source)``)."""
        if i >= len(self.text):
            return len(self.source)
        if not self.fpos:
            return i
        k = bisect_right(self.fpos, i) - 1
        if k < 0:
            return i
        return self.opos[k] + (i - self.fpos[k])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Half-open folded span -> half-open original span.

        The end maps to where the next folded character starts, so marks deleted at the end of a word
        (a combining cedilla, Arabic harakat) stay inside the span; trailing spaces are never included.
        """
        ostart = self.orig(start)
        oend = self.orig(end)
        if oend <= ostart and end > start:  # the span lies inside one expanded character
            oend = self.orig(end - 1) + 1
        if end > start and end < len(self.text) and self.text[end] != " ":
            # end inside a word (a fused suffix follows): stop right after the last matched character
            oend = max(self.orig(end - 1) + 1, ostart)
        return ostart, oend


class Folder:
    """Applies the fold rules.  One instance per rule set; cheap to call, thread-safe after construction."""

    def __init__(self, rules_path: Path | None = None) -> None:
        self.rules_path = rules_path or DATA_DIR / "fold.yaml"
        self.version, self.steps = load_steps(self.rules_path)
        self._table = _Table(self)
        self._expansions: dict[str, str] = {}
        # Precompute the scripts this service cares about so the hot path rarely calls back into Python.
        for lo, hi in ((0x0000, 0x0590), (0x0600, 0x0700), (0x0750, 0x0780), (0x1E00, 0x2070), (0xFB00, 0xFF00)):
            for cp in range(lo, hi):
                self._table[cp]  # noqa: B018  (fills the cache)
        self._fast = FastFold(self.fold_char)
        self._general = (compiled.fold.GeneralFoldC(self._table, self.fold_char, Folded)
                         if compiled.fold is not None else None)
        if self._fast._c is not None:
            self._fast._c.set_classes(Folded, FastAux, self._fast)

    # -------------------------------------------------------------------------------------------- per character
    def trace_char(self, ch: str) -> tuple[str, tuple[str, ...]]:
        """Fold one character; also return the names of the steps that changed it."""
        cur = ch
        changed: list[str] = []
        for step in self.steps:
            nxt = "".join(step.apply(c) for c in cur)
            if nxt != cur:
                changed.append(step.name)
                cur = nxt
        return cur, tuple(changed)

    @lru_cache(maxsize=65536)  # noqa: B019  (one Folder per process; the cache is the point)
    def fold_char(self, ch: str) -> str:
        out = self.trace_char(ch)[0]
        if out and not out.strip():
            return " "
        # a character that expands to several (¼ -> "1⁄4") stays one word: a break inside it would split it
        return out.replace(" ", "") if len(out) > 1 else out

    def steps_for(self, text: str) -> tuple[str, ...]:
        """Names of the fold steps that change any character of ``text``, in rule order (for explain)."""
        seen: set[str] = set()
        for ch in set(text):
            seen.update(self.trace_char(ch)[1])
        return tuple(s.name for s in self.steps if s.name in seen)

    # ---------------------------------------------------------------------------------------------- whole text
    def fold(self, text: str) -> Folded:
        """Fold ``text`` for matching, keeping the map back to original offsets."""
        fc = self._fast._c
        if compiled.USE and fc is not None:  # normalizer/_fold.pyx: also what the compiled scan reads, same pass
            return fc.fold_folded(text) or self._general.fold_folded(text)
        fast = self._fast.fold(text)  # C-speed path when every character folds to one ASCII character
        if fast is not None:
            collapsed, raw, private, fpos, opos = fast
            return Folded(collapsed.decode("ascii"), text, fpos, opos, FastAux(collapsed, raw, private, self._fast))
        return self.fold_general(text)

    def fold_general(self, text: str) -> Folded:
        """The fold for any text, one table lookup per character (``fold`` takes a faster path when it can)."""
        if compiled.USE and self._general is not None:  # normalizer/_fold.pyx: the same steps in C
            return self._general.fold_folded(text)
        t1 = text.translate(self._table)
        if _SPECIAL.search(t1) is None:
            return Folded(t1, text)
        out: list[str] = []
        fpos: list[int] = []
        opos: list[int] = []
        flen = 0  # folded length so far
        last = 0  # original index consumed so far
        for m in _SPECIAL.finditer(t1):
            a, b = m.span()
            out.append(t1[last:a])
            flen += a - last
            run = m.group()
            if run == _EXPAND:
                exp = self.fold_char(text[a])
                for i in range(len(exp)):
                    fpos.append(flen + i)
                    opos.append(a)
                out.append(exp)
                flen += len(exp)
            elif " " in run:
                s = a + run.index(" ")
                fpos.append(flen)
                opos.append(s)
                out.append(" ")
                flen += 1
            fpos.append(flen)
            opos.append(b)
            last = b
        out.append(t1[last:])
        return Folded("".join(out), text, tuple(fpos), tuple(opos))

    def fold_key(self, text: str) -> str:
        """Fold an alias (or any short string) to its matching key: folded, single-spaced, stripped."""
        t1 = text.translate(self._table)
        if _DELETE in t1 or _EXPAND in t1:
            return self.fold(text).text.strip()
        return " ".join(t1.split())  # the only whitespace a fold can produce is " "


@lru_cache(maxsize=4)
def _folder_for(path: str) -> Folder:
    return Folder(Path(path))


def default_folder() -> Folder:
    """The process-wide folder for the bundled rules (built once, then shared)."""
    return _folder_for(str(DATA_DIR / "fold.yaml"))


def fold_key(text: str) -> str:
    """Fold with the default rules.

    >>> fold_key("DEAŞ")
    'deas'
    >>> fold_key("Türkiye’ye")
    'turkiye ye'
    >>> fold_key("أبو حسين القُرَشي")
    'ابو حسين القرشي'
    """
    return default_folder().fold_key(text)
