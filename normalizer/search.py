"""Entities by a typed prefix or substring of a name (``Normalizer.search_entities``: the web page's and the
reconciliation service's suggestions, one request per keystroke).

Every alias's folded key is laid out once in one string, in the tables' entity order; a query is found there by
``str.find`` (C speed) and each hit mapped back to its alias by bisection, instead of folding and testing every
alias in Python for every request (~0.1-0.2 s with the bundled tables and the KB).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from .tables import TableSet
from .types import Entity


class EntitySearch:
    """The aliases' folded keys of ``tables`` (``fold_key`` as the matcher folds them), searchable.

    >>> from normalizer import Normalizer
    >>> n = Normalizer()
    >>> [e.id for e in EntitySearch(n.tables, n.folder.fold_key).search(n.folder.fold_key("Daesh"), 2)]
    ['org:isis', 'org:global-coalition-against-daesh']
    """

    def __init__(self, tables: TableSet, fold_key: Callable[[str], str]) -> None:
        keys: list[str] = []
        self._owners: list[Entity] = []
        for ent in tables.entities.values():
            for a in ent.aliases:
                keys.append(fold_key(a.text).replace("\n", " "))
                self._owners.append(ent)
        self._starts: list[int] = []
        at = 1
        for k in keys:
            self._starts.append(at)
            at += len(k) + 1
        self._starts.append(at)
        self._blob = "\n" + "\n".join(keys) + "\n"

    def search(self, key: str, limit: int) -> list[Entity]:
        """Entities with an alias equal to ``key`` (folded), then starting with it, then containing it; by name
        within each, the tables' order among equal names; at most ``limit``."""
        if not key or "\n" in key:
            return []
        blob, starts, owners = self._blob, self._starts, self._owners
        ranks: dict[str, tuple[int, Entity]] = {}  # entity id -> its best rank, in the tables' order
        n = len(key)
        p = blob.find(key)
        while p != -1:
            i = bisect_right(starts, p) - 1
            s, e = starts[i], starts[i + 1] - 1  # the alias's key is blob[s:e]
            if p + n <= e:
                rank = 0 if p == s and p + n == e else 1 if p == s else 2
                ent = owners[i]
                got = ranks.get(ent.id)
                if got is None or rank < got[0]:
                    ranks[ent.id] = (rank, ent)
            p = blob.find(key, p + 1)
        scored = sorted(((rank, ent.name, ent) for rank, ent in ranks.values()), key=lambda t: (t[0], t[1]))
        return [ent for _, _, ent in scored[:limit]]
