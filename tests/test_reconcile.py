"""The OpenRefine reconciliation service (W3C Reconciliation API v0.2, ``/reconcile``) in-process: every kind
of answer validated against the official 0.2 schemas, the request shapes OpenRefine sends, types, limits,
properties, features, the match rule, suggest, preview, data extension, CORS, JSONP and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from w3c_reconcile import check, errors, examples

from api import create_app
from api.reconcile_query import parse_queries
from api.reconcile_service import Scored, feature_list, is_match
from normalizer import Entity, Normalizer

TABLE = Path(__file__).parent / "fixtures" / "reconcile_table.yaml"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}  # as OpenRefine posts


@pytest.fixture(scope="module")
def norm() -> Normalizer:
    return Normalizer([TABLE], bundled=False)


@pytest.fixture(scope="module")
def client(norm: Normalizer) -> TestClient:
    return TestClient(create_app(norm, max_batch_items=20), raise_server_exceptions=False)


def reconcile(client: TestClient, queries: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/reconcile", content=urlencode({"queries": json.dumps(queries)}), headers=FORM)
    assert r.status_code == 200, r.text
    body = r.json()
    check("reconciliation-result-batch", body)
    assert set(body) == set(queries)
    return body


def one(client: TestClient, **query: Any) -> list[dict[str, Any]]:
    return reconcile(client, {"q0": query})["q0"]["result"]


def assert_error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert err["code"] == code and err["message"]
    return err


# ------------------------------------------------------------------------------------------------ schemas
@pytest.mark.parametrize("name,verdict,path", examples(), ids=lambda v: getattr(v, "name", v))
def test_the_spec_examples_are_judged_as_their_folder_says(name: str, verdict: str, path: Path) -> None:
    """The loading code used on our answers judges every official example as the spec does (44 files)."""
    problems = errors(name, json.loads(path.read_text(encoding="utf-8")))
    assert (not problems) == (verdict == "valid"), problems


def test_every_spec_example_was_found() -> None:
    found = examples()
    if not found:
        pytest.skip("../shared/reconcile is not present")
    assert len(found) == 44
    assert {v for _, v, _ in found} == {"valid", "invalid"}


@pytest.mark.parametrize("verdict", ["valid", "invalid"])
def test_the_spec_query_batches_are_accepted_or_refused_like_the_schema_says(
    client: TestClient, verdict: str
) -> None:
    batches = [p for n, v, p in examples() if n == "reconciliation-query-batch" and v == verdict]
    if not batches:
        pytest.skip("../shared/reconcile is not present")
    for path in batches:
        r = client.post("/reconcile", content=urlencode({"queries": path.read_text()}), headers=FORM)
        if verdict == "valid":
            assert r.status_code == 200, (path.name, r.text)
            check("reconciliation-result-batch", r.json())
        else:
            assert_error(r, 422, "validation_error")


# ------------------------------------------------------------------------------------------------ manifest
def test_manifest(client: TestClient) -> None:
    r = client.get("/reconcile")
    assert r.status_code == 200
    m = r.json()
    check("manifest", m)
    assert m["versions"] == ["0.2"]
    assert {t["id"] for t in m["defaultTypes"]} == {"organization", "person", "location", "event"}
    assert m["view"]["url"] == "http://testserver/entities/{{id}}"
    assert m["batchSize"] >= 10
    assert m["preview"]["url"].endswith("/reconcile/preview/{{id}}")
    assert set(m["suggest"]) == {"entity", "type", "property"}
    assert m["extend"]["propose_properties"]["service_path"] == "/reconcile/properties"
    # every advertised URL answers
    view = client.get(m["view"]["url"].replace("{{id}}", "org:isis"), headers={"Accept": "text/html"})
    assert view.status_code == 200 and "Islamic State" in view.text
    assert client.get(m["preview"]["url"].replace("{{id}}", "org:isis")).status_code == 200
    for kind, svc in m["suggest"].items():
        assert client.get(svc["service_url"] + svc["service_path"], params={"prefix": "a"}).status_code == 200, kind
    flyout = m["suggest"]["entity"]["flyout_service_path"].replace("${id}", "org:isis")
    assert client.get(flyout).json()["id"] == "org:isis"


# ------------------------------------------------------------------------------------------------ queries
def test_query_answer_shape_features_and_match(client: TestClient) -> None:
    res = one(client, query="Daesh")
    top = res[0]
    assert top["id"] == "org:isis" and top["name"] == "Islamic State" and top["match"] is True
    assert top["type"] == [{"id": "organization", "name": "Organization"}]
    assert top["description"] == "jihadist group"
    assert top["features"], "the name layer's features explain the score"
    for f in top["features"]:
        assert isinstance(f["id"], str) and isinstance(f["value"], (bool, int, float))
    assert [r["match"] for r in res].count(True) <= 1


def test_the_same_batch_by_post_form_get_and_json_body(client: TestClient) -> None:
    queries = {"q0": {"query": "Türkei"}, "q1": {"query": "داعش", "limit": 2}, "q2": {"query": "MİT"}}
    by_form = reconcile(client, queries)
    by_get = client.get("/reconcile", params={"queries": json.dumps(queries)})
    by_json = client.post("/reconcile", json={"queries": queries})
    assert by_get.status_code == by_json.status_code == 200
    assert by_get.json() == by_json.json() == by_form
    assert [by_form[k]["result"][0]["id"] for k in ("q0", "q1", "q2")] == ["loc:turkey", "org:isis", "org:mit-turkey"]


def test_results_are_best_first_and_at_most_limit(client: TestClient) -> None:
    for limit in (1, 2, 3):
        res = one(client, query="Jordan", limit=limit)
        assert 1 <= len(res) <= limit
        scores = [r["score"] for r in res]
        assert scores == sorted(scores, reverse=True)
    assert one(client, query="Jordan", limit=0) == []
    assert len(one(client, query="Jordan", limit=2.0)) == 2


def test_a_name_shared_by_two_entities_is_not_a_match(client: TestClient) -> None:
    res = one(client, query="Jordan")
    assert {r["id"] for r in res} == {"loc:jordan", "per:jordan-quill"}
    assert not any(r["match"] for r in res)


def test_type_restricts_and_type_strict_should_prefers(client: TestClient) -> None:
    loc = one(client, query="Jordan", type="location")
    assert [r["id"] for r in loc] == ["loc:jordan"] and loc[0]["match"] is True
    per = one(client, query="Jordan", type=["person"], type_strict="all")
    assert [r["id"] for r in per] == ["per:jordan-quill"]
    both = one(client, query="Jordan", type=["person", "location"], type_strict="any")
    assert len(both) == 2
    should = one(client, query="Jordan", type="person", type_strict="should")
    assert [r["id"] for r in should] == ["per:jordan-quill", "loc:jordan"]
    assert should[0]["score"] > should[1]["score"]
    assert {"id": "type_match", "value": False} in should[1]["features"]
    as_property = one(client, query="Jordan", properties=[{"pid": "type", "v": "location"}])
    assert as_property[0]["id"] == "loc:jordan" and len(as_property) == 2
    assert one(client, query="Daesh", type="person") == []


def test_wikidata_property(client: TestClient) -> None:
    agree = one(client, query="Turkey", properties=[{"pid": "wikidata", "v": "Q43"}])
    assert agree[0]["id"] == "loc:turkey" and agree[0]["match"] is True
    assert {"id": "wikidata_match", "value": True} in agree[0]["features"]
    # an entity value {id, name} and a misspelt name: the Wikidata id alone finds the entity
    found = one(client, query="Xyzzy", properties=[{"pid": "wikidata", "v": {"id": "Q858", "name": "Syria"}}])
    assert found[0]["id"] == "loc:syria" and found[0]["match"] is True
    disagree = one(client, query="Turkey", properties=[{"pid": "wikidata", "v": "Q858"}])
    turkey = next(r for r in disagree if r["id"] == "loc:turkey")
    assert {"id": "wikidata_match", "value": False} in turkey["features"]
    assert not turkey["match"]
    assert turkey["score"] < agree[0]["score"]


def test_context_property_favours_the_entity_the_text_names(client: TestClient) -> None:
    plain = one(client, query="Abu Bakr")
    assert len(plain) == 2 and not any(r["match"] for r in plain)
    words = one(client, query="Abu Bakr", properties=[{"pid": "context", "v": "a speech in Basra last week"}])
    assert words[0]["id"] == "per:abu-bakr-two" and words[0]["score"] > words[1]["score"]
    named = one(client, query="Abu Bakr",
                properties=[{"pid": "context", "v": "Abu Bakr al-Baghdadi spoke in a video"}])
    assert named[0]["id"] == "per:abu-bakr-one" and named[0]["match"] is True
    assert {"id": "context_names_entity", "value": True} in named[0]["features"]


def test_lang_and_unknown_properties_and_several_values(client: TestClient) -> None:
    res = one(client, query="DEAŞ", properties=[{"pid": "lang", "v": "tr"}, {"pid": "color", "v": ["red", 3, True]}])
    assert res[0]["id"] == "org:isis" and res[0]["match"] is True
    only_props = one(client, properties=[{"pid": "wikidata", "v": ["Q1", "Q43"]}])
    assert [r["id"] for r in only_props] == ["loc:turkey"]


def test_spelling_variants_and_scripts(client: TestClient) -> None:
    variant = one(client, query="Daesch")[0]
    assert variant["id"] == "org:isis"
    own = {"name_score", "method_exact", "method_folded", "method_variant", "method_fuzzy"}
    assert {f["id"] for f in variant["features"]} - own, "the name layer's own features come through"
    assert one(client, query="تركيا")[0]["id"] == "loc:turkey"
    assert one(client, query="nothing like any name at all") == []


def test_long_queries_get_an_answer_not_an_error(client: TestClient) -> None:
    long = ("Islamic State " * 800)[:10_000]
    body = reconcile(client, {"q0": {"query": long}, "q1": {"query": "x" * 10_000}, "q2": {"query": "Daesh"}})
    assert isinstance(body["q0"]["result"], list) and body["q1"]["result"] == []
    assert body["q2"]["result"][0]["id"] == "org:isis"


# ------------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "queries,status,code,where",
    [
        ('{"q0": {"query": "Daesh"', 400, "invalid_json", None),
        ("[1, 2]", 422, "validation_error", "queries"),
        ('"Daesh"', 422, "validation_error", "queries"),
        ('{"q0": "Daesh"}', 422, "validation_error", "queries.q0"),
        ('{"q0": {"query": "Daesh", "limit": "ten"}}', 422, "validation_error", "queries.q0.limit"),
        ('{"q0": {"query": "Daesh", "limit": -1}}', 422, "validation_error", "queries.q0.limit"),
        ('{"q0": {"query": "Daesh", "limit": true}}', 422, "validation_error", "queries.q0.limit"),
        ('{"q0": {"query": 5}}', 422, "validation_error", "queries.q0.query"),
        ('{"q0": {"query": "Daesh", "type": 5}}', 422, "validation_error", "queries.q0.type"),
        ('{"q0": {"query": "Daesh", "type_strict": "maybe"}}', 422, "validation_error", "queries.q0.type_strict"),
        ('{"q0": {"query": "Daesh", "properties": [{"v": "x"}]}}', 422, "validation_error", "properties[0]"),
        ('{"q0": {"query": "Daesh", "props": []}}', 422, "validation_error", "queries.q0.props"),
        ("[" * 5_000, 400, "invalid_json", None),
    ],
)
def test_bad_queries_are_4xx_json(client: TestClient, queries: str, status: int, code: str, where: str | None) -> None:
    for r in (client.post("/reconcile", content=urlencode({"queries": queries}), headers=FORM),
              client.get("/reconcile?" + urlencode({"queries": queries}))):
        err = assert_error(r, status, code)
        if where:
            assert where in err["message"]
        assert r.headers["access-control-allow-origin"] == "*"


def test_invalid_utf8_is_400(client: TestClient) -> None:
    raw = b'queries={"q0":{"query":"\xff"}}'
    assert_error(client.post("/reconcile", content=raw, headers=FORM), 400, "invalid_utf8")
    assert_error(client.post("/reconcile", content=b"queries=%7B%22q0%22%3A%7B%22query%22%3A%22%FF%22%7D%7D",
                             headers=FORM), 400, "invalid_utf8")
    assert_error(client.get("/reconcile?queries=%FF"), 400, "invalid_utf8")


def test_other_bad_requests(client: TestClient) -> None:
    too_many = {f"q{i}": {"query": "Daesh"} for i in range(21)}
    assert_error(client.post("/reconcile", content=urlencode({"queries": json.dumps(too_many)}), headers=FORM),
                 413, "too_many_items")
    both = urlencode({"queries": "{}", "extend": "{}"})
    assert_error(client.post("/reconcile", content=both, headers=FORM), 422, "validation_error")
    assert_error(client.post("/reconcile", content=b"queries={}", headers={"Content-Type": "text/plain"}),
                 415, "unsupported_media_type")
    assert_error(client.post("/reconcile", content=b"[1]", headers={"Content-Type": "application/json"}),
                 422, "validation_error")
    assert client.post("/reconcile", content=urlencode({"queries": "{}"}), headers=FORM).json() == {}
    # the service URL typed with a trailing slash works as it is (no redirect of a POST)
    slash = client.post("/reconcile/", content=urlencode({"queries": '{"q0": {"query": "Daesh"}}'}), headers=FORM,
                        follow_redirects=False)
    assert slash.status_code == 200 and slash.json()["q0"]["result"][0]["id"] == "org:isis"
    assert client.get("/reconcile/", follow_redirects=False).json()["versions"] == ["0.2"]
    # a form body is only accepted on /reconcile
    assert_error(client.post("/normalize", content=b"text=x", headers=FORM), 415, "unsupported_media_type")


# ------------------------------------------------------------------------------------------------ CORS, JSONP
def test_cors_on_every_reconcile_endpoint_and_preflight(client: TestClient) -> None:
    origin = {"Origin": "http://openrefine.example:3333"}
    for path in ("/reconcile", "/reconcile/suggest/entity?prefix=Da", "/reconcile/properties?type=person",
                 "/reconcile/preview/org:isis", "/reconcile/flyout/org:isis", "/reconcile/flyout/nope"):
        r = client.get(path, headers=origin)
        assert r.headers["access-control-allow-origin"] == "*", path
        assert "x-table-version" in r.headers
    pre = client.options("/reconcile", headers={**origin, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "content-type" in pre.headers["access-control-allow-headers"].lower()
    # the rest of the API stays same-origin
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers


def test_jsonp(client: TestClient) -> None:
    queries = json.dumps({"q0": {"query": "Daesh"}})
    r = client.get("/reconcile", params={"queries": queries, "callback": "jQuery3_1.cb", "_": "1700000000"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert r.text.startswith("/**/jQuery3_1.cb(") and r.text.endswith(");")
    payload = json.loads(r.text[len("/**/jQuery3_1.cb("):-2])
    assert payload["q0"]["result"][0]["id"] == "org:isis"
    manifest = client.get("/reconcile?callback=f").text
    assert json.loads(manifest[len("/**/f("):-2])["versions"] == ["0.2"]
    suggest = client.get("/reconcile/suggest/type", params={"prefix": "per", "callback": "g"}).text
    assert json.loads(suggest[len("/**/g("):-2])["result"][0]["id"] == "person"
    assert_error(client.get("/reconcile", params={"callback": "alert(1)//"}), 400, "bad_request")


# ------------------------------------------------------------------------------------------------ suggest
def test_suggest_entities(client: TestClient) -> None:
    def suggest(**params: Any) -> list[dict[str, Any]]:
        r = client.get("/reconcile/suggest/entity", params=params)
        assert r.status_code == 200, r.text
        check("suggest-entities-response", r.json())
        return r.json()["result"]

    assert suggest(prefix="Dae")[0]["id"] == "org:isis"
    assert suggest(prefix="داع")[0]["id"] == "org:isis"
    assert suggest(prefix="Daesch")[0]["id"] == "org:isis"  # a spelling no table lists
    jordan = suggest(prefix="Jord")
    assert {s["id"] for s in jordan} == {"loc:jordan", "per:jordan-quill"}
    assert [s["id"] for s in suggest(prefix="Jord", type="person")] == ["per:jordan-quill"]
    first, second = suggest(prefix="Jord", limit=1), suggest(prefix="Jord", limit=1, cursor=1)
    assert len(first) == len(second) == 1 and first[0]["id"] != second[0]["id"]
    assert first[0]["notable"][0]["id"] in ("location", "person")
    assert suggest(prefix="") == []
    assert_error(client.get("/reconcile/suggest/entity", params={"prefix": "a", "cursor": "x"}), 422,
                 "validation_error")


def test_suggest_types_and_properties(client: TestClient) -> None:
    types = client.get("/reconcile/suggest/type", params={"prefix": "LOC"}).json()
    check("suggest-types-response", types)
    assert types["result"] == [{"id": "location", "name": "Location"}]
    props = client.get("/reconcile/suggest/property", params={"prefix": "wiki"}).json()
    check("suggest-properties-response", props)
    assert [p["id"] for p in props["result"]] == ["wikidata"]
    everything = client.get("/reconcile/suggest/property").json()["result"]
    assert {"lang", "type", "wikidata", "context", "name", "names", "names_ar"} <= {p["id"] for p in everything}


# ------------------------------------------------------------------------------------------------ preview, flyout
def test_preview_and_flyout_escape_and_404(client: TestClient) -> None:
    r = client.get("/reconcile/preview/org:markup-test")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Brigade &lt;b&gt;Test&lt;/b&gt; &amp; Co" in r.text and "<b>" not in r.text
    assert "<script" not in r.text and "http" not in r.text.replace("https://www.wikidata.org/wiki/", "")
    assert client.get("/reconcile/preview/org:nope").status_code == 404
    fly = client.get("/reconcile/flyout/org:isis").json()
    assert fly["id"] == "org:isis" and "Islamic State" in fly["html"]
    assert_error(client.get("/reconcile/flyout/org:nope"), 404, "not_found")


# ------------------------------------------------------------------------------------------------ extend
def test_propose_properties(client: TestClient) -> None:
    r = client.get("/reconcile/properties", params={"type": "organization", "limit": 3})
    body = r.json()
    check("data-extension-property-proposal", body)
    assert body["type"] == "organization" and len(body["properties"]) == 3
    ids = {p["id"] for p in client.get("/reconcile/properties").json()["properties"]}
    assert {"name", "type", "wikidata", "description", "names", "names_ar", "names_tr"} <= ids
    assert "context" not in ids  # a query property, not an entity's


def test_data_extension(client: TestClient) -> None:
    ext = {"ids": ["org:isis", "loc:turkey", "org:mit-turkey", "org:nope"],
           "properties": [{"id": p} for p in ("name", "type", "wikidata", "description", "names", "names_ar")]}
    check("data-extension-query", ext)
    r = client.post("/reconcile", content=urlencode({"extend": json.dumps(ext)}), headers=FORM)
    assert r.status_code == 200, r.text
    body = r.json()
    check("data-extension-response", body)
    assert [m["id"] for m in body["meta"]] == [p["id"] for p in ext["properties"]]
    isis = body["rows"]["org:isis"]
    assert isis["name"] == [{"str": "Islamic State"}] and isis["type"] == [{"str": "organization"}]
    assert isis["wikidata"] == [{"str": "Q2429253"}] and isis["names_ar"] == [{"str": "داعش"}]
    assert {"str": "DEAŞ"} in isis["names"] and isis["names"][0] == {"str": "Islamic State"}
    assert body["rows"]["org:mit-turkey"]["wikidata"] == [] and body["rows"]["org:mit-turkey"]["description"] == []
    assert all(v == [] for v in body["rows"]["org:nope"].values())
    assert client.get("/reconcile", params={"extend": json.dumps(ext)}).json() == body
    bad = {"ids": ["org:isis"], "properties": [{"id": "shoe_size"}]}
    assert "shoe_size" in assert_error(client.get("/reconcile", params={"extend": json.dumps(bad)}), 422,
                                       "validation_error")["message"]
    assert_error(client.get("/reconcile", params={"extend": '{"ids": "org:isis", "properties": []}'}), 422,
                 "validation_error")


# ------------------------------------------------------------------------------------------------ the rules
def _scored(score: float, method: str, **evidence: bool) -> Scored:
    return Scored(Entity(id="x", type="person", name="X"), score, method, evidence=dict(evidence))


def test_match_rule() -> None:
    exact, folded, fuzzy = _scored(1.0, "exact"), _scored(0.95, "folded"), _scored(0.9, "fuzzy")
    assert is_match([exact]) and is_match([folded]) and is_match([fuzzy])
    assert is_match([exact, _scored(0.8, "fuzzy")])
    assert not is_match([exact, _scored(1.0, "exact")])  # a shared name
    assert not is_match([exact, _scored(0.95, "folded")])  # the same name after folding
    boosted = _scored(0.8, "fuzzy")
    boosted.bonus = 15  # ranked between two entities that both carry the name
    assert not is_match([exact, boosted, _scored(0.95, "folded")])
    assert not is_match([_scored(0.84, "fuzzy")])  # not clearly right
    assert not is_match([fuzzy, _scored(0.8, "fuzzy")])  # too close to the second
    ahead = _scored(1.0, "exact")
    ahead.bonus = 15
    assert is_match([ahead, _scored(1.0, "exact")])
    penalised = _scored(1.0, "exact")
    penalised.penalised = True
    assert not is_match([penalised])
    assert is_match([_scored(0.0, "property", wikidata_match=True), _scored(1.0, "exact")])
    assert not is_match([])


def test_features_map_every_numeric_or_boolean_name_feature_generically() -> None:
    s = Scored(Entity(id="x", type="person", name="X"), 0.5, "fuzzy",
               {"anything": 0.25, "flag": True, "count": 3, "text": "skip", "nan": float("nan"), "nested": {}},
               {"type_match": False})
    feats = feature_list(s)
    check("reconciliation-result-batch", {"q": {"result": [{"id": "x", "name": "X", "score": 50, "features": feats}]}})
    assert {f["id"]: f["value"] for f in feats} == {"name_score": 0.5, "method_fuzzy": True, "anything": 0.25,
                                                    "flag": True, "count": 3.0, "type_match": False}


def test_parse_queries_directly() -> None:
    (q,) = parse_queries({"a": {"query": "x", "type": ["t", ""], "limit": 1000,
                                "properties": [{"pid": "lang", "v": ["tr", {"id": "en"}]}]}}, 10)
    assert q.types == ("t",) and q.limit == 100 and q.values("lang") == ("tr", "en")


def test_entity_page_and_json_by_accept_header(client: TestClient) -> None:
    html = client.get("/entities/org:isis", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    for s in ("Islamic State", "Q2429253", "jihadist group", "داعش", "DEAŞ", "Arabic", "Turkish"):
        assert s in html.text
    as_json = client.get("/entities/org:isis")
    assert as_json.json()["id"] == "org:isis"
    assert client.get("/entities/org:isis", headers={"Accept": "application/json, text/html;q=0.5"}).json()
    missing = client.get("/entities/org:nope", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "org:nope" in missing.text
    markup = client.get("/entities/" + quote("org:markup-test"), headers={"Accept": "text/html"}).text
    assert "&lt;b&gt;" in markup and "<b>Test" not in markup
