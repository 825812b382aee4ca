"""Where the package's own files are: the rule files (``normalizer/data/``) and the bundled alias tables
(``normalizer/alias_tables/``), found through :mod:`importlib.resources`, so a wheel install, an editable
install and a source checkout all read them the same way.

In the source tree ``normalizer/alias_tables`` is a symbolic link to the top-level ``alias_tables/`` (the
directory people edit, and the one ``git`` and the docs name); building a wheel copies the files it points
to, so an installed package carries real files.  The path is resolved, so messages about a bundled table
name ``alias_tables/...`` in a checkout.

>>> package_path("data").name, (package_path("data") / "fold.yaml").is_file()
('data', True)
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
from pathlib import Path

_EXTRACTED = contextlib.ExitStack()  # files extracted from a zipped install live until the process ends
atexit.register(_EXTRACTED.close)


def package_path(name: str) -> Path:
    """A real file-system path for the package resource ``name`` (a file or a directory)."""
    res = importlib.resources.files(__package__) / name
    if isinstance(res, Path):  # a normal install or a checkout
        return res.resolve()
    return _EXTRACTED.enter_context(importlib.resources.as_file(res))  # a zip: extracted once (dirs: 3.12+)
