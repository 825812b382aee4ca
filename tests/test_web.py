"""The web page's files and the offline ``/docs``, in-process (the page itself runs in a real browser in
tests/test_web_browser.py): everything is served by the app, nothing refers to another site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from normalizer import Normalizer

STATIC = Path(__file__).resolve().parents[1] / "api" / "static"
TABLE = Path(__file__).parent / "fixtures" / "reconcile_table.yaml"
ELSEWHERE = re.compile(r"""https?://|(?:src|href)\s*=\s*["']//|url\(\s*["']?//|@import|@font-face""", re.I)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Normalizer([TABLE], bundled=False)))


def test_the_page_and_its_files_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
    assert {"static/app.css", "static/app.js"} <= set(refs)
    for ref in refs:
        if ref.startswith("data:"):
            continue
        r = client.get("/" + ref.lstrip("/"))
        assert r.status_code == 200, ref
    assert client.get("/static/app.js").headers["content-type"].startswith(("text/javascript",
                                                                           "application/javascript"))
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/nope.js").status_code == 404


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC.iterdir()))
def test_no_static_file_refers_to_another_site(name: str) -> None:
    found = ELSEWHERE.findall((STATIC / name).read_text(encoding="utf-8"))
    assert found == [], f"{name} loads something from elsewhere: {found}"


def test_docs_use_the_local_swagger_ui(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    scripts = re.findall(r"""(?:src|href)=["']([^"']+)["']""", docs.text)
    assert scripts and all(s.startswith("/") for s in scripts), scripts
    assert "cdn" not in docs.text.lower() and '"validatorUrl": null' in docs.text
    js = client.get("/static/swagger/swagger-ui-bundle.js")
    css = client.get("/static/swagger/swagger-ui.css")
    assert js.status_code == css.status_code == 200
    assert len(js.content) > 500_000 and b"SwaggerUIBundle" in js.content
    assert client.get("/static/swagger/favicon.png").status_code == 200
    assert client.get("/docs/oauth2-redirect").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/reconcile", "/reconcile/suggest/{kind}", "/reconcile/properties"} <= set(paths)
    assert "/" not in paths  # the page is not an API endpoint
