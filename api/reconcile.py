"""The W3C Reconciliation API v0.2 at ``/reconcile`` (OpenRefine: Reconcile -> Start reconciling -> Add standard
service -> ``http://127.0.0.1:8000/reconcile``): the HTTP side.  The logic is in ``api/reconcile_service.py``
(scores, the ``match`` rule), the reading of requests in ``api/reconcile_query.py``.

* ``GET /reconcile``: the manifest; ``?queries=`` or ``?extend=`` (JSON) run a batch; ``POST /reconcile`` takes
  them as a urlencoded form (as OpenRefine sends them) or as a JSON object.
* ``GET /reconcile/suggest/{entity,type,property}?prefix=``, ``/reconcile/flyout/{id}``,
  ``/reconcile/preview/{id}`` (HTML), ``/reconcile/properties?type=`` (``propose_properties``).
* Every answer (errors too) carries CORS headers and ``OPTIONS`` preflights are answered
  (:class:`ReconcileCors`); a GET with ``callback=NAME`` answers JSONP."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import HTMLResponse, Response

from normalizer import Normalizer, __version__

from .errors import ApiError, JsonResponse, json_bytes
from .middleware import NORMALIZER_KEY, ASGIApp, Message, Receive, Scope, Send
from .pages import card_html, entity_path, preview_page
from .reconcile_catalog import catalog, extend_rows, propose_properties, type_ref
from .reconcile_query import MAX_FIELDS, form_fields, load_json, parse_extend, parse_queries
from .reconcile_service import ReconcileService
from .schemas import ErrorResponse
from .state import ApiState

PREFIX = "/reconcile"
FORM_PATHS = frozenset({PREFIX, PREFIX + "/"})  # where a urlencoded form body is accepted (the guard's check)
BATCH_SIZE = 50  # queries per request that OpenRefine is told to send (it sends 10 by default)
IDENTIFIER_SPACE = "urn:x-normalizer:entity:"  # host-independent: reconciled data stays valid on another port
SCHEMA_SPACE = "urn:x-normalizer:type:"
PREVIEW_SIZE = (420, 190)
CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*", re.ASCII)
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"X-Table-Version"),
]


class ReconcileCors:
    """CORS for the reconciliation service only (OpenRefine and pages on other origins call it): every
    ``/reconcile`` answer allows any origin, and a preflight ``OPTIONS`` is answered here.  The rest of the
    API stays same-origin (``/admin/reload`` must not be callable from any web page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            asked = dict(scope.get("headers", ())).get(b"access-control-request-headers", b"content-type")
            headers = [*CORS_HEADERS, (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                       (b"access-control-allow-headers", asked[:1000]), (b"access-control-max-age", b"86400"),
                       (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def cors_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *CORS_HEADERS]}
            await send(message)

        await self.app(scope, receive, cors_send)


def strict_query_string(request: Request) -> None:
    """A query string whose percent-escapes are not UTF-8 is an error (not silently replaced by U+FFFD)."""
    raw = request.scope.get("query_string", b"")
    if raw:
        form_fields(raw, "query string")


router = APIRouter(prefix=PREFIX, tags=["reconcile"], dependencies=[Depends(strict_query_string)])

Callback = Annotated[str | None, Query(description="JSONP: wrap the answer in a call to this function",
                                       max_length=200)]
QUERIES_DOC = ('a batch of queries as JSON: {"q0": {"query": "Daesh", "type": "organization", "limit": 3, '
               '"properties": [{"pid": "lang", "v": "en"}]}}')
EXTEND_DOC = 'a data extension query as JSON: {"ids": ["org:isis"], "properties": [{"id": "wikidata"}]}'
QUERIES_EXAMPLE = {"q0": {"query": "Daesh", "type": "organization", "limit": 3,
                           "properties": [{"pid": "lang", "v": "en"}]}}
FORM_BODY = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    "queries": {"type": "string", "description": QUERIES_DOC},
                    "extend": {"type": "string", "description": EXTEND_DOC}}},
                "example": {"queries": json.dumps(QUERIES_EXAMPLE)},
            },
            "application/json": {"schema": {"type": "object", "properties": {
                "queries": {"type": "object"}, "extend": {"type": "object"}}},
                "example": {"queries": QUERIES_EXAMPLE}},
        }
    }
}


RESULT_EXAMPLE = {"q0": {"result": [{
    "id": "org:isis", "name": "Islamic State", "score": 100.0, "match": True,
    "type": [{"id": "organization", "name": "Organization"}],
    "description": "Salafi-jihadist group that declared a caliphate in Iraq and Syria in 2014",
    "features": [{"id": "name_score", "value": 1.0}, {"id": "method_exact", "value": True}]}]}}
MANIFEST_EXAMPLE = {"versions": ["0.2"], "name": "normalizer entities (735 entities)",
                    "identifierSpace": IDENTIFIER_SPACE, "schemaSpace": SCHEMA_SPACE,
                    "view": {"url": "http://127.0.0.1:8000/entities/{{id}}"}, "batchSize": BATCH_SIZE}
EXTEND_EXAMPLE = {"meta": [{"id": "wikidata", "name": "Wikidata id"}],
                  "rows": {"org:isis": {"wikidata": [{"str": "Q2429253"}]}}}
SUGGEST_EXAMPLE = {"result": [{"id": "org:isis", "name": "Islamic State", "description": "Salafi-jihadist group",
                               "notable": [{"id": "organization", "name": "Organization"}]}]}
PROPOSE_EXAMPLE = {"type": "organization", "properties": [{"id": "wikidata", "name": "Wikidata id"}]}
FLYOUT_EXAMPLE = {"id": "org:isis", "html": "<div class=\"normalizer-flyout\"><h1>Islamic State</h1>...</div>"}


def examples(*objs: Any) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` with these examples of a 200 answer (plus the JSON errors)."""
    named = {f"example{i}": {"value": o} for i, o in enumerate(objs)}
    return {200: {"content": {"application/json": {"examples": named}}},
            **{code: {"model": ErrorResponse} for code in (400, 404, 413, 422)}}


def _norm(request: Request) -> Normalizer:
    return request.scope[NORMALIZER_KEY]


def _state(request: Request) -> ApiState:
    return request.app.state.api


def answer(obj: Any, callback: str | None = None, status: int = 200) -> Response:
    """JSON, or JSONP when ``callback`` is given (a dotted JavaScript identifier, nothing else)."""
    if callback is None:
        return JsonResponse(obj, status_code=status)
    if not CALLBACK.fullmatch(callback):
        raise ApiError(400, "bad_request", "callback must be a JavaScript function name (letters, digits, _ $ .)")
    body = b"/**/" + callback.encode("ascii") + b"(" + json_bytes(obj) + b");"
    return Response(body, status_code=status, media_type="application/javascript",
                    headers={"X-Content-Type-Options": "nosniff"})


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def manifest(request: Request) -> dict[str, Any]:
    base, norm = base_url(request), _norm(request)
    service = {"service_url": base}
    return {
        "versions": ["0.2"],
        "name": f"normalizer entities ({norm.entity_count} entities)",
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": base + "/docs",
        "serviceVersion": f"{__version__}+tables.{norm.version}",
        "batchSize": BATCH_SIZE,
        "view": {"url": base + "/entities/{{id}}"},
        "preview": {"url": base + PREFIX + "/preview/{{id}}", "width": PREVIEW_SIZE[0], "height": PREVIEW_SIZE[1]},
        "defaultTypes": [type_ref(t) for t in catalog(norm).types],
        "suggest": {
            "entity": {**service, "service_path": PREFIX + "/suggest/entity",
                       "flyout_service_path": PREFIX + "/flyout/${id}"},
            "type": {**service, "service_path": PREFIX + "/suggest/type"},
            "property": {**service, "service_path": PREFIX + "/suggest/property"},
        },
        "extend": {"propose_properties": {**service, "service_path": PREFIX + "/properties"},
                   "property_settings": []},
    }


async def _dispatch(request: Request, fields: dict[str, Any], callback: str | None) -> Response:
    queries, extend = fields.get("queries"), fields.get("extend")
    if queries is not None and extend is not None:
        raise ApiError(422, "validation_error", "send either 'queries' or 'extend', not both")
    if queries is None and extend is None:
        return answer(manifest(request), callback)
    state, norm = _state(request), _norm(request)
    limit = state.settings.max_batch_items

    def work() -> dict[str, Any]:
        service = ReconcileService(norm, max_context_chars=state.settings.max_text_chars)
        with state.busy():
            if queries is not None:
                return service.reconcile(parse_queries(load_json(queries, "queries"), limit))
            return extend_rows(norm, parse_extend(load_json(extend, "extend"), limit))

    return answer(await anyio.to_thread.run_sync(work), callback)


@router.get("", summary="The service manifest, or a batch of queries (?queries=) or an extension (?extend=)",
            responses=examples(MANIFEST_EXAMPLE, RESULT_EXAMPLE, EXTEND_EXAMPLE))
@router.get("/", include_in_schema=False)  # the URL as typed with a trailing slash: no redirect needed
async def service_get(
    request: Request,
    queries: Annotated[str | None, Query(description=QUERIES_DOC)] = None,
    extend: Annotated[str | None, Query(description=EXTEND_DOC)] = None,
    callback: Callback = None,
) -> Response:
    """Without parameters: the manifest (add `http://HOST:PORT/reconcile` in OpenRefine).  With `queries`:
    `{"q0": {"result": [{id, name, score, match, type, description, features}]}}`, best first; see the README
    for the scores and the `match` rule."""
    return await _dispatch(request, {"queries": queries, "extend": extend}, callback)


@router.post("", summary="A batch of queries or an extension, as OpenRefine posts them", openapi_extra=FORM_BODY,
             responses=examples(RESULT_EXAMPLE, EXTEND_EXAMPLE))
@router.post("/", include_in_schema=False)
async def service_post(request: Request, callback: Callback = None) -> Response:
    body = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body.strip():
        fields: dict[str, Any] = {}
    elif media == "application/json" or media.endswith("+json"):
        data = load_json(body.decode("utf-8"), "body")
        if not isinstance(data, dict):
            raise ApiError(422, "validation_error", 'a JSON body must be an object {"queries": ...} or '
                                                    '{"extend": ...}')
        fields = data
    else:
        fields = form_fields(body)
    return await _dispatch(request, fields, callback)


@router.get("/suggest/{kind}", summary="Suggest entities, types or properties by the start of a name",
            responses=examples(SUGGEST_EXAMPLE))
async def suggest(
    request: Request,
    kind: Annotated[Literal["entity", "type", "property"], Path()],
    prefix: Annotated[str, Query(max_length=1000, description="what the user typed so far")] = "",
    cursor: Annotated[int, Query(ge=0, le=10_000, description="results to skip (paging)")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    type: Annotated[str | None, Query(description="entities: only this type")] = None,  # noqa: A002
    callback: Callback = None,
) -> Response:
    service = ReconcileService(_norm(request))
    if kind == "entity":
        with _state(request).busy():
            found = await anyio.to_thread.run_sync(
                lambda: service.suggest_entities(prefix, cursor=cursor, limit=limit, types=(type,) if type else ())
            )
    elif kind == "type":
        found = service.suggest_types(prefix)[cursor: cursor + limit]
    else:
        found = service.suggest_properties(prefix)[cursor: cursor + limit]
    return answer({"result": found}, callback)


@router.get("/properties", summary="Properties to add to reconciled entities (data extension)",
            responses=examples(PROPOSE_EXAMPLE))
async def proposed_properties(
    request: Request,
    type: Annotated[str | None, Query(description="an entity type")] = None,  # noqa: A002
    limit: Annotated[int | None, Query(ge=1, le=MAX_FIELDS * 10)] = None,
    callback: Callback = None,
) -> Response:
    props = propose_properties(_norm(request), limit)
    out: dict[str, Any] = {"properties": props}
    if type is not None:
        out["type"] = type
    if limit is not None:
        out["limit"] = limit
    return answer(out, callback)


@router.get("/flyout/{entity_id:path}", summary="A short HTML summary of an entity (suggest flyout)",
            responses=examples(FLYOUT_EXAMPLE))
async def flyout(request: Request, entity_id: str, callback: Callback = None) -> Response:
    ent = _norm(request).entity(entity_id)
    if ent is None:
        raise ApiError(404, "not_found", f"no entity with id {entity_id!r}")
    html = f'<div class="normalizer-flyout">{card_html(ent)}<a href="{entity_path(ent.id)}">more</a></div>'
    return answer({"id": ent.id, "html": html}, callback)


@router.get("/preview/{entity_id:path}", summary="An HTML card of an entity (reconciliation preview)",
            response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {"example": "<!doctype html>...<h1>Islamic State</h1>..."}}}})
async def preview(request: Request, entity_id: str) -> HTMLResponse:
    return preview_page(_norm(request).entity(entity_id), entity_id)
