"""The lean handlers of the hot routes (api/lean.py) against the FastAPI routes they stand in for: the same
status, headers and bytes for good and bad requests; orjson's output equal to json.dumps's; small jobs
matched on the event loop, large ones in a thread."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api import create_app
from api.errors import json_bytes
from api.lean import INLINE_NAMES, dump, mention_floats, name_words, plain_float
from normalizer import Normalizer

TABLE = """\
entities:
  - id: per:kaya-one
    type: person
    name: Hasan Kaya
    aliases:
      tr: [Hasan Kaya]
  - id: per:kaya-two
    type: person
    name: Hasan Kaya
    description: another man of the same name
    aliases:
      tr: [Hasan Kaya]
  - id: org:isis
    type: organization
    name: Islamic State
    aliases:
      en: [ISIS, Daesh, Islamic State]
      tr: [DEAŞ, IŞİD]
  - id: org:mit-turkey
    type: organization
    name: National Intelligence Organization
    aliases:
      en: [MIT]
      tr: [MİT]
  - id: per:abu-bakr
    type: person
    name: Abu Bakr al-Baghdadi
    aliases:
      en: [Abu Bakr al-Baghdadi]
      tr: [Ebu Bekir el-Bağdadi]
"""
TR = "MİT'in Daesh operasyonu; Hasan Kaya ve Ebu Bekr el-Bagdadi."
ASTRAL = "😀 𝔘𝔘 MİT'in DEAS 🇹🇷 Abu Bakir al Bagdadi"
LIMITS = {"max_body_bytes": 20_000, "max_batch_items": 4, "max_text_chars": 2_000}
JSON = "application/json"

LEAN: list[tuple[str, bytes, str | None]] = [  # (path with query, body, content type): answered lean
    ("/normalize", json.dumps({"text": TR, "lang": "tr"}).encode(), JSON),
    ("/normalize", json.dumps({"text": TR}, ensure_ascii=False).encode(), JSON),
    ("/normalize", json.dumps({"text": TR, "explain": True}).encode(), JSON),
    ("/normalize?offsets=utf16", json.dumps({"text": ASTRAL}).encode(), JSON),
    ("/normalize?offsets=codepoint", json.dumps({"text": ASTRAL}).encode(), JSON),
    ("/normalize", b'{"text": "ISIS \\ud800 Daesh \\u0000 \\"x\\" \\u2028"}', JSON),  # lone surrogate
    ("/normalize", b'{"text": "Daesh", "explain": 1}', JSON),  # lax bool, as before
    ("/normalize", b'{"text": "", "lang": null}', JSON),
    ("/normalize", b' \n{"lang": "tr", "text": "DEA\xc5\x9e"} ', JSON),
    ("/normalize", b'{"text": "x", "text": "ISIS"}', JSON),  # duplicate key: the last wins
    ("/normalize", b'\xef\xbb\xbf{"text": "x"}', JSON),  # a byte-order mark: json.loads skips it
    ("/normalize", b'{"text": "ISIS"}', "application/json; charset=utf-8"),
    ("/normalize", b'{"text": "ISIS"}', "application/vnd.api+json"),
    (
        "/normalize/batch",
        json.dumps({"items": [{"id": "a", "text": TR}, {"id": 2, "text": ASTRAL}]}).encode(),
        JSON,
    ),
    (
        "/normalize/batch?offsets=utf16",
        json.dumps({"items": [{"id": "a", "text": ASTRAL, "explain": True}, {"text": "ISIS"}]}).encode(),
        JSON,
    ),
    (
        "/normalize/batch",
        json.dumps(
            {"items": [{"id": 2**70, "text": "ISIS"}, {"id": True, "text": "x"}, "s", {"text": 5}]}
        ).encode(),
        JSON,
    ),
    (
        "/normalize/batch",
        json.dumps({"items": [{"text": "y" * 2001}, {"id": "b", "text": "MIT"}]}).encode(),
        JSON,
    ),
    ("/normalize/batch", b'{"items": []}', JSON),
    ("/resolve", json.dumps({"name": "Ebu Bekr Bağdadi"}).encode(), JSON),
    ("/resolve", json.dumps({"name": "Hasan Kaya", "limit": 1, "lang": "tr"}).encode(), JSON),
    ("/resolve?offsets=utf16", json.dumps({"name": "DEAS", "limit": 3}).encode(), JSON),
    ("/resolve", json.dumps({"name": "zzzz"}).encode(), JSON),
    ("/resolve", b'{"name": "Daesh", "limit": true}', JSON),  # pydantic's lax int, as before
]
HANDED_ON: list[tuple[str, bytes, str | None]] = [  # the lean handler passes these to the FastAPI routes
    ("/normalize?offsets=utf16&x=1", json.dumps({"text": ASTRAL}).encode(), JSON),
    ("/normalize?offsets=codepoint&offsets=utf16", json.dumps({"text": ASTRAL}).encode(), JSON),
    ("/normalize?unrelated=1", json.dumps({"text": TR}).encode(), JSON),
    ("/normalize", b'{"text": 1}', JSON),
    ("/normalize", b'{"text": "x", "lnag": "tr"}', JSON),
    ("/normalize", b'{"text": "x", "lang": "tr\\n"}', JSON),
    ("/normalize", b'["x"]', JSON),
    ("/normalize", b"null", JSON),
    ("/normalize", b'{"text": "x"', JSON),
    ("/normalize", b'{"text": NaN}', JSON),
    ("/normalize", b"[" * 5000 + b"]" * 5000, JSON),
    ("/normalize", b"", JSON),
    ("/normalize", json.dumps({"text": "y" * 2001}).encode(), JSON),
    ("/normalize?offsets=bytes", b'{"text": "x"}', JSON),
    ("/normalize?offsets=", b'{"text": "x"}', JSON),
    ("/normalize/batch", json.dumps({"items": [{"text": "x"}] * 5}).encode(), JSON),
    ("/normalize/batch", b'{"items": "x"}', JSON),
    ("/normalize/batch", b'{"items": [], "extra": 1}', JSON),
    ("/normalize/batch", b"{}", JSON),
    ("/normalize/batch?offsets=x", b'{"items": []}', JSON),
    ("/resolve", b'{"name": ["Daesh"]}', JSON),
    ("/resolve", b'{"name": "Daesh", "limit": 0}', JSON),
    ("/resolve", json.dumps({"name": "x" * 1001}).encode(), JSON),
]
GUARDED: list[tuple[str, bytes, str | None]] = [  # answered by the guard code both paths share
    ("/normalize", b'{"text": "\xff"}', JSON),
    ("/normalize", b'{"text": "x"}', "text/plain"),
    ("/normalize", b'{"text": "x"}', None),
    ("/normalize", json.dumps({"text": "y" * 30_000}).encode(), JSON),
]
OTHER: list[tuple[str, bytes, str | None]] = [("/normalize/", b'{"text": "x"}', JSON)]  # not a hot route


REQUESTS = LEAN + HANDED_ON + GUARDED + OTHER


@pytest.fixture(scope="module")
def norm(tmp_path_factory: pytest.TempPathFactory) -> Normalizer:
    path = tmp_path_factory.mktemp("lean") / "table.yaml"
    path.write_text(TABLE, encoding="utf-8")
    return Normalizer([path], bundled=False, link=False)  # the variant layer's answers, not borrowed names


@pytest.fixture(scope="module")
def clients(norm: Normalizer) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(create_app(norm, **LIMITS), follow_redirects=False) as lean,
        TestClient(create_app(norm, lean=False, **LIMITS), follow_redirects=False) as ref,
    ):
        yield lean, ref


def _post(c: TestClient, path: str, body: bytes, ctype: str | None) -> Any:
    return c.post(path, content=body, headers={"content-type": ctype} if ctype else {})


def test_the_fixture_has_what_the_comparison_needs(norm: Normalizer) -> None:
    """Ambiguous mentions with candidates, variant scores, astral characters before mentions."""
    ms = norm.normalize(TR).mentions
    assert any(m.ambiguous and m.candidates for m in ms) and any(m.method == "variant" for m in ms)
    assert [m.text for m in norm.normalize(ASTRAL).mentions] == ["MİT", "DEAS", "Abu Bakir al Bagdadi"]


@pytest.mark.parametrize(("path", "body", "ctype"), REQUESTS)
def test_lean_answers_byte_for_byte_like_the_fastapi_routes(
    clients: tuple[TestClient, TestClient], path: str, body: bytes, ctype: str | None
) -> None:
    lean, ref = clients
    handler = lean.app.lean  # type: ignore[attr-defined]
    before = handler.handed_on
    got, want = _post(lean, path, body, ctype), _post(ref, path, body, ctype)
    assert handler.handed_on == before + ((path, body, ctype) in HANDED_ON), "answered on the wrong path"
    assert got.status_code == want.status_code
    assert got.content == want.content
    assert got.headers.raw == want.headers.raw
    assert got.headers["x-table-version"]
    if got.status_code >= 400:
        assert got.json()["error"]["code"] and got.status_code < 500


def test_no_request_of_the_set_reached_the_500_handler(clients: tuple[TestClient, TestClient]) -> None:
    for c in clients:
        for path, body, ctype in REQUESTS[:3]:
            assert _post(c, path, body, ctype).status_code == 200
        assert c.app.state.api.unexpected_errors == 0  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------------ JSON
SCORES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1),
    st.sampled_from([0.0, -0.0, 1e-4, 9.99e-5, 1e-5, 1e16, 9.99e15, 0.95, 1 / 3]),
)
MENTION = st.fixed_dictionaries(
    {"text": st.text(), "start": st.integers(0, 10**6), "id": st.none() | st.text(), "score": SCORES},
    optional={"candidates": st.lists(st.fixed_dictionaries({"id": st.text(), "score": SCORES}), max_size=3)},
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MENTION, max_size=6), st.one_of(st.text(), st.integers(), st.none()))
def test_dump_gives_the_bytes_of_json_dumps(mentions: list[dict[str, Any]], rid: Any) -> None:
    """orjson where it writes the same bytes, the stdlib otherwise (exponents, NaN, surrogates, big ints)."""
    obj = {"results": [{"id": rid, "mentions": mentions}]}
    assert dump(obj, mention_floats(mentions)) == json_bytes(obj)
    assert dump(obj, None) == json_bytes(obj)


def test_dump_really_uses_orjson_for_plain_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("orjson")
    obj = {"mentions": [{"text": "DEAŞ", "score": 0.95, "candidates": [{"score": 0.5}]}]}
    want = json_bytes(obj)
    monkeypatch.setattr("api.lean.json_bytes", lambda obj: b"stdlib")
    assert dump(obj, mention_floats(obj["mentions"])) == want
    assert dump(obj, None) == dump(obj, [1e-5]) == dump({"x": "\ud800"}, []) == b"stdlib"


def test_plain_float_is_exactly_where_orjson_and_json_agree() -> None:
    orjson = pytest.importorskip("orjson")
    for x in [0.0, 1e-4, 0.5, 1.0, 12345.678, 9.99e15, 1e-5, 1e16, 2.5e-7, float("nan"), float("inf")]:
        assert plain_float(x) <= (orjson.dumps(x) == json.dumps(x).encode()), x


# ------------------------------------------------------------------------------------------------ inline
class Where(Normalizer):
    """Records whether each call ran on the event loop (inline) or in a worker thread."""

    calls: list[bool]

    def _on_loop(self) -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def normalize(self, text: str, lang: str | None = None, *, explain: bool = False):  # type: ignore[override]
        self.calls.append(self._on_loop())
        return super().normalize(text, lang, explain=explain)

    def resolve(self, name: str, limit: int = 5, lang: str | None = None):  # type: ignore[override]
        self.calls.append(self._on_loop())
        return super().resolve(name, limit=limit, lang=lang)


def test_small_jobs_run_inline_and_large_ones_in_a_thread(tmp_path: Path) -> None:
    """Inline only when the text is short AND has few words that may start a name (the expensive part)."""
    path = tmp_path / "table.yaml"
    path.write_text(TABLE, encoding="utf-8")
    norm = Where([path], bundled=False)
    norm.calls = []
    small = "ISIS ve MİT. " * 3  # 39 characters, 6 name-like words
    large = "ISIS ve MİT. " * 200  # over inline_chars
    dense = "Isis Ve Mit " * 22  # 264 characters, but 66 name-like words (over INLINE_NAMES)
    arabic = "داعش " * 70  # caseless script: every word may be a name
    lower = "isis ve mit. " * 70  # 910 characters, no name-like word
    assert name_words([small]) == 6 and name_words([dense]) == 66 and name_words([lower]) == 0
    assert name_words([arabic]) == 70 > INLINE_NAMES >= 10 * name_words([small])
    app = create_app(norm, inline_chars=1_000)
    norm.calls = []  # (create_app warmed the Normalizer, off the loop)
    with TestClient(app) as c:
        for path_, body in [
            ("/normalize", {"text": small}),
            ("/normalize", {"text": large}),
            ("/normalize", {"text": dense}),
            ("/normalize", {"text": arabic}),
            ("/normalize", {"text": lower}),
            ("/normalize/batch", {"items": [{"text": small}] * 2}),
            ("/normalize/batch", {"items": [{"text": small}] * 11}),  # 429 characters, 66 name-like words
            ("/resolve", {"name": "Ebu Bekir"}),
            ("/resolve", {"name": "Ebu Bekir el-Bağdadi " * 3}),
        ]:
            assert c.post(path_, json=body).status_code == 200
    assert norm.calls == [True, False, False, False, True] + [True] * 2 + [False] * 11 + [True, False]
    apps = [create_app(norm, inline_chars=0), create_app(norm, lean=False)]
    norm.calls = []
    with TestClient(apps[0]) as c:  # 0: always a thread
        assert c.post("/normalize", json={"text": "ISIS"}).status_code == 200
    with TestClient(apps[1]) as c:  # the FastAPI routes: always a thread
        assert c.post("/normalize", json={"text": "ISIS"}).status_code == 200
    assert norm.calls == [False, False]


# ------------------------------------------------------------------------------------------------ slow bodies
@pytest.mark.parametrize("lean", [True, False])
@pytest.mark.parametrize("path", ["/normalize", "/admin/reload"])
def test_a_body_that_never_arrives_gets_408(
    norm: Normalizer, monkeypatch: pytest.MonkeyPatch, lean: bool, path: str
) -> None:
    monkeypatch.setattr("api.middleware.BODY_TIMEOUT", 0.2)
    app = create_app(norm, lean=lean)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(30)  # headers came, the body never does
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "http_version": "1.1",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"20")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def run() -> None:
        await asyncio.wait_for(app(scope, receive, send), 10)

    asyncio.run(run())
    assert sent[0]["status"] == 408
    assert (b"x-table-version", norm.version.encode()) in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["error"]["code"] == "request_timeout"


def test_a_big_body_is_parsed_off_the_loop_with_the_same_answer(norm: Normalizer) -> None:
    items = [{"id": i, "text": (TR + " ") * 16} for i in range(100)] + [{"id": "bad", "text": None}]
    body = json.dumps({"items": items}).encode()
    assert len(body) > 64 * 1024
    with (
        TestClient(create_app(norm)) as lean,
        TestClient(create_app(norm, lean=False)) as ref,
    ):
        got = _post(lean, "/normalize/batch", body, JSON)
        assert lean.app.lean.handed_on == 0  # type: ignore[attr-defined]
        assert got.status_code == 200 and got.content == _post(ref, "/normalize/batch", body, JSON).content
        assert (
            len(got.json()["results"]) == 101
            and got.json()["results"][-1]["error"]["code"] == "validation_error"
        )


def test_a_big_body_the_lean_path_refuses_is_answered_off_the_loop(
    norm: Normalizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big body that is not valid JSON, or not valid for the route, is parsed again by the FastAPI routes to
    word the error: that happens in a worker thread too (on the loop, a 6 MB body stalled it ~0.1 s), with
    the same answer, byte for byte."""
    import threading

    import api.errors

    threads: list[str] = []
    original = api.errors.error_response

    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(api.errors, "error_response", recording)
    items = [{"id": i, "text": (TR + " ") * 16} for i in range(100)]
    good = json.dumps({"items": items}).encode()
    assert len(good) > 64 * 1024
    bodies = [
        ("/normalize/batch", good[:-1]),  # invalid JSON
        ("/normalize/batch", good[:-1] + b', "extra": 1}'),  # an unknown field
        ("/normalize", json.dumps({"text": TR * 2000, "lang": "Turkish"}).encode()),
    ]
    with (
        TestClient(create_app(norm)) as lean,
        TestClient(create_app(norm, lean=False)) as ref,
    ):
        for path, body in bodies:
            threads.clear()
            got = _post(lean, path, body, JSON)
            assert threads == ["AnyIO worker thread"], (path, threads)  # worded off the event loop
            want = _post(ref, path, body, JSON)
            assert 400 <= got.status_code < 500 and got.status_code == want.status_code
            assert got.content == want.content and got.headers == want.headers

