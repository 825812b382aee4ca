"""The name layer: every name (a table alias, a window of running text, a query) -> tokens -> romanised,
script-independent keys (:mod:`.translit`, :mod:`.keys`), token-aligned scoring (:mod:`.score`) and the indexes that
propose candidates (:mod:`.index`, :mod:`.fuzzy_index`).

The pipeline (``normalizer.pipeline``, ``normalizer.variant_pass``) and ``normalizer.resolve`` call this package; it
imports neither (only ``normalizer.fold``, ``normalizer.types`` and ``normalizer.compact`` below it).
"""
