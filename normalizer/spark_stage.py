"""Driver side of :mod:`normalizer.spark`: table files staged under a content-addressed directory and compiled
there, so that the driver's compiled-table cache fits the executors (the cache key holds the tables' paths)."""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .cache import cache_key
from .pipeline import Normalizer
from .spark_worker import warm
from .tables import TableError, table_files


def stage_root() -> Path:
    """Where tables are staged and compiled: ``$NORMALIZER_SPARK_STAGE``, else ``<tmp>/normalizer-spark``.  The
    path must be the same on the driver and the executors (it is part of the cache key)."""
    return Path(os.environ.get("NORMALIZER_SPARK_STAGE") or Path(tempfile.gettempdir()) / "normalizer-spark")


def digest(sources: Sequence[Path]) -> str:
    """A hash of the table sources: their order, names, relative paths and bytes."""
    h = hashlib.sha256()
    for i, p in enumerate(sources):
        h.update(f"\0{i}\0{p.name}\0".encode())
        for f in table_files([p]):
            h.update(f"\0{f.relative_to(p) if p.is_dir() else ''}\0".encode())
            with open(f, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
    return h.hexdigest()[:24]


def stage(sources: Sequence[Path], root: Path) -> tuple[list[str], dict[str, str]]:
    """Copy each table file or directory to ``root/<i>/<name>`` (once: ``root`` is named by their content);
    returns the staged paths and a map from staged file to original file (for error messages)."""
    staged, originals, plan = [], {}, []
    for i, p in enumerate(sources):
        dest = root / str(i) / p.name
        staged.append(str(dest))
        for f in table_files([p]):
            target = dest / f.relative_to(p) if p.is_dir() else dest
            plan.append((f, target))
            originals[str(target)] = str(f)
    if not root.is_dir():
        root.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root.parent, prefix=".tables."))
        for f, target in plan:
            out = tmp / target.relative_to(root)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, out)
        for i, p in enumerate(sources):  # an empty directory stays a directory
            (tmp / str(i) / p.name).mkdir(parents=True, exist_ok=True) if p.is_dir() else None
        try:
            os.rename(tmp, root)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    return staged, originals


def compile_tables(staged: list[str], originals: dict[str, str], cache: Path, *,
                   bundled: bool = False) -> tuple[str, list[Path]]:
    """Build the Normalizer on the driver into ``cache`` (invalid tables raise here, naming the user's files),
    warm its lazily built indexes, and return the cache key and the key's files."""
    try:
        n = Normalizer(staged, bundled=bundled, cache=cache)
    except TableError as exc:
        raise TableError([replace(p, file=originals.get(p.file, p.file)) for p in exc.problems]) from None
    warm(n)
    handle = getattr(n.matcher, "cache", None)  # the entry the Normalizer was stored under (tables, KB, rules)
    key = handle.key if handle is not None else cache_key(table_files(staged), n.folder)
    return key, sorted(cache.glob(f"{key}.*"))


def link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def link_tree(src: Path, dst: Path) -> None:
    for p in sorted(src.rglob("*")):
        target = dst / p.relative_to(src)
        if p.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            link(p, target)


def ship_dir(base: Path, key: str, cache_files: Sequence[Path]) -> Path:
    """``base/ship-<key>``: ``tables/`` and the key's ``cache/`` files (hard links where possible), the directory
    that ``SparkContext.addFile`` ships; made once, atomically."""
    ship = base / f"ship-{key}"
    if not ship.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=base, prefix=".ship."))
        link_tree(base / "tables", tmp / "tables")
        (tmp / "cache").mkdir()
        for f in cache_files:
            link(f, tmp / "cache" / f.name)
        try:
            os.rename(tmp, ship)
        except OSError:  # another driver got there first
            shutil.rmtree(tmp, ignore_errors=True)
    for old in base.glob("ship-*"):  # keys the cache has pruned (older code): their hard links would keep the space
        key_of = old.name[len("ship-"):]
        if old != ship and key_of != base.name and not (base / "cache" / f"{key_of}.nzc").exists():
            shutil.rmtree(old, ignore_errors=True)
    return ship
