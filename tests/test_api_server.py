"""The HTTP API against a real ``normalizer serve`` process on a free loopback port: real sockets, real
uvicorn, chunked and lying bodies, reload under load (zero failures), several workers, bundled tables."""

from __future__ import annotations

import http.client
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
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


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_requests_that_are_not_http_get_a_json_400(tmp_path: Path, parser: str) -> None:
    srv = start(tmp_path, "--tables", str(FIXTURE), "--no-bundled", "--http", parser)
    try:
        for head in [b"GARBAGE\r\n\r\n", b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"]:
            status, body = raw_request(srv.port, head)
            assert (status, body["error"]["code"]) == (400, "bad_request"), head[:40]
        # headers that never end: refused past 64 KB (h11: 16 KB) instead of piling up until the timeout
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000)
            resp = http.client.HTTPResponse(s)
            resp.begin()
            assert resp.status == 400 and json.loads(resp.read())["error"]["code"] == "bad_request"
        assert httpx.get(srv.url + "/health").status_code == 200
    finally:
        srv.stop()


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
        # one keep-alive client, one request after the other: no 40 ms delayed-ACK wait per answer (the
        # workers' sockets had no TCP_NODELAY: p50 44 ms, against ~1 ms with one worker)
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            latencies = []
            for _ in range(30):
                t0 = time.perf_counter()
                assert client.post("/normalize", json={"text": "ISIS"}).status_code == 200
                latencies.append(time.perf_counter() - t0)
        assert statistics.median(latencies) < 0.03, sorted(latencies)
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


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # inline_chars far above the default: the name-word bound alone must keep heavy texts off the loop
    srv = start(tmp_path_factory.mktemp("api_bundled"), "--inline-chars", "100000")
    yield srv
    srv.stop()


def test_bundled_tables_load(bundled_server: Server) -> None:
    h = httpx.get(bundled_server.url + "/health").json()
    assert h["entities"] > 0 and h["aliases"] > 0


def _capitalised_text(seed: int, chars: int = 20_000) -> str:
    """Capitalised words that are no known name: each goes through the variant and fuzzy passes (the
    expensive part of matching: 20,000 characters of them cost ~0.1 s)."""
    rng = random.Random(seed)
    syllables = ["ka", "ro", "mel", "tan", "vur", "dis", "po", "len", "sar", "qui", "bel", "nor"]
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append("".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize())
    return " ".join(words)[:chars]


def test_health_stays_responsive_while_clients_send_heavy_texts(bundled_server: Server) -> None:
    """Heavy texts are matched in worker threads, never on the event loop, whatever --inline-chars says:
    with 4 clients posting 20,000 characters of unknown capitalised words (the first requests right after
    start), /health keeps answering.  With the length bound alone: p50 322 ms (and 5.9 s for 2,000-character
    texts before the name-layer rewrite); now ~35 ms on a loaded 2-core machine (the bound is generous)."""
    stop = threading.Event()
    statuses: list[int] = []

    def heavy(seed: int) -> None:
        with httpx.Client(base_url=bundled_server.url, timeout=120) as client:
            i = 0
            while not stop.is_set():
                r = client.post("/normalize", json={"text": _capitalised_text(seed * 1000 + i)})
                statuses.append(r.status_code)
                i += 1

    threads = [threading.Thread(target=heavy, args=(k,), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    latencies: list[float] = []
    busy = 0
    try:
        with httpx.Client(base_url=bundled_server.url, timeout=30) as client:
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                r = client.get("/health")
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == 200
                busy = max(busy, r.json()["in_flight"])
                time.sleep(0.02)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert busy >= 1, "the heavy clients were not being served meanwhile"
    assert statistics.median(latencies) < 0.25, sorted(latencies)
    assert statuses and set(statuses) == {200}


def _state_of(sock: socket.socket) -> str:
    """'open', 'closed', or the start of what the server sent before closing."""
    sock.setblocking(False)
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return "open"
    except OSError:
        return "closed"
    return "closed" if not data else data[:12].decode("latin-1")


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_slow_and_idle_clients_cannot_starve_others(tmp_path: Path, parser: str) -> None:
    """200 idle connections and 50 clients sending their headers a byte at a time (slowloris), against a limit
    of 64 connections: other clients are served all along; idle connections are closed to make room and
    after the keep-alive timeout, and slow headers get a JSON 408 after the header timeout (before: all 250
    were still open after 15 s, and nothing bounded them)."""
    srv = start(
        tmp_path, "--tables", str(FIXTURE), "--no-bundled", "--header-timeout", "1.5",
        "--keep-alive-timeout", "1", "--max-connections", "64", "--http", parser,
    )  # fmt: skip
    idle: list[socket.socket] = []
    slow: list[socket.socket] = []
    try:
        idle = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(200)]
        slow = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(50)]
        head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 1000
        latencies = []
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            for i in range(30):  # ~3 s
                for s in slow:
                    try:
                        s.send(head[i : i + 1])
                    except OSError:
                        pass
                t0 = time.perf_counter()
                r = client.post("/normalize", json={"text": "ISIS"}, headers={"connection": "close"})
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == 200 and r.json()["mentions"][0]["id"] == "org:isis"
                time.sleep(0.1)
        assert statistics.median(latencies) < 0.25, sorted(latencies)
        deadline = time.monotonic() + 10
        states: list[str] = []
        while time.monotonic() < deadline:
            states = [_state_of(s) for s in idle + slow]
            if "open" not in states:
                break
            time.sleep(0.2)
        assert all(st == "closed" for st in states[:200]), Counter(states[:200])
        slow_states = Counter(states[200:])
        assert set(slow_states) <= {"closed", "HTTP/1.1 408"} and slow_states["HTTP/1.1 408"] > 0, slow_states
    finally:
        for s in idle + slow:
            s.close()
        srv.stop()


def test_a_client_that_stops_reading_its_answer_is_dropped(tmp_path: Path) -> None:
    """An answer that the client stops reading is abandoned after --write-timeout seconds without progress
    (before: the connection and the unsent answer stayed as long as the client liked); others are served."""
    srv = start(tmp_path, "--tables", str(FIXTURE), "--no-bundled", "--write-timeout", "1")
    try:
        item = {"text": "ISIS ve Daesh. " * 66, "explain": True}  # a big answer (~40 KB), quickly matched
        body = json.dumps({"items": [{"id": i, **item} for i in range(150)]}).encode()
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(60)
            s.connect(("127.0.0.1", srv.port))
            s.sendall(
                b"POST /normalize/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            got = s.recv(4096)  # the answer began (it is several MB: the buffers fill up)
            assert got.startswith(b"HTTP/1.1 200")
            head = got.split(b"\r\n\r\n")[0].lower()
            length = int(head.split(b"content-length:")[1].split(b"\r\n")[0])
            time.sleep(4)  # stop reading, past the write timeout
            assert httpx.get(srv.url + "/health", timeout=10).status_code == 200
            s.settimeout(10)
            try:
                while chunk := s.recv(1 << 20):
                    got += chunk
            except ConnectionResetError:
                pass
        assert length > 3_000_000
        assert len(got) < length, "the whole answer waited for the client"
    finally:
        srv.stop()


def test_a_full_server_answers_json_503_and_recovers(tmp_path: Path) -> None:
    """When every connection has a request in progress (bodies still arriving), a new request gets a JSON
    503 ``overloaded`` at once instead of waiting; once they finish, requests are served again."""
    srv = start(tmp_path, "--tables", str(FIXTURE), "--no-bundled", "--max-connections", "4")
    busy: list[socket.socket] = []
    try:
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(
                b"POST /normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 16\r\n\r\n{"text": '
            )
            busy.append(s)
        deadline = time.monotonic() + 20  # until the server has read the 4 requests' headers
        while (r := httpx.get(srv.url + "/health", timeout=10)).status_code == 200:
            assert time.monotonic() < deadline, "never answered 503 with every connection busy"
            time.sleep(0.05)
        assert r.status_code == 503 and r.json()["error"]["code"] == "overloaded"
        assert r.headers["retry-after"] == "1"
        for s in busy:
            s.sendall(b'"ISIS"}')
            resp = http.client.HTTPResponse(s)
            resp.begin()
            assert resp.status == 200 and json.loads(resp.read())["mentions"][0]["id"] == "org:isis"
        assert httpx.get(srv.url + "/health", timeout=10).status_code == 200
    finally:
        for s in busy:
            s.close()
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
