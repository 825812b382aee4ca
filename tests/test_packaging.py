"""A non-editable install carries its bundled tables and rule files (issue 17, item 1).

The wheel is built from this checkout (offline: ``--no-build-isolation``, setuptools and wheel come with the
test extras), unpacked outside the checkout and imported from there, with the working directory elsewhere:
nothing may be read from the source tree.  ``.ci/run`` also installs the wheel into a fresh venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src") / "normalizer-src"  # a copy, so the build leaves nothing in the tree
    ignore = shutil.ignore_patterns(".*", "__pycache__", "build", "dist", "*.egg-info")
    shutil.copytree(ROOT, src, symlinks=True, ignore=ignore)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = dist.glob("normalizer-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return site


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORMALIZER_")}
    env["PYTHONPATH"] = str(site)  # before the editable install's path: the unpacked wheel is imported
    env["NORMALIZER_CACHE"] = "0"
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_wheel_has_every_bundled_table(unpacked_wheel: Path) -> None:
    in_tree = sorted(p.relative_to(ROOT / "alias_tables").as_posix()
                     for p in (ROOT / "alias_tables").rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(unpacked_wheel / "normalizer" / "alias_tables").as_posix()
                     for p in (unpacked_wheel / "normalizer" / "alias_tables").rglob("*") if p.is_file())
    assert in_tree and shipped == in_tree
    assert not (unpacked_wheel / "normalizer" / "alias_tables").is_symlink()  # real files, not the link


def test_installed_package_normalizes_outside_the_checkout(unpacked_wheel: Path, tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("MİT'in Daesh operasyonu Türkiye'de.\n", encoding="utf-8")
    code = ("import normalizer, json; n = normalizer.Normalizer(); "
            "print(json.dumps([normalizer.__file__, n.entity_count, str(n.tables.files[0]), "
            "[m.id for m in n.normalize('DEAŞ ve MİT').mentions]]))")
    p = _run(unpacked_wheel, tmp_path, "-c", code)
    assert p.returncode == 0, p.stderr
    where, entities, first_table, ids = json.loads(p.stdout)
    assert where.startswith(str(unpacked_wheel))  # imported from the wheel, not the checkout
    assert first_table.startswith(str(unpacked_wheel)) and entities > 500
    assert ids == ["org:isis", "org:mit-turkey"]
    p = _run(unpacked_wheel, tmp_path, "-m", "normalizer", "normalize", "one.txt")
    assert p.returncode == 0, p.stderr
    rec = json.loads(p.stdout)
    assert [m["id"] for m in rec["mentions"]] == ["org:mit-turkey", "org:isis", "loc:turkey"]
    p = _run(unpacked_wheel, tmp_path, "-m", "normalizer", "tables", "check", "-q")
    assert p.returncode == 0 and "ok:" in p.stderr, p.stderr
