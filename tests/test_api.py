"""The HTTP API in-process (FastAPI TestClient): every endpoint, every error code, batch isolation, UTF-16
offsets, reload good and bad, and that bad input never reaches the catch-all 500 handler."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.state import Settings
from normalizer import Normalizer

FIXTURE = Path(__file__).parent / "fixtures" / "api_table.yaml"
TR = "MİT'in Daesh operasyonu Türkiye'de."
NEW_ENTITY = """
  - id: org:new-group
    type: organization
    name: Example Brigade
    aliases: [Brigade Example]
"""


@pytest.fixture()
def table(tmp_path: Path) -> Path:
    path = tmp_path / "api_table.yaml"
    shutil.copy(FIXTURE, path)
    return path


@pytest.fixture()
def client(table: Path) -> Iterator[TestClient]:
    app = create_app(
        tables=[table],
        bundled=False,
        allow_reload=True,
        max_body_bytes=20_000,
        max_batch_items=5,
        max_text_chars=2_000,
    )
    with TestClient(app) as c:
        yield c


def post(c: TestClient, path: str, body: bytes, content_type: str | None = "application/json") -> Any:
    headers = {"content-type": content_type} if content_type else {}
    return c.post(path, content=body, headers=headers)


def unexpected(c: TestClient) -> int:
    return c.app.state.api.unexpected_errors  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------------ endpoints
def test_normalize_finds_mentions_with_offsets_into_the_callers_text(client: TestClient) -> None:
    r = client.post("/normalize", json={"text": TR, "lang": "tr"})
    assert r.status_code == 200
    mentions = r.json()["mentions"]
    assert [(m["text"], m["id"]) for m in mentions] == [
        ("MİT", "org:mit-turkey"),
        ("Daesh", "org:isis"),
        ("Türkiye", "loc:turkey"),
    ]
    for m in mentions:
        assert TR[m["start"] : m["end"]] == m["text"]
        assert {"canonical", "type", "score", "method", "alias"} <= m.keys()
        assert "start_utf16" not in m
    assert r.headers["x-table-version"] == client.get("/health").json()["version"]


def test_normalize_explain_adds_the_reason(client: TestClient) -> None:
    plain = client.post("/normalize", json={"text": "DEAŞ'ın"}).json()["mentions"][0]
    explained = client.post("/normalize", json={"text": "DEAŞ'ın", "explain": True}).json()["mentions"][0]
    assert "explain" not in plain
    assert explained["explain"]["key"] and explained["text"] == "DEAŞ"


def test_utf16_offsets_count_astral_characters_twice(client: TestClient) -> None:
    text = "😀 𝔘𝔘 MİT'in Daesh 🇹🇷 Türkiye"
    r = client.post("/normalize?offsets=utf16", json={"text": text})
    assert r.status_code == 200
    utf16 = text.encode("utf-16-le")
    mentions = r.json()["mentions"]
    assert [m["text"] for m in mentions] == ["MİT", "Daesh", "Türkiye"]
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["text"]  # code points, unchanged
        assert utf16[2 * m["start_utf16"] : 2 * m["end_utf16"]].decode("utf-16-le") == m["text"]
    assert mentions[0]["start"] == 5 and mentions[0]["start_utf16"] == 8
    batch = client.post("/normalize/batch?offsets=utf16", json={"items": [{"id": "x", "text": text}]}).json()
    assert batch["results"][0]["mentions"] == mentions


def test_resolve_ranks_candidates(client: TestClient) -> None:
    r = client.post("/resolve", json={"name": "DEAŞ", "limit": 3})
    assert r.status_code == 200
    cands = r.json()["candidates"]
    assert cands[0]["id"] == "org:isis" and cands[0]["method"] == "exact"
    assert len(cands) <= 3
    assert {"id", "canonical", "type", "score", "alias", "method"} <= cands[0].keys()
    assert (
        client.post("/resolve", json={"name": "Daesh", "limit": 0}).json()["error"]["code"]
        == "validation_error"
    )


@pytest.mark.parametrize("path", ["/entities/org:isis", "/entities/org%3Aisis"])
def test_entity_by_id_with_colon(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    ent = r.json()
    assert ent["id"] == "org:isis" and ent["name"] == "Islamic State" and ent["wikidata"] == "Q2429253"
    assert "DEAŞ" in ent["aliases"]["tr"] and "داعش" in ent["aliases"]["ar"]


def test_entity_id_with_slash_and_unknown_id(client: TestClient) -> None:
    assert client.get("/entities/per:example/one").json()["name"] == "Ahmet Example"
    r = client.get("/entities/org:no-such")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found" and "org:no-such" in r.json()["error"]["message"]
    assert r.headers["x-table-version"]


def test_entity_search(client: TestClient) -> None:
    r = client.get("/entities", params={"q": "suriy", "limit": 5})
    assert [e["id"] for e in r.json()["entities"]] == ["loc:syria"]
    assert client.get("/entities").json()["error"]["code"] == "validation_error"
    assert client.get("/entities", params={"q": "x", "limit": 0}).status_code == 422


def test_health_reports_version_and_counts(client: TestClient) -> None:
    n = Normalizer([FIXTURE], bundled=False)
    h = client.get("/health").json()
    assert h["status"] == "ok"
    assert (h["version"], h["entities"], h["aliases"]) == (n.version, n.entity_count, n.alias_count)


def test_openapi_has_an_example_for_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert client.get("/docs").status_code == 200
    schemas = spec["components"]["schemas"]

    def has_example(content: dict[str, Any]) -> bool:
        media = content.get("application/json") or content.get("text/html", {})  # HTML: reconcile preview
        if "example" in media or "examples" in media:
            return True
        ref = media.get("schema", {}).get("$ref", "")
        return bool(ref) and "examples" in schemas[ref.rsplit("/", 1)[-1]]

    ops = [(p, m, op) for p, item in spec["paths"].items() for m, op in item.items()]
    assert {p for p, _, _ in ops} >= {
        "/normalize",
        "/normalize/batch",
        "/resolve",
        "/entities",
        "/entities/{entity_id}",
        "/health",
        "/admin/reload",
    }
    for path, method, op in ops:
        assert has_example(op["responses"]["200"]["content"]), (method, path)
        if "requestBody" in op:
            assert has_example(op["requestBody"]["content"]), (method, path)
    assert "utf16" in json.dumps(spec)


# ------------------------------------------------------------------------------------------------ batch
def test_batch_one_result_per_item_in_order_and_bad_items_isolated(client: TestClient) -> None:
    items = [
        {"id": "a1", "text": TR, "lang": "tr"},
        {"id": "a2", "text": 42},
        {"id": "a3", "text": "Daesh " * 500},
        "not an object",
        {"id": 5, "text": "Syrien", "lnag": "de"},
    ]
    r = client.post("/normalize/batch", json={"items": items})
    assert r.status_code == 200
    res = r.json()["results"]
    assert [x["id"] for x in res] == ["a1", "a2", "a3", None, 5]
    assert [m["id"] for m in res[0]["mentions"]] == ["org:mit-turkey", "org:isis", "loc:turkey"]
    assert [x["error"]["code"] for x in res[1:]] == [
        "validation_error",
        "text_too_long",
        "validation_error",
        "validation_error",
    ]
    assert "items[1].text" in res[1]["error"]["message"]
    assert "items[4].lnag" in res[4]["error"]["message"]
    assert all("mentions" not in x for x in res[1:])
    ok = client.post(
        "/normalize/batch", json={"items": [{"text": "Syrien"}, {"id": "b", "text": "ISIS"}]}
    ).json()
    assert [x["mentions"][0]["id"] for x in ok["results"]] == ["loc:syria", "org:isis"]


def test_batch_item_bug_is_isolated_and_logged(table: Path) -> None:
    class Flaky(Normalizer):
        def normalize(self, text: str, lang: str | None = None, *, explain: bool = False):  # type: ignore[override]
            if "boom" in text:
                raise RuntimeError("simulated library bug")
            return super().normalize(text, lang, explain=explain)

    with TestClient(create_app(Flaky([table], bundled=False))) as c:
        res = c.post(
            "/normalize/batch", json={"items": [{"id": 1, "text": "boom"}, {"id": 2, "text": "ISIS"}]}
        )
        assert res.status_code == 200
        first, second = res.json()["results"]
        assert first["error"]["code"] == "internal_error" and first["id"] == 1
        assert second["mentions"][0]["id"] == "org:isis"
        r = c.post("/normalize", json={"text": "boom"})
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
        assert r.headers["x-table-version"]
        assert unexpected(c) == 2


# ------------------------------------------------------------------------------------------------ bad input
def _chunked(total: int) -> Iterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // 1000):
        yield b"x" * 1000
    yield b'"}'


BAD = [  # (path, body, content type, status, code)
    ("/normalize", b'{"text": 1}', "application/json", 422, "validation_error"),
    ("/normalize", b'{"text": "x", "lnag": "tr"}', "application/json", 422, "validation_error"),
    ("/normalize", b'{"text": "x", "lang": "Turkish"}', "application/json", 422, "validation_error"),
    ("/normalize", b'["x"]', "application/json", 422, "validation_error"),
    ("/normalize", b'{"text": "x"', "application/json", 400, "invalid_json"),
    ("/normalize", b"[" * 50_00 + b"]" * 50_00, "application/json", 400, "invalid_json"),
    ("/normalize", b'{"text": "\xff\xfe"}', "application/json", 400, "invalid_utf8"),
    ("/normalize", b'{"text": "\xed\xa0\x80"}', "application/json", 400, "invalid_utf8"),  # encoded surrogate
    ("/normalize", b'{"text": "x"}', "text/plain", 415, "unsupported_media_type"),
    ("/normalize", b'{"text": "x"}', None, 415, "unsupported_media_type"),
    ("/normalize", b'{"text": "x"}', "application/json; charset=latin-1", 415, "unsupported_media_type"),
    ("/normalize", b"", "application/json", 422, "validation_error"),
    ("/normalize", json.dumps({"text": "y" * 2001}).encode(), "application/json", 422, "text_too_long"),
    ("/normalize", json.dumps({"text": "y" * 30_000}).encode(), "application/json", 413, "body_too_large"),
    ("/normalize?offsets=bytes", b'{"text": "x"}', "application/json", 422, "validation_error"),
    (
        "/normalize/batch",
        json.dumps({"items": [{"text": "x"}] * 6}).encode(),
        "application/json",
        413,
        "too_many_items",
    ),
    ("/normalize/batch", b'{"items": "x"}', "application/json", 422, "validation_error"),
    ("/normalize/batch", b'{"items": [], "extra": 1}', "application/json", 422, "validation_error"),
    ("/resolve", b'{"name": ["Daesh"]}', "application/json", 422, "validation_error"),
    ("/nowhere", b"{}", "application/json", 404, "not_found"),
]


@pytest.mark.parametrize(("path", "body", "ctype", "status", "code"), BAD)
def test_bad_input_gets_a_4xx_json_error_with_a_stable_code(
    client: TestClient, path: str, body: bytes, ctype: str | None, status: int, code: str
) -> None:
    r = post(client, path, body, ctype)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert r.json()["error"]["message"]
    assert r.headers["x-table-version"]
    assert unexpected(client) == 0


def test_chunked_body_cannot_bypass_the_limit(client: TestClient) -> None:
    r = client.post("/normalize", content=_chunked(50_000), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    small = client.post("/normalize", content=_chunked(1_000), headers={"content-type": "application/json"})
    assert small.status_code == 200
    assert unexpected(client) == 0


def test_other_http_errors_are_json(client: TestClient) -> None:
    r = client.get("/normalize")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert client.get("/nowhere").json()["error"]["code"] == "not_found"


# ------------------------------------------------------------------------------------------------ reload
def test_reload_disabled_by_default(table: Path) -> None:
    with TestClient(create_app(tables=[table], bundled=False)) as c:
        r = c.post("/admin/reload")
        assert r.status_code == 403 and r.json()["error"]["code"] == "reload_disabled"


def test_reload_swaps_in_new_tables(client: TestClient, table: Path) -> None:
    before = client.get("/health").json()
    assert client.post("/normalize", json={"text": "Example Brigade"}).json()["mentions"] == []
    table.write_text(table.read_text(encoding="utf-8") + NEW_ENTITY, encoding="utf-8")
    r = client.post("/admin/reload")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["previous_version"] == before["version"] and body["version"] != before["version"]
    assert body["changed"] and body["entities"] == before["entities"] + 1
    assert r.headers["x-table-version"] == body["version"]
    after = client.post("/normalize", json={"text": "Example Brigade"})
    assert after.json()["mentions"][0]["id"] == "org:new-group"
    assert after.headers["x-table-version"] == body["version"]


def test_reload_with_invalid_tables_keeps_the_old_ones(client: TestClient, table: Path) -> None:
    before = client.get("/health").json()["version"]
    table.write_text(
        table.read_text(encoding="utf-8") + "  - id: org:broken\n    name: No Type\n", encoding="utf-8"
    )
    r = client.post("/admin/reload")
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "table_error" and before in err["message"]
    assert err["details"] and all(
        d["file"].endswith("api_table.yaml") and d["line"] > 0 for d in err["details"]
    )
    assert r.headers["x-table-version"] == before
    assert client.get("/health").json()["version"] == before
    assert client.post("/normalize", json={"text": "Daesh"}).json()["mentions"][0]["id"] == "org:isis"
    table.unlink()
    missing = client.post("/admin/reload")
    assert missing.status_code == 422 and "no such table file" in missing.text
    assert unexpected(client) == 0


# ------------------------------------------------------------------------------------------------ concurrency
def test_health_answers_while_a_normalize_is_in_flight(table: Path) -> None:
    """A text over ``inline_chars`` is matched in a worker thread: the event loop still serves /health."""
    started, release = threading.Event(), threading.Event()

    class Slow(Normalizer):
        def normalize(self, text: str, lang: str | None = None, *, explain: bool = False):  # type: ignore[override]
            if len(text) > 1000:  # (not the warm-up's sentences)
                started.set()
                release.wait(timeout=30)
            return super().normalize(text, lang, explain=explain)

    with TestClient(create_app(Slow([table], bundled=False))) as c:
        out: dict[str, Any] = {}
        worker = threading.Thread(
            target=lambda: out.update(r=c.post("/normalize", json={"text": "ISIS " * 1000}))
        )
        worker.start()
        try:
            assert started.wait(timeout=30)
            health = c.get("/health")
            assert health.status_code == 200
            # answered while the normalize was still running
            assert not release.is_set() and worker.is_alive()
        finally:
            release.set()
            worker.join(timeout=30)
        assert out["r"].status_code == 200 and len(out["r"].json()["mentions"]) == 1000


def test_settings_round_trip_through_the_environment(table: Path) -> None:
    s = Settings(
        tables=(str(table),),
        bundled=False,
        allow_reload=True,
        max_body_bytes=123,
        max_batch_items=7,
        max_text_chars=99,
        lean=False,
        inline_chars=7,
    )
    assert Settings.from_env(s.to_env()) == s
    assert Settings.from_env({}) == Settings()


# ------------------------------------------------------------------------------------------------ warm-up
def _forbid_lazy_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, building any index that Normalizer builds on first use fails the request (a 500)."""

    def built_on_first_use(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an index was built on first use, inside a request")

    for name in ("VariantIndex", "index_for", "Stopwords", "default_variants", "EntitySearch"):
        monkeypatch.setattr(f"normalizer.pipeline.{name}", built_on_first_use)
    monkeypatch.setattr("gzip.open", built_on_first_use)  # the common-words list (a gzip file)


WARM_PROBES = [  # every pass, every script, explain, resolve
    ("/normalize", {"text": "MİT'in Daesh operasyonu, also known as \"Blue Kite\", Türkiye'de.", "explain": True}),
    ("/normalize", {"text": "Islamik Stat und Syrien; Ισλαμικό Κράτος; داعش في سوريا; Исламское государство"}),
    ("/normalize/batch", {"items": [{"id": 1, "text": "Deash and the Turkish MIT"}]}),
    ("/resolve", {"name": "Islamik Devlet"}),
    ("/entities", {"q": "Dae"}),  # a GET (suggestions): the entity search is built before serving too
]


def _probe(c: Any, path: str, body: dict) -> Any:  # noqa: ANN401
    return c.get(path, params=body) if path == "/entities" else c.post(path, json=body)


def test_the_app_serves_a_warm_normalizer_and_reload_warms_before_the_swap(
    table: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No request builds an index (on the event loop it stalled every other request for a second or more):
    create_app warms the Normalizer before anything is served, and a reload warms the new one before the
    swap."""
    cold = Normalizer([table], bundled=False)
    assert cold._index is None and cold._fuzzy_index is None  # built on first use, as the library does
    app = create_app(cold, tables=[table], bundled=False, allow_reload=True)
    with TestClient(app) as c:
        with monkeypatch.context() as m:
            _forbid_lazy_builds(m)
            for path, body in WARM_PROBES:
                assert _probe(c, path, body).status_code == 200, (path, _probe(c, path, body).text)
        table.write_text(table.read_text(encoding="utf-8") + NEW_ENTITY, encoding="utf-8")
        reloaded = c.post("/admin/reload")
        assert reloaded.status_code == 200 and reloaded.json()["changed"]
        with monkeypatch.context() as m:
            _forbid_lazy_builds(m)
            for path, body in WARM_PROBES:
                r = _probe(c, path, body)
                assert r.status_code == 200 and r.headers["x-table-version"] == reloaded.json()["version"]
            assert c.post("/normalize", json={"text": "Example Brigade"}).json()["mentions"][0]["id"] == (
                "org:new-group"
            )
        assert unexpected(c) == 0


# ------------------------------------------------------------------------------------------------ limits
def test_head_answers_on_every_get_route(client: TestClient) -> None:
    for path in ["/health", "/entities/org:isis", "/entities?q=Dae", "/openapi.json", "/docs"]:
        get, head = client.get(path), client.head(path)
        assert (get.status_code, head.status_code) == (200, 200), path
        assert head.content == b"" and head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["x-table-version"]
    missing = client.head("/entities/org:none")
    assert missing.status_code == 404 and missing.content == b""
    assert client.head("/normalize").status_code == 405  # a POST route


def test_a_huge_integer_is_explained_in_the_clients_terms(client: TestClient) -> None:
    for path, body in [
        ("/resolve", b'{"name": "Daesh", "limit": ' + b"9" * 4301 + b"}"),
        ("/normalize/batch", b'{"items": [{"id": ' + b"1" * 5000 + b', "text": "ISIS"}]}'),
    ]:
        r = post(client, path, body)
        err = r.json()["error"]
        assert (r.status_code, err["code"]) == (400, "invalid_json")
        assert "at most 4300 digits" in err["message"] and str(body.count(b"9") or 5000) in err["message"]
        assert "sys." not in err["message"] and "set_int_max_str_digits" not in err["message"]
    assert unexpected(client) == 0


def test_the_default_limits_admit_a_full_batch_in_any_json_encoding(table: Path) -> None:
    """max_batch_items (1000) texts of 1,000 characters fit the default body limit even when every
    character is \\u-escaped (6 bytes: what json.dumps sends by default for non-ASCII)."""
    text = ("και\u00a0της\u00a0στην\u00a0" * 80)[:1000]  # (no-break spaces: escaped too)
    items = [{"id": i, "text": text} for i in range(1000)]
    body = json.dumps({"items": items}).encode()  # ensure_ascii: \u03ba...
    assert len(body) > 6_000_000 and len(text) == 1000
    with TestClient(create_app(tables=[table], bundled=False)) as c:
        r = post(c, "/normalize/batch", body)
        assert r.status_code == 200, r.text[:300]
        assert [x["id"] for x in r.json()["results"]] == list(range(1000))
        one = post(c, "/normalize", json.dumps({"text": "ب" * 200_000}).encode())  # max_text_chars, escaped
        assert one.status_code == 200
        too_many = post(c, "/normalize/batch", json.dumps({"items": [{"text": "x"}] * 1001}).encode())
        assert too_many.json()["error"]["code"] == "too_many_items"
