"""Write normalizer/data/arabic_common.txt: frequent Arabic words that are not names in the bundled tables.

A single Arabic word meets a Latin alias only on its spelling (abjad alignment, normalizer/abjad.py); frequent
ordinary words (لعبة "game" ~ Libya, عندي "I have" ~ Inde) are kept out of that guess by this list.  Source: the
`wordfreq` package's Arabic list (data CC BY-SA 4.0, https://github.com/rspeer/wordfreq), minus every word in which
the bundled tables' own Arabic names are found (سوريا, داعش stay guessable).  Needs `pip install wordfreq`; run
from the project root: ``python tools/make_arabic_common.py [N]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from wordfreq import top_n_list

from normalizer import Normalizer

N = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
OUT = Path(__file__).resolve().parent.parent / "normalizer" / "data" / "arabic_common.txt"


def main() -> None:
    norm = Normalizer(variants=False, fuzzy=False, context=False)
    fold = norm.folder.fold_key
    words: set[str] = set()
    names = 0
    for w in top_n_list("ar", N):
        if not all("\u0600" <= c <= "\u06ff" for c in w):
            continue
        if norm.normalize(w, lang="ar").mentions:
            names += 1
            continue
        if len(fold(w)) >= 4:  # shorter words never carry enough letters to meet a Latin alias alone
            words.add(fold(w))
    header = (f"# {len(words)} frequent Arabic words (folded) that are not names in the bundled tables: a single one of\n"
              "# them never meets a Latin alias by spelling alone. Made by tools/make_arabic_common.py from the top\n"
              f"# {N} words of wordfreq's Arabic list (data: CC BY-SA 4.0, https://github.com/rspeer/wordfreq),\n"
              f"# leaving out the {names} in which the bundled tables find a name.\n")
    OUT.write_text(header + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(words)} words ({names} names left out)")


if __name__ == "__main__":
    main()
