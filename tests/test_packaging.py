"""A wheel install has the bundled tables: pyproject's data-files list every table file under alias_tables/
(normalizer.tables.bundled_dir finds them in <prefix>/share/normalizer/alias_tables outside a checkout)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_bundled_table_is_in_the_wheel_data_files():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["data-files"]
    listed = {f.relative_to(ROOT) for dest, globs in data_files.items() for g in globs for f in ROOT.glob(g)}
    for dest, globs in data_files.items():  # installed where bundled_dir() looks, mirroring alias_tables/
        assert all(dest == "share/normalizer/" + str(Path(g).parent) for g in globs), dest
    tables = {p.relative_to(ROOT) for p in (ROOT / "alias_tables").rglob("*")
              if p.suffix.lower() in {".yaml", ".yml", ".tsv"}}
    assert tables and tables <= listed, sorted(map(str, tables - listed))
