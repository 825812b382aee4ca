"""Result types: frozen dataclasses with ``to_dict()`` for JSON.  Spans are half-open ``[start, end)`` Python
``str`` (code point) offsets into the caller's original text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from types import MemberDescriptorType
from typing import Any

CASE_RULES = ("any", "cased", "upper", "exact")
# source prefixes of the names an entity borrowed from the knowledge base (normalizer.kb.link)
BORROWED_SOURCES = ("kb:", "kb-word:", "kb-one:")


@dataclass(frozen=True, slots=True)
class Alias:
    """One name of an entity as written in a table."""

    text: str
    entity_id: str
    lang: str = "und"
    case: str = "any"  # one of CASE_RULES; see tables.default_case_rule
    source: str = ""  # "file:line"


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name: str
    aliases: tuple[Alias, ...] = ()
    wikidata: str | None = None
    description: str | None = None
    context: tuple[str, ...] = ()
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``aliases``: the table's names by language; ``borrowed`` (when any): the names the entity has from the
        knowledge base, by language, each with its source (``kb:<source>:<KB id>``)."""
        names: dict[str, list[str]] = {}
        borrowed: dict[str, list[dict[str, str]]] = {}
        for a in self.aliases:
            if a.source.startswith(BORROWED_SOURCES):
                borrowed.setdefault(a.lang, []).append({"alias": a.text, "source": a.source})
            else:
                names.setdefault(a.lang, []).append(a.text)
        out: dict[str, Any] = {"id": self.id, "type": self.type, "name": self.name, "aliases": names}
        if borrowed:
            out["borrowed"] = borrowed
        if self.wikidata:
            out["wikidata"] = self.wikidata
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible entity for a mention or a name, with its score and the evidence for it."""

    id: str
    canonical: str
    type: str
    score: float
    alias: str
    method: str
    features: dict[str, Any] = field(default_factory=dict, compare=False)

    def __reduce__(self):  # noqa: ANN204
        return new_candidate, (self.id, self.canonical, self.type, self.score, self.alias, self.method, self.features)

    def to_dict(self, *, features: bool = True) -> dict[str, Any]:
        d = asdict(self)
        if not features:
            d.pop("features")
        return d


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a mention matched: the folding steps that changed its text and the rules that accepted it."""

    key: str  # the folded key that matched
    fold_steps: tuple[str, ...]
    rules: tuple[str, ...]
    features: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    start: int
    end: int
    id: str | None  # None only when ambiguous: see ``candidates``
    canonical: str | None
    type: str | None
    score: float
    method: str  # "exact" | "folded" | "variant" | "fuzzy" | "context"
    alias: str
    lang: str = "und"  # language of the alias that matched
    inflected: bool = False  # a suffix is fused into the word; the span is the whole word
    ambiguous: bool = False
    candidates: tuple[Candidate, ...] = ()
    explain: Explanation | None = None

    def __reduce__(self):  # noqa: ANN204
        """Pickled as the constructor's arguments: unpickling many mentions (results sent back by worker
        processes) is about three times faster than the dataclass's per-field ``__setstate__``."""
        return new_mention, (self.text, self.start, self.end, self.id, self.canonical, self.type, self.score,
                             self.method, self.alias, self.lang, self.inflected, self.ambiguous, self.candidates,
                             self.explain)

    def to_dict(self, *, explain: bool | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "id": self.id,
            "canonical": self.canonical,
            "type": self.type,
            "score": round(self.score, 4),
            "method": self.method,
            "alias": self.alias,
            "lang": self.lang,
        }
        if self.inflected:
            d["inflected"] = True
        if self.ambiguous or self.candidates:
            d["ambiguous"] = self.ambiguous
            d["candidates"] = [c.to_dict(features=False) for c in self.candidates]
        if self.explain is not None and explain is not False:
            d["explain"] = self.explain.to_dict()
        return d


def _setters(cls: type, names: tuple[str, ...]) -> list | None:
    """The slot descriptors' ``__set__`` of ``cls`` for ``names`` (every slot, in this order), or None."""
    slots = [cls.__dict__.get(f) for f in names]
    if set(names) != set(getattr(cls, "__slots__", ())) or not all(isinstance(d, MemberDescriptorType) for d in slots):
        return None
    return [d.__set__ for d in slots]  # type: ignore[union-attr]


def slotted_maker(cls: type, fields: tuple[str, ...], name: str | None = None) -> Callable[..., Any]:
    """``cls(*values)`` for these fields (every slot, in this order) without a frozen dataclass's per-field
    ``object.__setattr__`` (about twice as fast: the matcher makes a Mention per hit, the name passes a Token per
    capitalised word); the plain constructor when ``cls`` is not a slotted class.  The function is written out
    for its arity (no loop per call), as ``dataclasses`` writes ``__init__``; ``name``: its name in this module
    (for pickling by reference)."""
    sets = _setters(cls, fields)
    if sets is None:
        return cls
    args = ", ".join(fields)
    body = "".join(f"    s{i}(o, {f})\n" for i, f in enumerate(fields))
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, **{f"s{i}": st for i, st in enumerate(sets)}}
    exec(f"def make({args}):\n    o = new(cls)\n{body}    return o\n", scope)  # noqa: S102
    make = scope["make"]
    make.__qualname__ = make.__name__ = name or f"new_{cls.__name__.lower()}"
    if name:  # pickled by reference as normalizer.types.<name> (see Mention.__reduce__)
        make.__module__ = __name__
    make.__doc__ = f"``{cls.__name__}({args})``, made by :func:`slotted_maker`."
    return make


def _candidate_maker():  # noqa: ANN202
    """``Candidate(id, canonical, type, score, alias, method, features=None)`` (``None``: a new empty dict), like
    :func:`new_mention`."""
    sets = _setters(Candidate, ("id", "canonical", "type", "score", "alias", "method", "features"))
    if sets is None:
        return Candidate
    new = object.__new__
    s0, s1, s2, s3, s4, s5, s6 = sets

    def make(id: str, canonical: str, type: str, score: float, alias: str, method: str,  # noqa: A002
             features: dict[str, Any] | None = None) -> Candidate:
        c = new(Candidate)
        s0(c, id)
        s1(c, canonical)
        s2(c, type)
        s3(c, score)
        s4(c, alias)
        s5(c, method)
        s6(c, {} if features is None else features)
        return c

    make.__qualname__ = make.__name__ = "new_candidate"
    make.__module__ = __name__
    return make


new_mention = slotted_maker(Mention, ("text", "start", "end", "id", "canonical", "type", "score", "method", "alias",
                                      "lang", "inflected", "ambiguous", "candidates", "explain"), "new_mention")
new_candidate = _candidate_maker()


@dataclass(frozen=True, slots=True)
class Result:
    text: str
    mentions: tuple[Mention, ...]
    lang: str | None = None

    def to_dict(self, *, explain: bool | None = None) -> dict[str, Any]:
        return {"mentions": [m.to_dict(explain=explain) for m in self.mentions]}

    @property
    def ids(self) -> list[str | None]:
        return [m.id for m in self.mentions]
