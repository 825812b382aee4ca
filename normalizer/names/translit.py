"""Any script to Latin letters, and a language's Latin spelling conventions (rules: ``scripts``, ``conventions``
and ``endings`` in ``data/variants.yaml``).

A folded token of Cyrillic or Greek script is written in Latin letters with an English-like convention (longest
letter group first: Greek ``μπ`` is b, ``ου`` is u); a Latin token of a known language has that language's
spellings turned into the same convention (German ``sch``/``j``/``w``/``z``, French ``ch``/``j``/``ou``, Turkish
``c``/``j``).  What comes out is one more Latin spelling, which the shared rewrites of :mod:`.keys` then reduce to
a romanised form and a consonant key, the same way for every script.  Arabic script has its own letter classes
(it writes no short vowels: see :mod:`.keys` and :mod:`.abjad`).  Letters of other scripts go through unidecode.

>>> t = default_translit()
>>> t.latin("пригожин", None), t.latin("πριγκοζιν", None), t.latin("μπολα", None), t.latin("ντονετσκ", None)
('prigozhin', 'prigozin', 'bola', 'donetsk')
>>> t.latin("prigoschin", "de"), t.latin("prigojine", "fr"), t.latin("prigojin", "tr"), t.latin("jewgeni", "de")
('prigoshin', 'prigozhine', 'prigozhin', 'yevgeni')
>>> t.script("сергей"), t.script("νιγηρα"), t.script("داعش"), t.script("daesh")
('cyrillic', 'greek', 'arabic', 'latin')
>>> t.stems("бахмута", None), t.stems("νιγηρα", "el"), t.stems("prigoschins", "de"), t.stems("prigoschins", "en")
(('бахмут',), ('νιγηρ',), ('prigoschin',), ())
>>> t.stems("νιγηριασ", "el")
('νιγηρι', 'νιγηρια')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from unidecode import unidecode

from ..fold import DATA_DIR

_ARABIC = ("\u0600", "\u06ff")


def _alternation(keys: list[str]) -> re.Pattern[str] | None:
    order = sorted(keys, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, order))) if order else None


class Translit:
    """Script detection, transliteration to Latin and language conventions, from the rules in ``data``."""

    def __init__(self, data: dict[str, Any], fold: Callable[[str], str] | None = None) -> None:
        self.scripts: dict[str, tuple[str, str]] = {"arabic": _ARABIC}
        self._letters: dict[str, dict[str, str]] = {}
        self._letter_re: dict[str, re.Pattern[str] | None] = {}
        for name, spec in (data.get("scripts") or {}).items():
            lo, hi = spec["range"]
            self.scripts[name] = (lo, hi)
            self._letters[name] = dict(spec["letters"])
            self._letter_re[name] = _alternation(list(spec["letters"]))
        self._conv: dict[str, dict[str, str]] = {k: dict(v or {}) for k, v in (data.get("conventions") or {}).items()}
        self._conv_re = {k: _alternation(list(v)) for k, v in self._conv.items()}
        ends = data.get("endings") or {}
        self.min_stem = int(ends.get("min_stem", 3))
        fold = fold or (lambda s: s)  # endings are matched on folded tokens (ς folds to σ)
        self._endings: dict[str, tuple[str, ...]] = {
            k: tuple(sorted({fold(e) for e in v}, key=len, reverse=True)) for k, v in ends.items() if isinstance(v, list)}

    def script(self, token: str) -> str:
        """The script of a token's first letter: ``latin`` unless it falls in a listed script's range."""
        c = next((c for c in token if c.isalpha()), "")
        if c and c >= "\u0370":
            for name, (lo, hi) in self.scripts.items():
                if lo <= c <= hi:
                    return name
        return "latin" if c.isascii() or not c else "other"

    def latin(self, token: str, lang: str | None) -> str:
        """A folded non-Arabic token in Latin letters, with its language's conventions applied (Latin script) or
        the script's letters written English-like (Cyrillic, Greek; other scripts through unidecode)."""
        script = self.script(token)
        if script in self._letters:
            rx, table = self._letter_re[script], self._letters[script]
            out = rx.sub(lambda m: table[m.group()], token) if rx else token
            return unidecode(out).lower() if not out.isascii() else out
        if script == "other":
            return unidecode(token).lower()
        conv = lang if lang in self._conv else "und"
        rx = self._conv_re.get(conv)
        if rx is None:
            return token if token.isascii() else unidecode(token).lower()
        table = self._conv[conv]
        out = rx.sub(lambda m: table[m.group()], token)
        return out if out.isascii() else unidecode(out).lower()

    def stems(self, token: str, lang: str | None) -> tuple[str, ...]:
        """The token without a listed case ending of its script (Cyrillic, Greek) or language (German genitive
        -s), each ending that fits and leaves ``min_stem`` letters, the longest first (Νιγηρίας: Νιγηρί, Νιγηρία);
        empty when none applies."""
        script = self.script(token)
        endings = self._endings.get(script) or (self._endings.get(lang or "") if script == "latin" else None)
        if not endings:
            return ()
        return tuple(token[: -len(e)] for e in endings if token.endswith(e) and len(token) - len(e) >= self.min_stem)


@lru_cache(maxsize=2)
def _load(path: str) -> Translit:
    from ..fold import default_folder

    return Translit(yaml.safe_load(Path(path).read_text(encoding="utf-8")), default_folder().fold_key)


def default_translit(path: Path | None = None) -> Translit:
    return _load(str(path or DATA_DIR / "variants.yaml"))
