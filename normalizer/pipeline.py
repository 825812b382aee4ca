"""The :class:`Normalizer`: text -> fold -> find candidates -> decide -> :class:`~normalizer.types.Result`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .decide import mention_from_hit, non_overlapping
from .fold import Folder, default_folder
from .matcher import AliasMatcher
from .tables import TableSet, bundled_dir, load_tables
from .types import Candidate, Entity, Result

MAX_TEXT_CHARS = 50_000_000


class Normalizer:
    """Find entity mentions in text and resolve them to canonical IDs.

    >>> n = Normalizer()
    >>> [(m.text, m.id) for m in n.normalize("MİT'in Daesh operasyonu").mentions]
    [('MİT', 'org:mit-turkey'), ('Daesh', 'org:isis')]
    """

    def __init__(self, tables: Sequence[str | Path] = (), *, bundled: bool = True, folder: Folder | None = None) -> None:
        if isinstance(tables, (str, Path)):
            tables = [tables]
        self.folder = folder or default_folder()
        paths: list[str | Path] = ([bundled_dir()] if bundled else []) + list(tables)
        self.tables: TableSet = load_tables(paths, fold_key=self.folder.fold_key, fold_version=self.folder.version)
        self.matcher = AliasMatcher(self.tables, self.folder)

    # ------------------------------------------------------------------------------------------------ public
    @property
    def version(self) -> str:
        """A hash of the loaded table files and fold rules (changes whenever either changes)."""
        return self.tables.version

    @property
    def entity_count(self) -> int:
        return len(self.tables.entities)

    @property
    def alias_count(self) -> int:
        return self.tables.alias_count

    def entity(self, entity_id: str) -> Entity | None:
        return self.tables.entities.get(entity_id)

    def normalize(self, text: str, lang: str | None = None, *, explain: bool = False) -> Result:
        """Every mention of a known entity in ``text``, sorted by start, never overlapping."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"text too long: {len(text)} characters (limit {MAX_TEXT_CHARS}); split it")
        folded = self.folder.fold(text)
        hits = non_overlapping(self.matcher.find(folded, lang), key=lambda h: (-(h.end - h.start), h.start))
        steps = self.folder.steps_for if explain else None
        mentions = tuple(mention_from_hit(h, text, self.tables, lang=lang, fold_steps=steps) for h in hits)
        return Result(text, mentions, lang)

    def resolve(self, name: str, *, limit: int = 5, lang: str | None = None) -> list[Candidate]:
        """Ranked candidate entities for one name (no running text): best first, at most ``limit``."""
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        from .resolve import resolve_name

        return resolve_name(self, name, limit=limit, lang=lang)

    def search_entities(self, query: str, *, limit: int = 20) -> list[Entity]:
        """Entities whose name or an alias starts with (or contains) ``query`` after folding; best first."""
        key = self.folder.fold_key(query)
        if not key:
            return []
        scored: list[tuple[int, str, Entity]] = []
        for ent in self.tables.entities.values():
            best = None
            for a in ent.aliases:
                k = self.folder.fold_key(a.text)
                rank = 0 if k == key else 1 if k.startswith(key) else 2 if key in k else None
                if rank is not None and (best is None or rank < best):
                    best = rank
            if best is not None:
                scored.append((best, ent.name, ent))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [e for _, _, e in scored[:limit]]
