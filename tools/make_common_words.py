"""Write normalizer/data/common_words.txt.gz: frequent words of the service's languages that are not names.

A single word is guessed to be a spelling of a name it does not spell exactly (variant keys, abjad alignment) only
when it is not a frequent ordinary word: ``Gibt`` is not Egypt, ``Woman`` is not Oman, ``لعبة`` (game) is not Libya.
Source: the ``wordfreq`` package's lists (data CC BY-SA 4.0, https://github.com/rspeer/wordfreq), the top N words of
each language, minus every word in which the bundled tables find a name (Türkei, Suriye, سوريا stay guessable).
Needs ``pip install wordfreq`` (not a runtime dependency); run from the project root:
``python tools/make_common_words.py [N]``.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from wordfreq import top_n_list

from normalizer import Normalizer

LANGS = ("en", "tr", "ar", "de", "fr", "el", "ru")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
OUT = Path(__file__).resolve().parent.parent / "normalizer" / "data" / "common_words.txt.gz"


def main() -> None:
    norm = Normalizer(variants=False, fuzzy=False, context=False)
    fold = norm.folder.fold_key
    words: set[str] = set()
    names: set[str] = set()
    for lang in LANGS:
        for w in top_n_list(lang, N):
            key = fold(w)
            if len(key) < 3 or not key.isalpha() or key in words or key in names:
                continue
            forms = (w, w.capitalize(), w.upper())
            if any(m.start == 0 and m.end == len(f) for f in forms for m in norm.normalize(f, lang=lang).mentions):
                names.add(key)
            else:
                words.add(key)
    header = (f"# {len(words)} frequent words (folded) of {', '.join(LANGS)} that are not names in the bundled tables:\n"
              "# a single one of them is never guessed to be a spelling of a name. Made by tools/make_common_words.py\n"
              f"# from the top {N} words per language of wordfreq (data: CC BY-SA 4.0, https://github.com/rspeer/wordfreq),\n"
              f"# leaving out the {len(names)} in which the bundled tables find a name.\n")
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(header + "\n".join(sorted(words)) + "\n")
    print(f"wrote {OUT}: {len(words)} words ({len(names)} names left out), {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
