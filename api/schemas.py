"""Request and response models of the HTTP API (pydantic v2), each with an example for the OpenAPI docs.

Requests forbid unknown fields (a typo such as ``"lnag"`` is an error, not silently ignored).  Responses are
built from the library's ``to_dict()`` output; the response models here document that shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

LANG_PATTERN = r"^[a-z]{2,3}$"
Lang = Annotated[
    str | None, Field(default=None, pattern=LANG_PATTERN, description="ISO 639 code, e.g. tr, en, ar")
]

MENTION_EXAMPLE: dict[str, Any] = {
    "text": "MİT",
    "start": 0,
    "end": 3,
    "id": "org:mit-turkey",
    "canonical": "National Intelligence Organization",
    "type": "organization",
    "score": 1.0,
    "method": "exact",
    "alias": "MİT",
    "lang": "tr",
}
DAESH_EXAMPLE: dict[str, Any] = {
    "text": "Daesh",
    "start": 7,
    "end": 12,
    "id": "org:isis",
    "canonical": "Islamic State",
    "type": "organization",
    "score": 1.0,
    "method": "exact",
    "alias": "Daesh",
    "lang": "en",
}
ERROR_EXAMPLE: dict[str, Any] = {
    "error": {"code": "validation_error", "message": "body.text: Input should be a valid string"}
}


def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


# ------------------------------------------------------------------------------------------------ requests
class NormalizeRequest(BaseModel):
    model_config = _example({"text": "MİT'in Daesh operasyonu Türkiye'de.", "lang": "tr"})

    text: str = Field(description="the text to search; offsets in the answer index this string")
    lang: Lang
    explain: bool = Field(
        default=False, description="add the folded key, fold steps and rules to each mention"
    )


class BatchItem(BaseModel):
    model_config = _example({"id": "a1", "text": "MİT'in Daesh operasyonu Türkiye'de.", "lang": "tr"})

    id: str | int | None = Field(default=None, description="your id for the item, echoed in its result")
    text: str
    lang: Lang
    explain: bool = False


# A bad item must not fail the whole batch, so items are validated one by one in the route; the schema
# still documents them as BatchItem.
_BatchItemJson = Annotated[Any, WithJsonSchema(BatchItem.model_json_schema())]


class BatchRequest(BaseModel):
    model_config = _example(
        {
            "items": [
                {"id": "a1", "text": "MİT'in Daesh operasyonu Türkiye'de.", "lang": "tr"},
                {
                    "id": "a2",
                    "text": "Der Geheimdienst MIT hat mit der Polizei in Syrien ermittelt.",
                    "lang": "de",
                },
            ]
        }
    )

    items: list[_BatchItemJson] = Field(description="texts to normalise; each gets one result, in order")


class ResolveRequest(BaseModel):
    model_config = _example({"name": "DEAŞ", "limit": 5})

    name: str = Field(max_length=1000, description="one name, without running text")
    limit: int = Field(default=5, ge=1, le=100)
    lang: Lang


# ------------------------------------------------------------------------------------------------ responses
class ErrorInfo(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. body_too_large, validation_error")
    message: str = Field(description="what is wrong and how to fix it")
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ERROR_EXAMPLE]})

    error: ErrorInfo


class MentionOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [MENTION_EXAMPLE]})

    text: str
    start: int = Field(description="code-point offset into the request text (Python str index)")
    end: int
    id: str | None = Field(description="null only for an ambiguous mention: see candidates")
    canonical: str | None
    type: str | None
    score: float
    method: str
    alias: str
    lang: str | None = None
    start_utf16: int | None = Field(
        default=None, description="with ?offsets=utf16: UTF-16 offset (JavaScript)"
    )
    end_utf16: int | None = None


class NormalizeResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"mentions": [MENTION_EXAMPLE, DAESH_EXAMPLE]}]}
    )

    mentions: list[MentionOut]


class BatchResult(BaseModel):
    id: str | int | None
    mentions: list[MentionOut] | None = None
    error: ErrorInfo | None = None


class BatchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {"id": "a1", "mentions": [MENTION_EXAMPLE, DAESH_EXAMPLE]},
                        {
                            "id": "a2",
                            "error": {
                                "code": "validation_error",
                                "message": "items[1].text: Input should be a valid string",
                            },
                        },
                    ]
                }
            ]
        }
    )

    results: list[BatchResult]


class CandidateOut(BaseModel):
    id: str
    canonical: str
    type: str
    score: float
    alias: str
    method: str = Field(description="exact | folded | fuzzy")


class ResolveResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "candidates": [
                        {
                            "id": "org:isis",
                            "canonical": "Islamic State",
                            "type": "organization",
                            "score": 1.0,
                            "alias": "DEAŞ",
                            "method": "exact",
                        },
                    ]
                }
            ]
        }
    )

    candidates: list[CandidateOut]


ENTITY_EXAMPLE: dict[str, Any] = {
    "id": "org:isis",
    "type": "organization",
    "name": "Islamic State",
    "aliases": {"und": ["Islamic State"], "en": ["ISIS", "Daesh"], "tr": ["DEAŞ", "IŞİD"], "ar": ["داعش"]},
    "wikidata": "Q2429253",
    "description": "Salafi-jihadist group",
}


class EntityOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [ENTITY_EXAMPLE]})

    id: str
    type: str
    name: str
    aliases: dict[str, list[str]] = Field(description="every name of the entity, by language")
    wikidata: str | None = None
    description: str | None = None


class EntitiesResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"entities": [ENTITY_EXAMPLE]}]})

    entities: list[EntityOut]


class HealthResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "version": "989c19cf3ec6646e",
                    "entities": 81,
                    "aliases": 865,
                    "pid": 4242,
                    "in_flight": 0,
                    "reload_allowed": False,
                },
            ]
        }
    )

    status: Literal["ok"]
    version: str = Field(description="hash of the loaded tables and fold rules (also in X-Table-Version)")
    entities: int
    aliases: int
    pid: int = Field(description="the worker process that answered")
    in_flight: int = Field(description="jobs being matched right now by this worker (inline or in threads)")
    reload_allowed: bool


class ReloadResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "reloaded",
                    "version": "5f0c3a9e21d4b7c8",
                    "previous_version": "989c19cf3ec6646e",
                    "entities": 82,
                    "aliases": 870,
                    "changed": True,
                },
            ]
        }
    )

    status: Literal["reloaded"]
    version: str
    previous_version: str
    entities: int
    aliases: int
    changed: bool
