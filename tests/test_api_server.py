"""The HTTP API against a real ``normalizer serve`` process on a free loopback port: real sockets, real
uvicorn, chunked and lying bodies, reload under load (zero failures), several workers, bundled tables."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "api_table.yaml"
NEW_ENTITY = """
  - id: org:new-group
    type: organization
    name: Example Brigade
    aliases: [Brigade Example]
"""
pytestmark = pytest.mark.slow


class Server:
    def __init__(self, args: Sequence[str], tmp: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (tmp / f"server-{self.port}.log").open("w+b")
        cmd = [
            sys.executable,
            "-m",
            "normalizer",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *args,
        ]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                r = httpx.get(self.url + "/health", timeout=2)
                if r.status_code == 200:
                    return r.json()
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server not ready within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.log.close()


def start(tmp: Path, *args: str) -> Server:
    server = Server(args, tmp)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture()
def table(tmp_path: Path) -> Path:
    path = tmp_path / "api_table.yaml"
    shutil.copy(FIXTURE, path)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("api_server")
    srv = start(
        tmp,
        "--tables",
        str(FIXTURE),
        "--no-bundled",
        "--max-body-bytes",
        "3000000",
        "--max-batch-items",
        "2000",
    )
    yield srv
    srv.stop()


def raw_request(port: int, head: bytes, body: bytes = b"") -> tuple[int, dict[str, Any]]:
    """Send bytes as they are (no client-side fixing of headers) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head + body)
        resp = http.client.HTTPResponse(s)
        resp.begin()
        return resp.status, json.loads(resp.read())


def test_normalize_and_lookups_over_http(server: Server) -> None:
    text = "😀𝔘 MİT'in Daesh operasyonu Türkiye'de."
    r = httpx.post(server.url + "/normalize?offsets=utf16", json={"text": text, "lang": "tr"})
    assert r.status_code == 200
    mentions = r.json()["mentions"]
    assert [m["id"] for m in mentions] == ["org:mit-turkey", "org:isis", "loc:turkey"]
    utf16 = text.encode("utf-16-le")
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["text"]
        assert utf16[2 * m["start_utf16"] : 2 * m["end_utf16"]].decode("utf-16-le") == m["text"]
    health = httpx.get(server.url + "/health").json()
    assert r.headers["x-table-version"] == health["version"] and health["entities"] == 5
    assert httpx.get(server.url + "/entities/org:isis").json()["aliases"]["tr"] == ["DEAŞ", "IŞİD"]
    missing = httpx.get(server.url + "/entities/org:none")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (
        httpx.post(server.url + "/resolve", json={"name": "Deas"}).json()["candidates"][0]["id"] == "org:isis"
    )
    assert httpx.get(server.url + "/docs").status_code == 200


def test_batch_isolation_over_http(server: Server) -> None:
    items = [{"id": "a", "text": "Syrien"}, {"id": "b", "text": None}, {"id": "c", "text": "IŞİD"}]
    res = httpx.post(server.url + "/normalize/batch", json={"items": items}).json()["results"]
    assert [r["id"] for r in res] == ["a", "b", "c"]
    assert res[0]["mentions"][0]["id"] == "loc:syria" and res[2]["mentions"][0]["id"] == "org:isis"
    assert res[1]["error"]["code"] == "validation_error"


def test_bad_bodies_on_the_wire(server: Server) -> None:
    head = (
        b"POST /normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunk = b"a" * 100_000
    chunks = b'A\r\n{"text": "\r\n' + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40))
    status, body = raw_request(server.port, head, chunks + b"0\r\n\r\n")
    assert (status, body["error"]["code"]) == (413, "body_too_large")
    # a declared length over the limit is refused before the body is read
    status, body = raw_request(
        server.port,
        b"POST /normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
        b"\r\nContent-Length: 50000000\r\nConnection: close\r\n\r\n",
        b'{"text": "',
    )
    assert (status, body["error"]["code"]) == (413, "body_too_large")
    for payload, code in [
        (b'{"text": "\xc3\x28"}', "invalid_utf8"),
        (b'{"text": }', "invalid_json"),
        (b'{"text": "x", "langg": "tr"}', "validation_error"),
    ]:
        r = httpx.post(
            server.url + "/normalize", content=payload, headers={"content-type": "application/json"}
        )
        assert r.json()["error"]["code"] == code and 400 <= r.status_code < 500
        assert r.headers["x-table-version"]
    assert httpx.get(server.url + "/health").status_code == 200


def test_over_limit_bodies_get_their_413_even_from_clients_that_send_everything_first(tmp_path: Path) -> None:
    """A client that sends its whole body before reading (``Connection: close``) gets its 413.

    The server used to answer an over-limit body and close the socket with the rest of the body unread; the
    kernel then resets the connection and the client, still sending, got ConnectionResetError instead of its
    answer (every time with a small limit).  Now the rest is read and discarded (bounded) before the response
    ends."""
    srv = start(tmp_path, "--tables", str(FIXTURE), "--no-bundled", "--max-body-bytes", "1000")
    try:
        chunk = b"a" * 100_000
        body = b'{"text": "' + chunk * 40 + b'"}'
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40)) + b"0\r\n\r\n"
        head = (
            b"POST /normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        )
        for _ in range(8):
            for extra, payload in [
                (b"Transfer-Encoding: chunked\r\n", chunked),
                (b"Content-Length: %d\r\n" % len(body), body),
            ]:
                status, answer = raw_request(srv.port, head + extra + b"\r\n", payload)
                assert (status, answer["error"]["code"]) == (413, "body_too_large")
        # with keep-alive the connection survives a refused body
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        try:
            conn.request("POST", "/normalize", body=body, headers={"Content-Type": "application/json"})
            refused = conn.getresponse()
            assert refused.status == 413 and json.loads(refused.read())["error"]["code"] == "body_too_large"
            conn.request(
                "POST", "/normalize", body=b'{"text": "ISIS"}', headers={"Content-Type": "application/json"}
            )
            ok = conn.getresponse()
            assert ok.status == 200 and json.loads(ok.read())["mentions"][0]["id"] == "org:isis"
        finally:
            conn.close()
    finally:
        srv.stop()


def test_health_answers_while_a_large_batch_is_matched(server: Server) -> None:
    paragraph = "Daesh ve MİT, Türkiye ve Suriye sınırında; ISIS in Syria, MIT in Turkey. " * 14
    items = [{"id": i, "text": paragraph} for i in range(800)]
    done = threading.Event()
    out: dict[str, Any] = {}

    def big() -> None:
        out["r"] = httpx.post(server.url + "/normalize/batch", json={"items": items}, timeout=120)
        done.set()

    threading.Thread(target=big, daemon=True).start()
    seen_busy = False
    with httpx.Client(base_url=server.url, timeout=30) as client:
        while not done.is_set():
            h = client.get("/health").json()
            seen_busy = seen_busy or (h["in_flight"] >= 1 and not done.is_set())
            time.sleep(0.005)
    assert done.wait(120) and out["r"].status_code == 200 and len(out["r"].json()["results"]) == 800
    assert seen_busy, "/health never answered while the batch was being matched"


def test_reload_under_load_has_zero_failures(table: Path, tmp_path: Path) -> None:
    srv = start(tmp_path, "--tables", str(table), "--no-bundled", "--allow-reload")
    try:
        original = table.read_text(encoding="utf-8")
        stop = threading.Event()
        failures: list[str] = []
        seen: dict[str, set[bool]] = {}

        def load() -> None:
            with httpx.Client(base_url=srv.url, timeout=30) as client:
                while not stop.is_set():
                    try:
                        r = client.post("/normalize", json={"text": "Daesh and Example Brigade"})
                        ids = [m["id"] for m in r.json()["mentions"]] if r.status_code == 200 else []
                        if r.status_code != 200 or ids[0] != "org:isis":
                            failures.append(f"{r.status_code} {r.text[:200]}")
                        seen.setdefault(r.headers["x-table-version"], set()).add("org:new-group" in ids)
                    except Exception as exc:  # noqa: BLE001 - every failure counts
                        failures.append(repr(exc))

        threads = [threading.Thread(target=load) for _ in range(3)]
        for t in threads:
            t.start()
        versions = []
        for i in range(8):
            table.write_text(original + (NEW_ENTITY if i % 2 == 0 else ""), encoding="utf-8")
            r = httpx.post(srv.url + "/admin/reload", timeout=30)
            assert r.status_code == 200, r.text
            versions.append(r.json()["version"])
            time.sleep(0.05)
        table.write_text(original + "  - id: bad\n", encoding="utf-8")
        bad = httpx.post(srv.url + "/admin/reload", timeout=30)
        time.sleep(0.1)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert failures == []
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "table_error"
        assert httpx.get(srv.url + "/health").json()["version"] == versions[-1]
        assert len(set(versions)) == 2 and set(seen) >= set(versions)
        assert all(len(flags) == 1 for flags in seen.values()), "one version gave two different answers"
    finally:
        srv.stop()


def test_two_workers_follow_a_reload(table: Path, tmp_path: Path) -> None:
    srv = start(tmp_path, "--tables", str(table), "--no-bundled", "--allow-reload", "--workers", "2")
    try:
        old = httpx.get(srv.url + "/health").json()["version"]
        table.write_text(table.read_text(encoding="utf-8") + NEW_ENTITY, encoding="utf-8")
        new = httpx.post(srv.url + "/admin/reload", timeout=30).json()["version"]
        assert new != old
        pids: dict[int, str] = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (len(pids) == 2 and set(pids.values()) == {new}):
            h = httpx.get(srv.url + "/health", headers={"connection": "close"}).json()
            pids[h["pid"]] = h["version"]
            time.sleep(0.02)
        assert len(pids) == 2 and set(pids.values()) == {new}, pids
    finally:
        srv.stop()


def test_bundled_tables_load(tmp_path: Path) -> None:
    srv = start(tmp_path)
    try:
        h = httpx.get(srv.url + "/health").json()
        assert h["entities"] > 0 and h["aliases"] > 0
    finally:
        srv.stop()


def test_access_log_is_off_unless_asked_for(tmp_path: Path) -> None:
    for flags, logged in [((), False), (("--access-log",), True)]:
        srv = start(tmp_path, "--tables", str(FIXTURE), "--no-bundled", *flags)
        try:
            assert httpx.post(srv.url + "/normalize", json={"text": "ISIS"}).status_code == 200
            time.sleep(0.2)
            assert ('"POST /normalize HTTP/1.1" 200' in srv.output()) == logged, srv.output()
        finally:
            srv.stop()


def test_serve_refuses_invalid_tables(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - id: x\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "normalizer", "serve", "--tables", str(bad), "--no-bundled"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "bad.yaml:2" in proc.stderr
