"""The compiled hot path's switch: ``_scan`` (the matcher's scan and the mentions of its hits), ``_fold`` (the
fold), ``_spans`` (the name passes' tokenizer and runs), ``_fuzzy`` (the fuzzy index's gather and verify loops) and
``_align`` (the word pairing of name scoring), Cython modules built by ``pip install`` (setup.py).  Each has a Python
reference that gives the same output (``scan.py``, ``decide.py``, ``fastfold.py``, ``fold.py``, ``spans.py``,
``names/fuzzy_kernel.py``, ``names/score.py``); it runs when the extension could not be built, when
``NORMALIZER_PURE=1``, or when :data:`USE` is set False (the identity tests run both).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

try:
    from . import _fold as fold
    from . import _scan as scan
    from . import _spans as spans
except ImportError:  # pragma: no cover  (a machine that could not compile them: the Python reference runs)
    fold = scan = spans = None  # type: ignore[assignment]
try:  # the fuzzy index's gather and verify loops (reference: names/fuzzy_kernel.py), align()'s word pairing
    from . import _align as align  # (reference: names/score.py _coverage)
    from . import _fuzzy as fuzzy
except ImportError:  # pragma: no cover
    align = fuzzy = None  # type: ignore[assignment]

USE = scan is not None and os.environ.get("NORMALIZER_PURE", "").strip().lower() not in {"1", "true", "yes"}


def available() -> bool:
    """Were the compiled modules built and imported (all of them)?"""
    return all(m is not None for m in (fold, scan, spans, align, fuzzy))


def run_on(use: bool, fn: Callable[[], T]) -> T:
    """``fn()`` with the compiled path switched on (``use``) or off (the Python reference), then as before: for
    the identity tests and the benchmarks' before/after."""
    global USE
    old = USE
    USE = use and available()
    try:
        return fn()
    finally:
        USE = old
