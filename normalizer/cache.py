"""Compiled-table cache: the loaded tables and the matcher's automata on disk, so a big table starts in a second.

Building a :class:`~normalizer.Normalizer` from a million-alias TSV means parsing, validating and folding every
alias and building the automata: tens of seconds.  The cache stores the result — tables as columns
(:mod:`normalizer.compact`) and the serialised automata — in one file keyed by a hash of

* the bytes (and names) of every table file,
* the fold rules and every other rule file in ``normalizer/data/``,
* what shapes the stored objects: :data:`FORMAT` (this file's layout), :data:`DATA_VERSION` (how tables become
  the stored columns and keys), ``matcher.STATE_VERSION`` (the matcher's state), the package version, the Python
  minor version and the versions of the libraries whose objects are pickled (daachorse's automata, numpy arrays).

Change any of them and the key changes: the next start rebuilds and writes a new file (old files are pruned).
Code that does not shape the stored data is not part of the key: editing the CLI, the API or a pass that reads
the tables does not rebuild a million-alias cache (30-100 s).  The constants are bumped by hand when the
stored data changes (tests/test_cache_key.py shows both cases).
Indexes built later from the same tables live next to it as ``<key>.<name>.nzc`` (:class:`CacheHandle`; the
variant index of :mod:`normalizer.spans` is one), so they follow the same key, pruning and atomic writes.

Where: ``cache=`` a directory, else ``$NORMALIZER_CACHE_DIR``, else ``~/.cache/normalizer``.  When:
``cache=True``/``False`` forces it; the default (``None``) follows ``$NORMALIZER_CACHE`` (``1``/``0``) and
otherwise uses the cache only for big tables (over :data:`AUTO_BYTES` of table files, about 50k aliases).

Safety: the file is written to a temporary file in the same directory and moved into place with
``os.replace``, so two processes building at once each write a complete file and the last one wins; a reader
never sees half a file.  A missing, unreadable, corrupt or mismatching cache file is rebuilt, never an error
(a warning says why).  Only ``*.nzc`` files this module wrote are ever deleted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .compact import CompactEntities
from .tables import Problem, TableSet, table_files

if TYPE_CHECKING:
    from .fold import Folder
    from .matcher import AliasMatcher

FORMAT = 1  # layout of the cache file
# Bump when what is stored for the same table files changes: table parsing (tables.py), the aliases the matcher
# adds (derived acronyms in pipeline.py, inflected forms in inflect.py), the column layout (compact.py).  The
# matcher's own layout has matcher.STATE_VERSION; indexes stored next to the tables (CacheHandle) carry a
# version in their name.
DATA_VERSION = 1
SUFFIX = ".nzc"
AUTO_BYTES = 3_000_000  # default: cache tables whose files add up to more than this (~50k aliases)
KEEP = 6  # cache files kept per directory (most recently used first)
_DATA = Path(__file__).resolve().parent / "data"
_code_digest: str | None = None


class CompactTableSet(TableSet):
    """A :class:`TableSet` whose entities are stored as columns (see :class:`CompactEntities`)."""

    @property
    def alias_count(self) -> int:
        return self.entities.alias_count  # type: ignore[attr-defined]


class _Problems(Sequence[Problem]):
    """Table warnings kept as tuples; :class:`Problem` objects are built when read."""

    def __init__(self, rows: list[tuple[str, int, str, str]]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            return [Problem(*r) for r in self._rows[i]]
        return Problem(*self._rows[i])


class CacheHandle:
    """The cache entry a Normalizer came from: other indexes built from the same tables can live next to it."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory, self.key = directory, key

    def get_or_build(self, name: str, build: Callable[[], object],
                     valid: Callable[[object], bool] | None = None) -> object:
        """``build()``'s result, from ``<key>.<name>.nzc`` when present, readable and ``valid`` (if given), else
        built and stored (atomically, like the tables: two processes building at once both end with a whole file)."""
        path = self.directory / f"{self.key}.{name}{SUFFIX}"
        obj = _read(path, self.key)
        if obj is not None and valid is not None and not valid(obj):
            warnings.warn(f"normalizer: unusable cache file {path} (does not fit the tables); rebuilding", stacklevel=2)
            obj = None
        if obj is None:
            obj = build()
            _write(path, self.key, obj)
        return obj


def cache_dir(setting: bool | str | Path | None = None) -> Path:
    """The cache directory for a ``cache=`` setting."""
    if isinstance(setting, (str, Path)):
        return Path(setting).expanduser()
    env = os.environ.get("NORMALIZER_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "normalizer"


def wanted(setting: bool | str | Path | None, files: Sequence[Path]) -> bool:
    """Should this Normalizer use the cache?"""
    if setting is not None:
        return setting is not False
    env = os.environ.get("NORMALIZER_CACHE", "").strip().lower()
    if env in {"1", "true", "yes", "on"}:
        return True
    if env in {"0", "false", "no", "off"}:
        return False
    return sum(p.stat().st_size for p in files if p.is_file()) > AUTO_BYTES


def code_digest() -> str:
    """Hash of what shapes the stored data apart from the table files: the version constants, the library
    versions and the rule files in ``normalizer/data/`` (not the package's code: see the module docstring)."""
    global _code_digest
    if _code_digest is None:
        from . import __version__
        from .matcher import STATE_VERSION

        shape = [f"format={FORMAT}", f"data={DATA_VERSION}", f"matcher={STATE_VERSION}", f"package={__version__}",
                 f"python={sys.version_info[:2]}", f"daachorse={_version('daachorse')}", f"numpy={_version('numpy')}"]
        h = hashlib.sha256("\0".join(shape).encode())
        for p in sorted(_DATA.rglob("*")):
            if p.is_file():
                h.update(p.relative_to(_DATA).as_posix().encode() + b"\0" + p.read_bytes())
        _code_digest = h.hexdigest()
    return _code_digest


def cache_key(files: Sequence[Path], folder: Folder) -> str:
    """Key of the cache entry for these table files (their names and bytes) and this folder's rules."""
    h = hashlib.sha256(code_digest().encode())
    h.update(folder.version.encode() + b"\0" + Path(folder.rules_path).read_bytes())
    for p in files:
        h.update(b"\0file\0" + str(p.resolve()).encode() + b"\0")
        with open(p, "rb") as fh:
            h.update(hashlib.file_digest(fh, "sha256").digest() if hasattr(hashlib, "file_digest")
                     else hashlib.sha256(fh.read()).digest())
    return h.hexdigest()[:32]


def load_or_build(paths: Sequence[str | Path], folder: Folder, build: Callable[[], tuple[TableSet, AliasMatcher]],
                  *, cache: bool | str | Path | None = None) -> tuple[TableSet, AliasMatcher]:
    """Tables and matcher for ``paths``: from the cache when it applies and holds them, else ``build()`` (and store).

    ``build`` is the uncached path (load and validate the tables, build the matcher); its errors (a
    :class:`~normalizer.TableError`) propagate unchanged.  The matcher gets a ``cache`` attribute: a
    :class:`CacheHandle` for other indexes of the same tables, or None.
    """
    files = table_files(paths)
    if not all(p.is_file() for p in files) or not wanted(cache, files):
        tables, matcher = build()
        matcher.cache = None  # type: ignore[attr-defined]
        return tables, matcher
    from .matcher import AliasMatcher

    directory = cache_dir(cache)
    key = cache_key(files, folder)
    path = directory / f"{key}{SUFFIX}"
    state = _read(path, key)
    if state is not None:
        try:
            tables = CompactTableSet(state["entities"], state["files"], state["version"],
                                     _Problems(state["warnings"]), state["known_ambiguous"])
            matcher = AliasMatcher.from_state(state["matcher"], folder)
            matcher.cache = CacheHandle(directory, key)  # type: ignore[attr-defined]
            _touch(path)
            return tables, matcher
        except Exception as exc:  # noqa: BLE001  (a bad cache is rebuilt, never an error)
            warnings.warn(f"normalizer: unusable table cache {path} ({exc!r}); rebuilding", stacklevel=2)
    tables, matcher = build()
    entities = CompactEntities(tables.entities, shared=matcher.alias_columns)
    compact = CompactTableSet(entities, list(tables.files), tables.version, list(tables.warnings),
                              {k: set(v) for k, v in tables.known_ambiguous.items()})
    state = {"entities": entities, "files": compact.files, "version": compact.version,
             "warnings": [(p.file, p.line, p.message, p.level) for p in compact.warnings],
             "known_ambiguous": compact.known_ambiguous, "matcher": matcher.state()}
    _write(path, key, state)
    matcher.cache = CacheHandle(directory, key)  # type: ignore[attr-defined]
    _prune(directory)
    return compact, matcher


# ------------------------------------------------------------------------------------------------------ files
def _read(path: Path, key: str) -> object | None:
    """The object stored at ``path`` for ``key``; None when absent or unusable (with a warning for the latter)."""
    try:
        with open(path, "rb") as fh:
            head = pickle.load(fh)
            if head != (FORMAT, key):
                raise ValueError(f"header {head!r} does not match")
            return pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001  (corrupt, truncated, unreadable: rebuild)
        warnings.warn(f"normalizer: unusable table cache {path} ({exc!r}); rebuilding", stacklevel=3)
        return None


def _write(path: Path, key: str, obj: object) -> bool:
    """Write atomically (temporary file + ``os.replace``); failures are warnings, never errors."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((FORMAT, key), fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return True
    except Exception as exc:  # noqa: BLE001
        warnings.warn(f"normalizer: could not write table cache {path} ({exc!r})", stacklevel=3)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _prune(directory: Path) -> None:
    """Keep the :data:`KEEP` most recently used entries (with their side files); drop stale temporary files."""
    try:
        mains = sorted((p for p in directory.glob(f"*{SUFFIX}") if p.name.count(".") == 1),
                       key=lambda p: p.stat().st_mtime, reverse=True)
        for old in mains[KEEP:]:
            stem = old.name[: -len(SUFFIX)]
            for p in directory.glob(f"{stem}*{SUFFIX}"):
                p.unlink(missing_ok=True)
        for tmp in directory.glob(f".*{SUFFIX}.*.tmp"):
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink(missing_ok=True)
    except OSError:
        pass


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # noqa: BLE001
        return "?"
