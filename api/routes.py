"""The endpoints, as FastAPI routes: they define the API (and its OpenAPI docs) and answer every request that
the lean handlers of the hot routes (``api/lean.py``) do not take, e.g. every error.  Matching here runs in
FastAPI's thread pool (plain ``def`` endpoints), so a long text never blocks the event loop; /health is
``async`` and answers even while every worker thread is busy."""

from __future__ import annotations

import bisect
import os
import re
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Path, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from normalizer import Normalizer, Result, TableError

from .errors import ApiError, JsonResponse, describe_errors, error_body, log
from .middleware import NORMALIZER_KEY
from .pages import entity_page, not_found_page, wants_html
from .schemas import (
    BatchItem,
    BatchRequest,
    BatchResponse,
    EntitiesResponse,
    EntityOut,
    ErrorResponse,
    HealthResponse,
    NormalizeRequest,
    NormalizeResponse,
    ReloadResponse,
    ResolveRequest,
    ResolveResponse,
)
from .state import ApiState

router = APIRouter()

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": desc}
    for code, desc in {
        400: "invalid_json | invalid_utf8",
        413: "body_too_large | too_many_items",
        415: "unsupported_media_type",
        422: "validation_error | text_too_long",
    }.items()
}
OFFSETS_DOC = (
    "`utf16` adds `start_utf16`/`end_utf16` (UTF-16 code units, for JavaScript strings) to each mention; "
    "`start`/`end` are always code-point (Python str) offsets"
)
Offsets = Annotated[Literal["codepoint", "utf16"], Query(description=OFFSETS_DOC)]
ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _norm(request: Request) -> Normalizer:
    return request.scope[NORMALIZER_KEY]


def _state(request: Request) -> ApiState:
    return request.app.state.api


def add_utf16(text: str, mentions: list[dict[str, Any]]) -> None:
    """Add UTF-16 offsets: each astral-plane character before an offset counts twice."""
    astral = [m.start() for m in ASTRAL.finditer(text)] if not text.isascii() else []
    for d in mentions:
        d["start_utf16"] = d["start"] + bisect.bisect_left(astral, d["start"])
        d["end_utf16"] = d["end"] + bisect.bisect_left(astral, d["end"])


def mentions_json(result: Result, offsets: str, explain: bool) -> list[dict[str, Any]]:
    out = [m.to_dict(explain=explain) for m in result.mentions]
    if offsets == "utf16":
        add_utf16(result.text, out)
    return out


def _check_length(text: str, limit: int, where: str) -> None:
    if len(text) > limit:
        raise ApiError(
            422,
            "text_too_long",
            f"{where} has {len(text)} characters, more than the limit of {limit}: "
            "split it (e.g. by paragraph) and add the offsets back",
        )


@router.post(
    "/normalize",
    response_model=NormalizeResponse,
    responses=ERRORS,
    tags=["normalize"],
    summary="Find and resolve the entity mentions in one text",
)
def normalize(body: NormalizeRequest, request: Request, offsets: Offsets = "codepoint") -> JsonResponse:
    """Every mention of a known entity, sorted by start, never overlapping.  `text[start:end]` (code points)
    is the mention's `text`; an ambiguous mention has `id: null` and `candidates`."""
    state = _state(request)
    _check_length(body.text, state.settings.max_text_chars, "text")
    with state.busy():
        result = _norm(request).normalize(body.text, body.lang, explain=body.explain)
    return JsonResponse({"mentions": mentions_json(result, offsets, body.explain)})


def _item_id(raw: Any) -> str | int | None:
    """The caller's id for an item, echoed even when the item is invalid (if it is a string or an integer)."""
    rid = raw.get("id") if isinstance(raw, dict) else None
    return rid if isinstance(rid, (str, int)) and not isinstance(rid, bool) else None


def _batch_item(index: int, raw: Any, max_chars: int) -> BatchItem | dict[str, Any]:
    """The validated item, or its error result."""
    rid = _item_id(raw)
    if not isinstance(raw, dict):
        return {
            "id": None,
            **error_body(
                "validation_error", f"items[{index}]: each item must be an object {{id, text, lang?}}"
            ),
        }
    try:
        item = BatchItem.model_validate(raw)
        _check_length(item.text, max_chars, f"items[{index}].text")
    except ValidationError as exc:
        message, details = describe_errors(exc.errors(), prefix=f"items[{index}]")
        return {"id": rid, **error_body("validation_error", message, details)}
    except ApiError as exc:
        return {"id": rid, **error_body(exc.code, exc.message)}
    return item


@router.post(
    "/normalize/batch",
    response_model=BatchResponse,
    responses=ERRORS,
    tags=["normalize"],
    summary="Normalise many texts; one result per item, in order",
)
def normalize_batch(body: BatchRequest, request: Request, offsets: Offsets = "codepoint") -> JsonResponse:
    """Each item gets either `mentions` or an `error`; a bad item never fails the others."""
    state = _state(request)
    limit = state.settings.max_batch_items
    if len(body.items) > limit:
        raise ApiError(
            413,
            "too_many_items",
            f"{len(body.items)} items, more than the limit of {limit}: send them in several batches",
        )
    return JsonResponse({"results": batch_results(_norm(request), state, body.items, offsets)})


def batch_results(norm: Normalizer, state: ApiState, items: list[Any], offsets: str) -> list[dict[str, Any]]:
    """One result per item, in order (also used by the lean handler in ``api/lean.py``): the valid items'
    texts go to one ``normalize_many`` call; if it fails, each item is normalised alone so a library bug costs
    only the item it hits."""
    with state.busy():
        checked = [_batch_item(i, raw, state.settings.max_text_chars) for i, raw in enumerate(items)]
        valid = [c for c in checked if isinstance(c, BatchItem)]
        try:
            done = iter(norm.normalize_many([c.text for c in valid], lang=[c.lang for c in valid],
                                            explain=[c.explain for c in valid]))
        except Exception:  # the items one by one below
            done = None
        results = []
        for i, (raw, item) in enumerate(zip(items, checked, strict=True)):
            if not isinstance(item, BatchItem):
                results.append(item)
                continue
            try:
                result = next(done) if done is not None else norm.normalize(item.text, item.lang,
                                                                             explain=item.explain)
                results.append({"id": item.id, "mentions": mentions_json(result, offsets, item.explain)})
            except Exception:  # a library bug on one item must not lose the others
                state.count_unexpected()
                log.exception("unexpected error on batch item %d", i)
                results.append(
                    {"id": _item_id(raw), **error_body("internal_error", "unexpected server error (logged)")}
                )
    return results


@router.post(
    "/resolve",
    response_model=ResolveResponse,
    responses=ERRORS,
    tags=["lookup"],
    summary="Ranked candidate entities for one name",
)
def resolve(body: ResolveRequest, request: Request) -> JsonResponse:
    with _state(request).busy():
        cands = _norm(request).resolve(body.name, limit=body.limit, lang=body.lang)
    return JsonResponse({"candidates": [c.to_dict(features=False) for c in cands]})


@router.get(
    "/entities",
    response_model=EntitiesResponse,
    responses={422: ERRORS[422]},
    tags=["lookup"],
    summary="Look entities up by (part of) a name, in any language",
)
def search_entities(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200, description="a name or its start")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> JsonResponse:
    with _state(request).busy():
        found = _norm(request).search_entities(q, limit=limit)
    return JsonResponse({"entities": [e.to_dict() for e in found]})


@router.get(
    "/entities/{entity_id:path}",
    response_model=EntityOut,
    tags=["lookup"],
    responses={404: {"model": ErrorResponse, "description": "not_found"}},
    summary="One entity with all its names",
)
async def get_entity(
    request: Request,
    entity_id: Annotated[
        str, Path(description="e.g. org:isis (':' and '/' need no escaping)", examples=["org:isis"])
    ],
) -> Response:
    """JSON; an HTML page instead when the client prefers HTML (a browser following a link)."""
    ent = _norm(request).entity(entity_id)
    if wants_html(request):
        return entity_page(ent) if ent is not None else not_found_page(entity_id)
    if ent is None:
        raise ApiError(
            404, "not_found", f"no entity with id {entity_id!r}; find ids with GET /entities?q=NAME"
        )
    return JsonResponse(ent.to_dict())


@router.get(
    "/health", response_model=HealthResponse, tags=["admin"], summary="Liveness and the loaded tables"
)
async def health(request: Request) -> JsonResponse:
    norm, state = _norm(request), _state(request)
    return JsonResponse(
        {
            "status": "ok",
            "version": norm.version,
            "entities": norm.entity_count,
            "aliases": norm.alias_count,
            "pid": os.getpid(),
            "in_flight": state.in_flight,
            "reload_allowed": state.settings.allow_reload,
        }
    )


@router.post(
    "/admin/reload",
    response_model=ReloadResponse,
    tags=["admin"],
    summary="Re-read the table files and swap them in atomically",
    responses={
        403: {"model": ErrorResponse, "description": "reload_disabled"},
        422: {"model": ErrorResponse, "description": "table_error: the old tables stay"},
    },
)
async def reload_tables(request: Request) -> JsonResponse:
    """Builds a new Normalizer from the same table paths, then swaps one reference: requests in flight finish
    on the old tables, later ones use the new.  Invalid tables: 422 with every problem; the old tables stay."""
    state = _state(request)
    if not state.settings.allow_reload:
        raise ApiError(403, "reload_disabled", "reloading is off: start the server with --allow-reload")
    try:
        old, new = await anyio.to_thread.run_sync(state.holder.reload)
    except TableError as exc:
        problems = [
            {"file": p.file, "line": p.line, "message": p.message, "level": p.level} for p in exc.problems
        ]
        raise ApiError(
            422,
            "table_error",
            f"the new tables are invalid ({len(problems)} problem(s)); "
            f"still serving version {state.holder.current().version}",
            problems,
        ) from exc
    return JsonResponse(
        {
            "status": "reloaded",
            "version": new.version,
            "previous_version": old.version,
            "entities": new.entity_count,
            "aliases": new.alias_count,
            "changed": new.version != old.version,
        },
        headers={"X-Table-Version": new.version},
    )
