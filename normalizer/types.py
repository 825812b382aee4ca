"""Result types: frozen dataclasses with ``to_dict()`` for JSON.  Spans are half-open ``[start, end)`` Python
``str`` (code point) offsets into the caller's original text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CASE_RULES = ("any", "cased", "upper", "exact")


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
        names: dict[str, list[str]] = {}
        for a in self.aliases:
            names.setdefault(a.lang, []).append(a.text)
        out: dict[str, Any] = {"id": self.id, "type": self.type, "name": self.name, "aliases": names}
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
