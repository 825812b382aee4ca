"""The official Reconciliation API v0.2 JSON schemas and examples (``../shared/reconcile/``, read at test time),
loaded once into one ``referencing.Registry`` keyed by ``$id`` and checked with ``Draft7Validator``: the same
loading code judges the spec's examples (tests/test_reconcile.py) and our answers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

RECONCILE = Path(__file__).resolve().parents[2] / "shared" / "reconcile"
SCHEMAS = RECONCILE / "schemas-0.2"
EXAMPLES = RECONCILE / "examples-0.2"
SWAGGER_ID = "http://swagger.io/v2/schema.json"  # openapi.json's own $id differs; the manifest refers to this


@cache
def registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    if not SCHEMAS.is_dir():
        pytest.skip(f"the official schemas are not at {SCHEMAS}")
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        res = Resource.from_contents(doc, default_specification=DRAFT7)
        resources.append((doc.get("$id", path.name), res))
        if path.name == "openapi.json":
            resources.append((SWAGGER_ID, res))
            resources.append((SWAGGER_ID + "#", res))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Any:
    """A validator for ``schemas-0.2/{name}.json`` (e.g. ``manifest``, ``reconciliation-result-batch``)."""
    from jsonschema import Draft7Validator

    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=registry())


def errors(name: str, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(doc)]


def check(name: str, doc: Any) -> None:
    """Fail with every schema error of ``doc``."""
    problems = errors(name, doc)
    assert not problems, f"{name}: " + "; ".join(problems[:5])


def examples() -> list[tuple[str, str, Path]]:
    """(schema name, "valid" | "invalid", file) for every example folder that has a schema of the same name."""
    if not EXAMPLES.is_dir():
        return []
    out = []
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        if not (SCHEMAS / f"{folder.name}.json").exists():
            continue  # flyout, preview, candidate, metadata examples have no schema of their own
        for verdict in ("valid", "invalid"):
            out += [(folder.name, verdict, f) for f in sorted((folder / verdict).glob("*.json"))]
    return out
