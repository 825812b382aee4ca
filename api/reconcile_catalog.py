"""What the reconciliation service knows of the loaded tables as a whole (:class:`Catalog`: types, languages,
Wikidata ids, the longest name; built once per Normalizer), the properties it offers, and the data extension
(``extend``, ``propose_properties``)."""

from __future__ import annotations

import weakref
from typing import Any

from normalizer import Entity, Normalizer

from .reconcile_query import ExtendQuery, invalid

# Properties a query may carry (reconciliation) and properties an entity has (data extension).
QUERY_PROPERTIES = {
    "lang": ("Language of the name", "en, tr, ar, de, fr, ru, el, ...: prefers an alias of that language"),
    "type": ("Entity type", "organization, person, location, event: another type scores less"),
    "wikidata": ("Wikidata id", "Q-id: the entity with that Wikidata id wins"),
    "context": ("Context text", "the sentence or article around the name: entities it names score more"),
}
EXTEND_PROPERTIES = {
    "name": ("Canonical name", "the entity's canonical name"),
    "type": ("Entity type", "organization, person, location, event, ..."),
    "wikidata": ("Wikidata id", "the entity's Wikidata Q-id, when the tables give one"),
    "description": ("Description", "a short description, when the tables give one"),
    "names": ("All names", "every name of the entity, in every language"),
}
LANG_PROPERTY = "names_"  # + a language code: the entity's names in that language


def type_name(type_id: str) -> str:
    return type_id.replace("_", " ").capitalize()


def type_ref(type_id: str) -> dict[str, str]:
    return {"id": type_id, "name": type_name(type_id)}


class Catalog:
    """What the reconciliation service needs to know of the loaded tables as a whole (built once per
    Normalizer, on first use): types, languages, Wikidata ids, the longest name."""

    def __init__(self, norm: Normalizer) -> None:
        types: dict[str, int] = {}
        langs: set[str] = set()
        self.by_wikidata: dict[str, list[str]] = {}
        longest = 0
        for ent in norm.tables.entities.values():
            types[ent.type] = types.get(ent.type, 0) + 1
            if ent.wikidata:
                self.by_wikidata.setdefault(ent.wikidata.upper(), []).append(ent.id)
            for a in ent.aliases:
                langs.add(a.lang)
                longest = max(longest, len(a.text))
        self.types = sorted(types, key=lambda t: (-types[t], t))  # most entities first
        self.langs = sorted(langs)
        self.longest_name = longest

    def properties(self) -> list[dict[str, str]]:
        """Every property id this service knows, for suggest and ``propose_properties``."""
        out: dict[str, dict[str, str]] = {}
        for table in (QUERY_PROPERTIES, EXTEND_PROPERTIES):
            for pid, (name, desc) in table.items():
                out.setdefault(pid, {"id": pid, "name": name, "description": desc})
        for lang in self.langs:
            pid = LANG_PROPERTY + lang
            desc = "names with no language given" if lang == "und" else f"the entity's names in '{lang}'"
            out[pid] = {"id": pid, "name": f"Names ({lang})", "description": desc}
        return list(out.values())

    def extend_ids(self) -> set[str]:
        return set(EXTEND_PROPERTIES) | {LANG_PROPERTY + lang for lang in self.langs}


_catalogs: weakref.WeakKeyDictionary[Normalizer, Catalog] = weakref.WeakKeyDictionary()


def catalog(norm: Normalizer) -> Catalog:
    cat = _catalogs.get(norm)
    if cat is None:
        cat = _catalogs[norm] = Catalog(norm)
    return cat


def description(ent: Entity) -> str:
    """The table's description, or the type and a few of the entity's other names (to tell namesakes apart)."""
    if ent.description:
        return ent.description
    others = list(dict.fromkeys(a.text for a in ent.aliases if a.text != ent.name))[:4]
    return type_name(ent.type) + (": also " + ", ".join(others) if others else "")



def propose_properties(norm: Normalizer, limit: int | None = None) -> list[dict[str, str]]:
    cat = catalog(norm)
    extend = cat.extend_ids()
    props = [d for d in cat.properties() if d["id"] in extend]
    return props[:limit] if limit else props


def extend_rows(norm: Normalizer, req: ExtendQuery) -> dict[str, Any]:
    """``{"meta": [{id, name}], "rows": {entity id: {property id: [{"str": value}]}}}``; an unknown entity
    gets empty lists, an unknown property is an error."""
    cat = catalog(norm)
    known = cat.extend_ids()
    unknown = [pid for pid in req.properties if pid not in known]
    if unknown:
        raise invalid("extend.properties", f"unknown property {unknown[0]!r}; known: {', '.join(sorted(known))}")
    names = {d["id"]: d["name"] for d in cat.properties()}
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for eid in req.ids:
        ent = norm.entity(eid)
        rows[eid] = {pid: property_values(ent, pid) if ent is not None else [] for pid in req.properties}
    return {"meta": [{"id": pid, "name": names[pid]} for pid in req.properties], "rows": rows}


def property_values(ent: Entity, pid: str) -> list[dict[str, str]]:
    """One entity's values of an extension property (the service checks ``pid`` first)."""
    if pid == "name":
        vals = [ent.name]
    elif pid == "type":
        vals = [ent.type]
    elif pid == "wikidata":
        vals = [ent.wikidata] if ent.wikidata else []
    elif pid == "description":
        vals = [ent.description] if ent.description else []
    elif pid == "names":
        vals = list(dict.fromkeys([ent.name, *(a.text for a in ent.aliases)]))
    else:
        lang = pid.removeprefix(LANG_PROPERTY)
        vals = list(dict.fromkeys(a.text for a in ent.aliases if a.lang == lang))
    return [{"str": v} for v in vals]
