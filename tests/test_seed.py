"""The seed article (shared/seed/mit-daesh-2023.txt) through the bundled tables.

The expected names were written by reading the article: every occurrence of each string below must be a mention
of the given entity, with offsets into the original text.  Skipped when the shared seed file is absent.
"""

import re
from pathlib import Path

import pytest

from normalizer import Normalizer

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "mit-daesh-2023.txt"

EXPECTED = {
    "MIT": "org:mit-turkey",
    "MİT": "org:mit-turkey",
    "National Intelligence Organization": "org:mit-turkey",
    "Daesh": "org:isis",
    "ISIS": "org:isis",
    "ISKP": "org:iskp",
    "Türkiye": "loc:turkey",
    "Syria": "loc:syria",
    "Iraq": "loc:iraq",
    "Ankara": "loc:ankara",
    "Istanbul": "loc:istanbul",
    "Mersin": "loc:mersin",
    "Aleppo": "loc:aleppo",
    "Abu Huseyin al-Kurayshi": "per:abu-al-hussein-al-husseini-al-qurashi",
    "Huzeyfe El Muri": "per:huzeyfe-el-muri",
    "Kasım Güler": "per:kasim-guler",
    "Ebu Hasan El Türki": "per:kasim-guler",
}


@pytest.mark.skipif(not SEED.exists(), reason="seed article not present")
def test_seed_article_mentions(bundled: Normalizer) -> None:
    text = SEED.read_text(encoding="utf-8")
    mentions = bundled.normalize(text, lang="en").mentions
    by_span = {(m.start, m.end): m for m in mentions}
    for m in mentions:
        assert text[m.start:m.end] == m.text
    missing = []
    for name, eid in EXPECTED.items():
        occurrences = [mo.span() for mo in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
        assert occurrences, f"{name!r} is not in the seed article"
        for span in occurrences:
            m = by_span.get(span)
            if m is None or m.id != eid:
                missing.append((name, span, m.id if m else None))
    assert not missing, missing
    # a few names that are in the article and in the tables, each found at least once
    ids = {m.id for m in mentions}
    assert {"per:bashar-hamo", "op:euphrates-shield", "org:united-nations", "loc:kosovo"} <= ids
