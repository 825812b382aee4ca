"""Reading what OpenRefine sends to the reconciliation service (W3C Reconciliation API v0.2): the ``queries``
and ``extend`` parameters, from a urlencoded form body, a query string or a JSON body.

Every problem is an :class:`~api.errors.ApiError` that names the query and the field (``queries.q3.limit: ...``):
malformed JSON is ``invalid_json`` (400), bytes that are not UTF-8 ``invalid_utf8`` (400), a wrong shape
``validation_error`` (422).  The rules follow the official JSON schemas (``reconciliation-query-batch.json``,
``data-extension-query.json``): tests check that this code and the schemas judge the spec's examples alike."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from .errors import ApiError

MAX_LIMIT = 100  # candidates per query; a larger limit is clipped to it
DEFAULT_LIMIT = 5
MAX_FIELDS = 64  # form/query-string fields read from one request
TYPE_STRICT = ("any", "should", "all")
QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})


@dataclass(frozen=True)
class Query:
    """One reconciliation query.  ``properties`` maps a property id to its values as strings (an entity value
    ``{id, name}`` gives its ``id``)."""

    key: str
    query: str
    types: tuple[str, ...] = ()
    type_strict: str = "any"
    limit: int = DEFAULT_LIMIT
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def values(self, pid: str) -> tuple[str, ...]:
        return tuple(v for p, vals in self.properties if p == pid for v in vals)


@dataclass(frozen=True)
class ExtendQuery:
    ids: tuple[str, ...]
    properties: tuple[str, ...]


def invalid(where: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", f"{where}: {message}", [{"loc": where, "message": message}])


def form_fields(raw: bytes | str, where: str = "form body") -> dict[str, str]:
    """``a=1&b=2`` (percent-encoded UTF-8) -> ``{"a": "1", "b": "2"}`` (the first value of a repeated field)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        parsed = parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_utf8", f"the {where} is not valid UTF-8 (after percent-decoding): "
                                            f"{exc.reason}") from exc
    except ValueError as exc:  # too many fields
        raise ApiError(400, "bad_request", f"the {where} could not be read: {exc}") from exc
    return {k: v[0] for k, v in parsed.items()}


def load_json(text: str | Any, name: str) -> Any:
    """A parameter's JSON (a JSON body may hold the object itself instead of a string)."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ApiError(400, "invalid_json", f"'{name}' is not valid JSON: nested too deeply") from exc
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"'{name}' is not valid JSON: {exc}") from exc


def _limit(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value) or value < 0:
        raise invalid(where, f"must be a whole number of candidates (0 or more), not {json.dumps(value)[:40]}")
    return min(int(value), MAX_LIMIT)


def _types(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return tuple(t for t in value if t)
    raise invalid(where, "must be a type id or a list of type ids (strings)")


def _value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    raise invalid(where, "must be a string, a number, a boolean or an entity {id, name}")


def _properties(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, list):
        raise invalid(where, "must be a list of {pid, v}")
    out = []
    for i, prop in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str) or "v" not in prop:
            raise invalid(at, "must be an object {pid: string, v: value or list of values}")
        vals = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
        out.append((prop["pid"], tuple(_value(v, f"{at}.v") for v in vals)))
    return tuple(out)


def parse_query(key: str, raw: Any) -> Query:
    where = f"queries.{key}"
    if not isinstance(raw, dict):
        raise invalid(where, "each query must be an object {query, type?, limit?, properties?, type_strict?}")
    unknown = sorted(set(raw) - QUERY_FIELDS)
    if unknown:
        raise invalid(f"{where}.{unknown[0]}", "unknown field: check the spelling (fields: query, type, limit, "
                                               "properties, type_strict)")
    query = raw.get("query", "")
    if not isinstance(query, str):
        raise invalid(f"{where}.query", "must be a string")
    props = _properties(raw["properties"], f"{where}.properties") if "properties" in raw else ()
    if "query" not in raw and not props:
        raise invalid(where, "give a 'query' or at least one property")
    strict = raw.get("type_strict", "any")
    if strict not in TYPE_STRICT:
        raise invalid(f"{where}.type_strict", f"must be one of {', '.join(TYPE_STRICT)}")
    return Query(
        key=key,
        query=query,
        types=_types(raw["type"], f"{where}.type") if raw.get("type") is not None else (),
        type_strict=strict,
        limit=_limit(raw["limit"], f"{where}.limit") if raw.get("limit") is not None else DEFAULT_LIMIT,
        properties=props,
    )


def parse_queries(raw: Any, max_queries: int) -> list[Query]:
    """The batch ``{"q0": {...}, ...}`` -> queries, in the order given."""
    if not isinstance(raw, dict):
        raise invalid("queries", 'must be a JSON object {"q0": {"query": ...}, ...}')
    if len(raw) > max_queries:
        raise ApiError(413, "too_many_items", f"{len(raw)} queries, more than the limit of {max_queries}: "
                                              "send them in several batches (see batchSize in the manifest)")
    return [parse_query(key, q) for key, q in raw.items()]


def parse_extend(raw: Any, max_ids: int) -> ExtendQuery:
    """``{"ids": [...], "properties": [{"id": ..., "settings"?: {...}}]}``."""
    if not isinstance(raw, dict):
        raise invalid("extend", 'must be a JSON object {"ids": [...], "properties": [{"id": ...}]}')
    ids, props = raw.get("ids"), raw.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise invalid("extend.ids", "must be a list of entity ids (strings)")
    if len(ids) > max_ids:
        raise ApiError(413, "too_many_items", f"{len(ids)} ids, more than the limit of {max_ids}")
    if not isinstance(props, list) or not all(isinstance(p, dict) and isinstance(p.get("id"), str) for p in props):
        raise invalid("extend.properties", "must be a list of {id: string, settings?: object}")
    return ExtendQuery(tuple(ids), tuple(p["id"] for p in props))
