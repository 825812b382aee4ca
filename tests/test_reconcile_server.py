"""The reconciliation service against a real ``normalizer serve`` process on a free loopback port, with the
requests OpenRefine sends (form POST with its headers, jQuery's JSONP GET, CORS preflight), schema-validated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from test_api_server import Server, start
from w3c_reconcile import check

TABLE = Path(__file__).parent / "fixtures" / "reconcile_table.yaml"
OPENREFINE = {  # the headers OpenRefine's reconciliation requests carry
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Accept": "*/*",
    "User-Agent": "OpenRefine/3.8.2 [7a2d5b5]",
}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start(tmp_path_factory.mktemp("reconcile_server"), "--tables", str(TABLE), "--no-bundled")
    yield srv
    srv.stop()


def post_form(server: Server, **fields: str) -> httpx.Response:
    return httpx.post(server.url + "/reconcile", content=urlencode(fields), headers=OPENREFINE, timeout=30)


def test_manifest_and_its_urls(server: Server) -> None:
    m = httpx.get(server.url + "/reconcile").json()
    check("manifest", m)
    assert m["view"]["url"] == server.url + "/entities/{{id}}"
    page = httpx.get(m["view"]["url"].replace("{{id}}", "loc:turkey"), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Türkei" in page.text
    preview = httpx.get(m["preview"]["url"].replace("{{id}}", "loc:turkey"))
    assert preview.status_code == 200 and "Türkiye" in preview.text


def test_openrefine_batch_by_form_post(server: Server) -> None:
    names = ["Daesh", "DEAŞ", "داعش", "Turkey", "Türkei", "MİT", "Jordan", "Abu Bakr", "Syria", "nothing"]
    queries = {f"q{i}": {"query": n, "type_strict": "should", "limit": 3} for i, n in enumerate(names)}
    queries["q0"]["type"] = "organization"
    r = post_form(server, queries=json.dumps(queries))
    assert r.status_code == 200, r.text
    body = r.json()
    check("reconciliation-result-batch", body)
    assert r.headers["x-table-version"] == httpx.get(server.url + "/health").json()["version"]
    top = {k: (v["result"][0]["id"], v["result"][0]["match"]) if v["result"] else None for k, v in body.items()}
    assert top["q0"] == top["q1"] == top["q2"] == ("org:isis", True)
    assert top["q3"] == top["q4"] == ("loc:turkey", True)
    assert top["q5"] == ("org:mit-turkey", True)
    assert top["q6"][1] is False and top["q7"][1] is False  # shared names: no automatic match
    assert top["q9"] is None
    for res in body.values():
        for cand in res["result"]:
            assert cand["features"] and len(res["result"]) <= 3


def test_batch_of_batch_size_and_long_queries(server: Server) -> None:
    size = httpx.get(server.url + "/reconcile").json()["batchSize"]
    queries = {f"q{i}": {"query": "Islamic State " * 700 if i % 10 == 0 else "Daesh"} for i in range(size)}
    r = post_form(server, queries=json.dumps(queries))
    assert r.status_code == 200
    body = r.json()
    check("reconciliation-result-batch", body)
    assert len(body) == size and body["q1"]["result"][0]["id"] == "org:isis"


def test_jsonp_get_as_jquery_sends_it(server: Server) -> None:
    queries = json.dumps({"q0": {"query": "Suriye"}})
    r = httpx.get(server.url + "/reconcile", params={"callback": "jQuery36005_1700", "queries": queries, "_": "17"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    payload = json.loads(r.text.removeprefix("/**/jQuery36005_1700(").removesuffix(");"))
    check("reconciliation-result-batch", payload)
    assert payload["q0"]["result"][0]["id"] == "loc:syria"


def test_cors_preflight_and_headers(server: Server) -> None:
    pre = httpx.options(server.url + "/reconcile", headers={
        "Origin": "http://127.0.0.1:3333", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    r = post_form(server, queries=json.dumps({"q0": {"query": "Daesh"}}))
    assert r.headers["access-control-allow-origin"] == "*"


def test_bad_input_is_4xx_json_and_the_server_lives_on(server: Server) -> None:
    cases = [
        (b"queries=%7B%22q0%22", 400, "invalid_json"),
        (b"queries=%5B1%5D", 422, "validation_error"),
        (b'queries={"q0":{"query":"Daesh","limit":"ten"}}', 422, "validation_error"),
        (b'queries={"q0":{"query":"\xff\xfe"}}', 400, "invalid_utf8"),
        (b"queries=%FF", 400, "invalid_utf8"),
    ]
    for body, status, code in cases:
        r = httpx.post(server.url + "/reconcile", content=body, headers=OPENREFINE)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["code"] == code
        assert r.headers["access-control-allow-origin"] == "*"
    assert httpx.get(server.url + "/health").json()["status"] == "ok"


def test_suggest_and_extend_over_http(server: Server) -> None:
    s = httpx.get(server.url + "/reconcile/suggest/entity", params={"prefix": "Sur"}).json()
    check("suggest-entities-response", s)
    assert s["result"][0]["id"] == "loc:syria"
    ext = {"ids": ["loc:syria"], "properties": [{"id": "wikidata"}, {"id": "names_ar"}]}
    r = post_form(server, extend=json.dumps(ext))
    check("data-extension-response", r.json())
    assert r.json()["rows"]["loc:syria"] == {"wikidata": [{"str": "Q858"}], "names_ar": [{"str": "سوريا"}]}
