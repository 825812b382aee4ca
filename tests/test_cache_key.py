"""The compiled-table cache is keyed on what shapes the stored data (normalizer/cache.py): an edit to code that
does not shape it keeps the cache, a bumped layout version or a changed rule file rebuilds it.  Each case runs a
copy of the package in a fresh interpreter, as a user's next start would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import normalizer

FIXTURES = Path(__file__).parent / "fixtures"
TABLE = FIXTURES / "cache_people.tsv"
PROBE = """
import sys
from pathlib import Path
from normalizer import Normalizer
n = Normalizer([Path(sys.argv[1])], bundled=False, cache=Path(sys.argv[2]), variants=False, fuzzy=False, context=False)
import normalizer
assert normalizer.__file__.startswith(sys.argv[4]), normalizer.__file__  # the copy, not the checkout
print(n.matcher.cache.key, [(m.text, m.id) for m in n.normalize(sys.argv[3]).mentions])
"""


@pytest.fixture()
def package(tmp_path: Path) -> Path:
    """A copy of the installed package (with its compiled modules) to edit."""
    root = tmp_path / "pkg"
    shutil.copytree(Path(normalizer.__file__).parent, root / "normalizer",
                    ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    return root


def _start(package: Path, cache: Path) -> tuple[str, str]:
    """Start a Normalizer from the copy in a fresh interpreter: (cache key, mentions)."""
    env = {**os.environ, "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
    text = TABLE.read_text(encoding="utf-8").splitlines()[1].split("\t")[1]  # a name from the table
    out = subprocess.run([sys.executable, "-c", PROBE, str(TABLE), str(cache), f"{text} spoke.", str(package)], env=env,
                         cwd=package, capture_output=True, text=True, timeout=300, check=True).stdout.strip()
    key, mentions = out.split(" ", 1)
    return key, mentions


def _entries(cache: Path) -> set[str]:
    return {p.name for p in cache.glob("*.nzc") if p.name.count(".") == 1}


def _edit(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, f"{pattern!r} not found in {path}"
    path.write_text(new, encoding="utf-8")


def test_unrelated_code_edit_keeps_the_cache(package: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    key, mentions = _start(package, cache)
    assert len(_entries(cache)) == 1 and "per:" in mentions
    pkg = package / "normalizer"
    for name in ("evaluate.py", "batch.py", "pipeline.py", "scan.py", "resolve.py"):  # code, not stored data
        with open(pkg / name, "a", encoding="utf-8") as fh:
            fh.write("\n\ndef _an_unrelated_edit() -> int:\n    return 42\n")
    key2, mentions2 = _start(package, cache)
    assert (key2, mentions2) == (key, mentions)
    assert len(_entries(cache)) == 1  # read from the cache, nothing rebuilt


@pytest.mark.parametrize("edit", ["data_version", "state_version", "rule_file"])
def test_layout_or_rule_change_rebuilds(package: Path, tmp_path: Path, edit: str) -> None:
    cache = tmp_path / "cache"
    key, mentions = _start(package, cache)
    pkg = package / "normalizer"
    if edit == "data_version":
        _edit(pkg / "cache.py", r"^DATA_VERSION = (\d+)", "DATA_VERSION = 1000")
    elif edit == "state_version":
        _edit(pkg / "matcher.py", r"^STATE_VERSION = (\d+)", "STATE_VERSION = 1000")
    else:
        with open(pkg / "data" / "affixes.yaml", "a", encoding="utf-8") as fh:
            fh.write("\n# a changed rule file\n")
    key2, mentions2 = _start(package, cache)
    assert key2 != key
    assert mentions2 == mentions
    assert len(_entries(cache)) == 2  # a new entry was built
