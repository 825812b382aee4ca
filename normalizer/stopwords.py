"""Function words and demonyms by language (``data/stopwords.yaml``): words a name never starts or ends with."""

from __future__ import annotations

from pathlib import Path

import yaml

from .fold import DATA_DIR


class Stopwords:
    """Function words and demonyms by language (``data/stopwords.yaml``), folded: :meth:`for_lang` gives the set a
    text is read with: its language's and those of the other scripts (an Arabic, Greek or Russian word never
    collides with a Latin one), or every language's when the text's is unknown. French *syrien* (Syrian) is a
    stopword of French texts, not of German ones, where *Syrien* is Syria."""

    OTHER_SCRIPTS = ("ar", "el", "ru")

    def __init__(self, fold_key, path: Path | None = None) -> None:  # noqa: ANN001
        data = yaml.safe_load((path or DATA_DIR / "stopwords.yaml").read_text(encoding="utf-8"))
        self.by_lang = {lang: frozenset(fold_key(w) for w in words) for lang, words in data.items()}
        self.all = frozenset().union(*self.by_lang.values())
        self._memo: dict[str | None, frozenset[str]] = {}

    def for_lang(self, lang: str | None) -> frozenset[str]:
        got = self._memo.get(lang)
        if got is None:
            if lang in self.by_lang:
                got = self.by_lang[lang].union(*(self.by_lang.get(o, frozenset()) for o in self.OTHER_SCRIPTS))
            else:
                got = self.all
            self._memo[lang] = got
        return got
