"""Linking: each table entity is linked to a knowledge-base entity on strong evidence and borrows its names.

Evidence, strongest first: a pin in the table (``kb: Q...``, ``geonames: ...``; ``kb: none`` refuses any link),
the same Wikidata QID, or one of the entity's names equal to a KB name after folding, with agreeing types
(``data/kb.yaml``) and no other KB entity fitting as well.  Fit: how many of the entity's names the KB entity
shares, whether it shares the KB entity's canonical name, the KB entity's tier (country, capital, city,
region), then a clearly larger population.  A person links by name only on a full name.

A linked entity keeps its id and gains the KB entity's other names as aliases whose ``source`` is
``kb:<name source>:<KB id>`` (``kb-word:...`` when the name is an ordinary word: see :mod:`normalizer.kb.guard`).
A borrowed name that another table entity already has, or that two linked entities would both borrow, is left
out: the tables' own names always win.  With ``bundled=True`` the KB's countries, capitals, major cities and
curated organisations that no table entity links to are added as entities of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..tables import TableSet, default_case_rule
from ..types import BORROWED_SOURCES, Alias, Entity
from .store import KBEntity, KBName, KnowledgeBase, LinkConfig

BUNDLED_ORIGIN = "curated/bundled"  # name source of what the KB took from alias_tables/ (tools/build_kb.py)
# source prefix of a borrowed name / of one that is an ordinary word somewhere / of one word naming an unasked entity
BORROWED, ORDINARY, ONE_WORD = BORROWED_SOURCES


@dataclass(frozen=True, slots=True)
class Link:
    """The linking decision for one table entity."""

    entity_id: str
    status: str  # linked | pinned | refused | ambiguous | unmatched | missing
    kb_id: str | None
    evidence: str
    rivals: tuple[str, ...] = ()
    borrowed: int = 0  # names the entity gained

    def __str__(self) -> str:
        rivals = f" [rivals: {', '.join(self.rivals)}]" if self.rivals else ""
        gained = f" (+{self.borrowed} names)" if self.kb_id else ""
        return f"{self.status:9s} {self.entity_id} -> {self.kb_id or '-'}{gained}: {self.evidence}{rivals}"


class Linker:
    def __init__(self, kb: KnowledgeBase, fold_key: Callable[[str], str], config: LinkConfig,
                 common_words: frozenset[str] = frozenset()) -> None:
        self.kb, self.fold, self.cfg, self.common = kb, fold_key, config, common_words

    # ------------------------------------------------------------------------------------------------ decide
    def decide(self, ent: Entity, pins: dict[str, str]) -> Link:
        kb, eid = self.kb, ent.id
        if pins.get("kb") == "none":
            return Link(eid, "refused", None, "the table says kb: none")
        for key, index in (("kb", None), ("geonames", kb.by_geonames)):
            if key in pins:
                value = pins[key]
                target = kb.get(value) if index is None else kb.get(index.get(value, ""))
                if target is None and key == "kb":
                    target = kb.get(kb.by_wikidata.get(value, ""))
                if target is None:
                    return Link(eid, "missing", None, f"{key}: {value} is not in the knowledge base")
                return Link(eid, "pinned", target.id, f"{key}: {value} in the table = {target.label()}")
        if ent.wikidata and ent.wikidata in kb.by_wikidata:
            target = kb.get(kb.by_wikidata[ent.wikidata])
            assert target is not None
            return Link(eid, "linked", target.id, f"same wikidata {ent.wikidata} = {target.label()}")
        agree = self.cfg.types.get(ent.type)
        if not agree:
            return Link(eid, "unmatched", None, f"type {ent.type!r} links only by id or pin")
        own = self.own_keys(ent)
        person = ent.type == "person"
        shared: dict[str, list[str]] = {}
        other_type: set[str] = set()
        for key, text in own.items():
            if person and len(key.split()) < self.cfg.person_min_words:
                continue
            for k in kb.by_name(key):
                if k.type in agree:
                    shared.setdefault(k.id, []).append(text)
                else:
                    other_type.add(f"{k.id} ({k.type})")
        if not shared:
            if other_type:
                return Link(eid, "unmatched", None, "its names are KB names of another type only: "
                            + ", ".join(sorted(other_type)[:3]))
            why = "no KB name equals its names" + (" (a person links on a full name only)" if person else "")
            return Link(eid, "unmatched", None, why)

        def fit(kid: str) -> tuple[int, bool, int]:
            k = kb.entities[kid]
            return len(shared[kid]), self.fold(k.name) in own, -self.cfg.tiers.get(k.kind, 9)

        ranked = sorted(shared, key=lambda i: (fit(i), kb.entities[i].population, i), reverse=True)
        top = kb.entities[ranked[0]]
        ties = [kb.entities[i] for i in ranked[1:] if fit(i) == fit(top.id)]
        names = ", ".join(repr(t) for t in shared[top.id][:3])
        if ties:
            biggest = max(t.population for t in ties)
            if top.population and biggest and top.population >= self.cfg.population_ratio * biggest:
                return Link(eid, "linked", top.id, f"name {names} = {top.label()}; namesakes at least "
                            f"{self.cfg.population_ratio:g}x smaller", tuple(t.id for t in ties[:3]))
            return Link(eid, "ambiguous", None, f"name {names} fits {len(ties) + 1} KB entities as well",
                        tuple(t.id for t in [top, *ties][:4]))
        return Link(eid, "linked", top.id, f"name {names} = {top.label()}")

    def own_keys(self, ent: Entity) -> dict[str, str]:
        out: dict[str, str] = {}
        for a in ent.aliases:
            if not a.source.startswith("derived:"):
                key = self.fold(a.text)
                if key:
                    out.setdefault(key, a.text)
        return out

    # ------------------------------------------------------------------------------------------------ borrow
    def ordinary(self, key: str, kb_ent: KBEntity) -> bool:
        """Is a single-word name an ordinary word somewhere?  Listed in ``kb.yaml``, or a frequent word that
        names a minor place (a country's or capital's name is frequent because it is a name)."""
        if " " in key:
            return False
        if key in self.cfg.ordinary_words:
            return True
        return key in self.common and kb_ent.kind not in ("country", "capital", "curated")

    @staticmethod
    def too_weak_unasked(key: str, kb_ent: KBEntity) -> bool:
        """A name not lent to a city or region no table asked for (bundled mode): one word in a script without
        capitals (Arabic: no capital shows it is a name, and such words are often a person's nisba too)."""
        return kb_ent.kind in ("city", "region") and " " not in key and key.lower() == key.upper()

    def alias(self, name: KBName, eid: str, kb_ent: KBEntity, key: str, *, unasked: bool = False) -> Alias:
        """The borrowed alias.  ``unasked``: the name of a KB entity no table asked for (bundled mode); one cased
        word (``Victoria``, ``Santiago``, ``Salvador``: also people's first names) then must not stand next to
        another capitalised word (see :mod:`normalizer.kb.guard`)."""
        if self.ordinary(key, kb_ent):
            prefix = ORDINARY
        elif unasked and " " not in key and key.lower() != key.upper():
            prefix = ONE_WORD
        else:
            prefix = BORROWED
        return Alias(name.text, eid, name.lang or "und", name.case or default_case_rule(name.text),
                     f"{prefix}{name.source}:{kb_ent.id}")


def link_tables(tables: TableSet, kb: KnowledgeBase, *, fold_key: Callable[[str], str], bundled: bool = False,
                config: LinkConfig | None = None, common_words: frozenset[str] = frozenset()
                ) -> tuple[TableSet, list[Link]]:
    """The tables with borrowed names (and, with ``bundled``, the KB's own entities), and each decision."""
    linker = Linker(kb, fold_key, config or LinkConfig.load(), common_words)
    links = [linker.decide(ent, tables.pins.get(ent.id, {})) for ent in tables.entities.values()]
    owner: dict[str, set[str]] = {}  # folded name -> table entities that have it
    own: dict[str, dict[str, str]] = {}
    for ent in tables.entities.values():
        own[ent.id] = linker.own_keys(ent)
        for key in own[ent.id]:
            owner.setdefault(key, set()).add(ent.id)
    wanted: dict[str, list[tuple[str, KBName, KBEntity]]] = {}  # key -> (entity id, name, KB entity)
    for link in links:
        if link.kb_id:
            kb_ent = kb.entities[link.kb_id]
            for name in kb_ent.names:
                key = fold_key(name.text)
                if key and key not in owner:
                    wanted.setdefault(key, []).append((link.entity_id, name, kb_ent))
    gained: dict[str, list[Alias]] = {}
    for key, takers in wanted.items():
        if len({t[0] for t in takers}) == 1:  # two linked entities would share it: neither gets it
            eid, name, kb_ent = takers[0]
            gained.setdefault(eid, []).append(linker.alias(name, eid, kb_ent, key))
    entities = dict(tables.entities)
    for eid, aliases in gained.items():
        ent = entities[eid]
        entities[eid] = Entity(ent.id, ent.type, ent.name, ent.aliases + tuple(aliases), ent.wikidata,
                               ent.description, ent.context, ent.source)
    links = [Link(k.entity_id, k.status, k.kb_id, k.evidence, k.rivals, len(gained.get(k.entity_id, ())))
             for k in links]
    if bundled:
        linked = {k.kb_id for k in links if k.kb_id}
        taken = set(owner) | set(wanted)
        for kb_ent in _bundled_entities(kb, linker.cfg):
            if kb_ent.id in linked or kb_ent.id in entities or fold_key(kb_ent.name) in taken:
                continue
            aliases = []
            for name in kb_ent.names:
                key = fold_key(name.text)
                if (key and key not in taken and name.source not in linker.cfg.bundled_skip_sources
                        and not linker.too_weak_unasked(key, kb_ent)):
                    aliases.append(linker.alias(name, kb_ent.id, kb_ent, key, unasked=True))
            if aliases:
                entities[kb_ent.id] = Entity(kb_ent.id, kb_ent.type, kb_ent.name, tuple(aliases), kb_ent.wikidata,
                                             kb_ent.description or None, (), f"kb:{kb.path.name}")
                taken.update(fold_key(a.text) for a in aliases)
    out = TableSet(entities, list(tables.files), f"{tables.version}+kb{kb.version[:8]}", tables.warnings,
                   tables.known_ambiguous, tables.pins)
    return out, links


def _bundled_entities(kb: KnowledgeBase, cfg: LinkConfig) -> Iterable[KBEntity]:
    """The KB entities bundled mode matches: the configured kinds, big cities, and smaller cities that GeoNames
    names in several of our languages (known abroad: Timbuktu, Bakhmut)."""
    for kb_id, kind, population, origin in kb.summary():
        if origin == BUNDLED_ORIGIN:  # a copy of a bundled table's entity: the table itself is loaded (or was
            continue  # changed since the KB was built, and then the KB's copy must not come back)
        if kind in cfg.bundled_kinds:
            yield kb.entities[kb_id]
        elif kind == "city" and population >= cfg.bundled_notable_population:
            ent = kb.entities[kb_id]
            if ent.population >= cfg.bundled_min_city_population or cfg.bundled_notable_languages <= len(
                    {n.lang for n in ent.names if n.source in ("geonames", "cldr") and n.lang != "und"}):
                yield ent
