"""Load test of the HTTP API on 127.0.0.1: starts ``normalizer serve`` itself (1 and 2 workers), sends
``POST /normalize`` with ~1 KB news paragraphs (EN and TR) at 1, 8 and 64 concurrent clients, and compares with
the library's in-process throughput on the same paragraphs (measured before and after the HTTP levels, in the
same run).  With ``--compare`` two servers take turns level by level: one with ``--no-lean`` (every route
through FastAPI and its thread pool, as before the lean handlers) and one as it is (``--servers`` for more).
Bounded: each level stops after ``--seconds`` or ``--max-requests``, whichever comes first.  Appends a dated
Markdown section to benchmarks/results/loadtest.md (``--out``).

    python benchmarks/loadtest.py --compare           # bundled tables, workers 1 and 2, clients 1/8/64
    python benchmarks/loadtest.py --seconds 3 --workers 1 --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "loadtest.md"

PARAGRAPHS = [
    (
        "en",
        "Turkish intelligence (MIT) said on Tuesday that it had detained a senior Islamic State operative in "
        "a joint operation with police in Istanbul, after months of surveillance along the border with Syria. "
        "According to Anadolu Agency, the suspect had travelled from Idlib through Hatay and was planning attacks "
        "in Ankara. Officials said the cell was linked to ISIS networks in Iraq and had received money transfers "
        "from Gaziantep. The United Nations has repeatedly warned that Daesh remnants in the desert east of Deir "
        "ez-Zor are regrouping, while the Syrian Democratic Forces still hold thousands of detainees in camps such "
        "as al-Hol. Türkiye considers the YPG, the backbone of the SDF, an extension of the PKK. "
        "Interior Minister officials added that three other suspects were caught in Mersin and Adana, and "
        "that evidence seized in the raids pointed to contacts with Hayat Tahrir al-Sham and the Iraqi militia.",
    ),
    (
        "en",
        "The Syrian National Army, backed by Ankara, clashed with SDF fighters near Manbij overnight, a war "
        "monitor said. The Syrian Observatory for Human Rights reported at least twelve dead. In Damascus, the "
        "foreign ministry condemned what it called a violation of Syrian sovereignty, while Russia urged restraint. "
        "Iraqi officials in Baghdad said they were watching the situation closely, fearing that Islamic State "
        "cells could exploit the chaos. NATO allies have asked Türkiye to coordinate with the US-led coalition. "
        "Hayat Tahrir al-Sham, which controls much of Idlib province, has not commented on the fighting so far, "
        "and the Kurdistan Regional Government in Erbil called for calm in a short statement on Wednesday. "
        "Aid agencies, including the Turkish Red Crescent and the World Food Programme, said convoys to Aleppo "
        "and Raqqa had been suspended until the roads near Kobani were safe again.",
    ),
    (
        "tr",
        "Millî İstihbarat Teşkilatı (MİT), DEAŞ'ın sözde yöneticilerinden birini Suriye'de düzenlediği "
        "operasyonla yakaladı. Anadolu Ajansı'nın haberine göre şüpheli, Türkiye'ye getirilerek Ankara'da "
        "tutuklandı. Güvenlik kaynakları, örgütün Irak ve Suriye'deki yapılanmasını çözmek için çalışmaların "
        "sürdüğünü belirtti. İçişleri Bakanlığı, İstanbul ve Gaziantep'te eş zamanlı operasyonlarda on iki "
        "şüphelinin gözaltına alındığını açıkladı. PKK/YPG'nin Tel Rıfat ve Münbiç'teki varlığına da dikkat "
        "çeken yetkililer, sınır hattındaki tedbirlerin artırıldığını söyledi. Birleşmiş Milletler ise bölgedeki "
        "insani durumun kötüleştiği uyarısında bulundu ve Halep çevresindeki kamplara yardım çağrısı yaptı. "
        "Emniyet Genel Müdürlüğü, yakalanan şüphelilerin Hatay ve Şanlıurfa üzerinden sınırı geçmeye "
        "çalıştığını, örgütün finans ağının Mersin'deki döviz bürolarına uzandığını bildirdi.",
    ),
    (
        "tr",
        "Türk Silahlı Kuvvetleri, Fırat Kalkanı Harekâtı bölgesinde terör örgütü DEAŞ'a yönelik yeni bir "
        "operasyon başlattı. Milli Savunma Bakanlığı'nın açıklamasına göre El Bab ve Cerablus çevresinde "
        "mevziler ele geçirildi. Suriye Milli Ordusu unsurlarının da katıldığı harekâtta, IŞİD militanlarının "
        "kullandığı tüneller imha edildi. Açıklamada, Irak'ın kuzeyindeki Kandil ve Sincar bölgelerinde PKK'ya "
        "karşı hava harekâtının sürdüğü de belirtildi. Dışişleri Bakanlığı, Şam yönetimi ile Rusya'nın "
        "açıklamalarını değerlendirirken, NATO müttefiklerine terörle mücadelede dayanışma çağrısında bulundu. "
        "Hatay ve Kilis valilikleri sınır kapılarında ek güvenlik önlemleri alındığını duyurdu. "
        "Anadolu Ajansı'na konuşan kaynaklar, operasyonda MİT ile Jandarma Genel Komutanlığı'nın "
        "ortak çalıştığını ve ele geçirilen belgelerin Bağdat yönetimiyle paylaşılacağını söyledi.",
    ),
]
SERVERS = {  # settings of `normalizer serve` to compare
    "no-lean": [
        "--no-lean"
    ],  # every route through FastAPI, matching in its thread pool (before the lean handlers)
    "lean": [],  # as served now
    "lean-thread": ["--inline-chars", "0"],  # lean handlers, but every job in the thread pool
    "lean-inline": ["--inline-chars", "100000000"],  # lean handlers, every job on the event loop
}
EXPECTED_IDS: list[list[str | None]] = []  # per paragraph, from the library in-process
START_TIMEOUT = 180  # seconds: each worker loads and warms the tables before it answers (slow on a loaded machine)
LOAD_AT_START = os.getloadavg()[0]
CPU_AVAILABLE = 0.0


@dataclass
class Level:
    workers: int
    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    client_cpu: float  # fraction of one core used by this load generator
    server_cpu: float  # fraction of one core used by the server processes
    batch: int = 0  # 0: POST /normalize; n: POST /normalize/batch with n paragraphs; -1: empty texts
    server: str = "lean"  # "lean" or "no-lean" (every route through FastAPI, as before the lean handlers)
    load: float = 0.0  # 1-minute load average when the level started
    big_chars: int = 0  # > 0: one more client posted texts of this many characters meanwhile
    big_done: int = 0  # its answered requests

    @property
    def texts(self) -> int:  # (an empty text counts as one)
        return self.requests * max(self.batch, 1)  # the big client's texts are not counted

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU time per text (independent of other load on the machine)."""
        return self.server_cpu * self.seconds / self.texts * 1000 if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def tps(self) -> float:
        return self.texts / self.seconds if self.seconds else 0.0


SPIN = (
    "import time\nt, c = time.perf_counter(), time.process_time()\n"
    "while time.perf_counter() - t < 1.0: pass\nprint(time.process_time() - c)"
)


def cpu_available() -> float:
    """Cores this machine really gives us now: one busy-loop process per core for 1 s, CPU seconds summed."""
    procs = [
        subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
        for _ in range(os.cpu_count() or 1)
    ]
    return sum(float(p.communicate()[0]) for p in procs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime+stime of a process and its direct children (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def start_server(
    workers: int, table_args: list[str], extra: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "normalizer",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        *extra,
        *table_args,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise TimeoutError(f"server did not start within {START_TIMEOUT} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def _check(content: bytes, j: int, batch: int) -> bool:
    """The full answer equals the library's ids (paragraph j, or a batch starting at paragraph j)."""
    if batch == 0:
        return [m["id"] for m in json.loads(content)["mentions"]] == EXPECTED_IDS[j]
    got = [[m["id"] for m in item["mentions"]] for item in json.loads(content)["results"]]
    return got == [EXPECTED_IDS[(j + i) % len(PARAGRAPHS)] for i in range(batch)]


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on one connection (pre-encoded requests, Content-Length answers):
    it costs the shared CPU far less than httpx, so more of the machine is left to the server."""

    def __init__(self, url: str, timeout: float = 10) -> None:
        self.host, self.port = url.removeprefix("http://").split(":")
        self.timeout = timeout
        self.conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = await asyncio.open_connection(self.host, int(self.port))
        reader, writer = self.conn
        try:
            writer.write(
                b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (path.encode(), self.host.encode(), len(body))
                + body
            )
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.timeout)
            at = head.lower().find(b"\r\ncontent-length:")
            if at < 0:
                raise ConnectionError("answer without Content-Length")
            length = int(head[at + 17 : head.index(b"\r\n", at + 2)])
            return int(head[9:12]), await asyncio.wait_for(reader.readexactly(length), self.timeout)
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self.conn is not None:
            self.conn[1].close()
            self.conn = None


class HttpxClient:
    """The same interface over httpx (one connection per client)."""

    def __init__(self, url: str, timeout: float = 10) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.client = httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout)

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        r = await self.client.post(path, content=body, headers={"content-type": "application/json"})
        return r.status_code, r.content

    async def aclose(self) -> None:
        await self.client.aclose()


async def run_level(
    url: str,
    clients: int,
    seconds: float,
    max_requests: int,
    warmup: float,
    server_pid: int,
    workers: int,
    batch: int = 0,
    client_kind: str = "raw",
    big: int = 0,
) -> Level:
    """Closed loop: each virtual client has its own connection and sends the next request when the last one
    is answered.  Every answer must be 200 with mentions; every 20th is parsed fully and compared with the
    library's answer."""
    n = len(PARAGRAPHS)
    if batch < 0:  # empty texts: the HTTP cost alone
        path, prefix = "/normalize", b'{"mentions":[]}'
        bodies = [b'{"text": ""}']
    elif batch:
        path, prefix = "/normalize/batch", b'{"results":[{"id":0,"mentions":[{'
        bodies = [
            json.dumps(
                {
                    "items": [
                        {"id": i, "text": PARAGRAPHS[(j + i) % n][1], "lang": PARAGRAPHS[(j + i) % n][0]}
                        for i in range(batch)
                    ]
                }
            ).encode()
            for j in range(n)
        ]
    else:
        path, prefix = "/normalize", b'{"mentions":[{'
        bodies = [json.dumps({"text": text, "lang": lang}).encode() for lang, text in PARAGRAPHS]
    latencies: list[float] = []
    errors = 0
    sent = 0

    async def worker(client: RawClient | HttpxClient, i: int, until: float, record: bool) -> None:
        nonlocal errors, sent
        k = i
        while time.monotonic() < until and (not record or sent < max_requests):
            sent += record
            j = k % len(bodies)
            t0 = time.perf_counter()
            try:
                status, content = await client.post(path, bodies[j])
                ok = status == 200 and content.startswith(prefix)
                if ok and k % 20 == 0 and batch >= 0:
                    ok = _check(content, j, batch)
            except (httpx.HTTPError, OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
                ok = False
            if record:
                latencies.append(time.perf_counter() - t0)
                errors += not ok
            k += 1

    big_done = 0

    async def big_worker(until: float) -> None:
        """One more client posting a big text (``big`` characters) again and again, not in the latencies."""
        nonlocal big_done, errors
        text = " ".join(t for _, t in PARAGRAPHS)
        body = json.dumps({"text": (text * (big // len(text) + 1))[:big]}).encode()
        client = RawClient(url, timeout=60)
        try:
            while time.monotonic() < until:
                status, _ = await client.post("/normalize", body)
                big_done += 1
                errors += status != 200
        finally:
            await client.aclose()

    load = os.getloadavg()[0]
    kind = RawClient if client_kind == "raw" else HttpxClient
    pool = [kind(url) for _ in range(clients)]
    try:
        await asyncio.gather(*(worker(c, i, time.monotonic() + warmup, False) for i, c in enumerate(pool)))
        cpu0, scpu0, t0 = time.process_time(), cpu_seconds(server_pid), time.perf_counter()
        until = time.monotonic() + seconds
        extra = [big_worker(until)] if big else []
        await asyncio.gather(*(worker(c, i, until, True) for i, c in enumerate(pool)), *extra)
        elapsed = time.perf_counter() - t0
        cpu, scpu = time.process_time() - cpu0, cpu_seconds(server_pid) - scpu0
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return Level(
        workers,
        clients,
        len(latencies),
        errors,
        elapsed,
        q[49] * 1000,
        q[98] * 1000,
        cpu / elapsed,
        scpu / elapsed,
        batch,
        load=load,
        big_chars=big,
        big_done=big_done,
    )


def library_throughput(table_args: list[str], seconds: float) -> tuple[float, float, int, str]:
    """calls/s and CPU ms/call of Normalizer.normalize on the same paragraphs, in this process, one thread."""
    from normalizer import Normalizer

    tables = table_args[table_args.index("--tables") + 1 :] if "--tables" in table_args else []
    tables = [t for t in tables if not t.startswith("--")]
    n = Normalizer(tables, bundled="--no-bundled" not in table_args)
    for lang, text in PARAGRAPHS:
        n.normalize(text, lang)
    calls, t0, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        for lang, text in PARAGRAPHS:
            n.normalize(text, lang)
        calls += len(PARAGRAPHS)
    rate, cpu_ms = calls / (time.perf_counter() - t0), (time.process_time() - cpu0) / calls * 1000
    EXPECTED_IDS[:] = [[m.id for m in n.normalize(text, lang).mentions] for lang, text in PARAGRAPHS]
    return rate, cpu_ms, sum(map(len, EXPECTED_IDS)), n.version


def report(
    levels: list[Level],
    lib: list[tuple[float, float]],
    mentions: int,
    version: str,
    args: argparse.Namespace,
) -> str:
    """A dated Markdown section: the run's setting, the library anchors and one row per level."""
    size = statistics.mean(len(t.encode()) for _, t in PARAGRAPHS)
    lib_rate = statistics.mean(rate for rate, _ in lib)
    lib_cpu = statistics.mean(cpu for _, cpu in lib)
    anchors = " and ".join(f"{rate:,.0f} calls/s ({cpu:.2f} ms CPU/call)" for rate, cpu in lib)
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M')}: {args.label}"
        if args.label
        else f"## {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"`{' '.join(['python', 'benchmarks/loadtest.py', *sys.argv[1:]])}` on {platform.node() or 'localhost'}: "
        f"{os.cpu_count()} cores (a busy loop per core got {CPU_AVAILABLE:.2f} cores in total just before the "
        f"run), Python {platform.python_version()}, tables {version}, client and server on the same machine "
        "(127.0.0.1), shared with other jobs: see the load average per level.",
        "",
        f"Requests: `POST /normalize` (and `POST /normalize/batch`) with {len(PARAGRAPHS)} news paragraphs (EN and "
        f"TR, {size:.0f} bytes on average, {mentions / len(PARAGRAPHS):.1f} mentions each); {args.seconds:g} s per "
        f"level after {args.warmup:g} s warm-up, at most {args.max_requests} requests; access log off; client "
        f"`{args.client}` (one keep-alive connection per virtual client). Server "
        "`no-lean`: every route through FastAPI, matching in its thread pool (as before the lean handlers); "
        "`lean`: as served now (jobs up to 2,000 characters and 12 name-like words inline); `lean-thread`: every job in the thread pool; "
        "`lean-inline`: every job on the event loop. The servers run side by side and take turns level by level.",
        "",
        f"In-process library, same paragraphs, one thread, before and after the HTTP levels: {anchors}; "
        f"**texts/s ÷ library** uses their mean, {lib_rate:,.0f} calls/s.",
        "",
        "| server | endpoint | workers | clients | requests | req/s | texts/s | p50 ms | p99 ms | errors | "
        "texts/s ÷ library | server CPU ms/text | library CPU ÷ server CPU | server CPU | client CPU | load avg |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lv in levels:
        lines.append(
            f"| {lv.server} | {endpoint(lv)} | {lv.workers} | "
            f"{lv.clients} | {lv.requests} | {lv.rps:,.0f} | {lv.tps:,.0f} | {lv.p50_ms:.2f} | {lv.p99_ms:.2f} | "
            f"{lv.errors} | {lv.tps / lib_rate:.2f} | {'–' if lv.big_chars else f'{lv.server_cpu_ms:.2f}'} | "
            f"{'–' if lv.big_chars else f'{lib_cpu / lv.server_cpu_ms:.2f}'} | "
            f"{lv.server_cpu:.0%} | "
            f"{lv.client_cpu:.0%} | {lv.load:.2f} |"
        )
    lines += [
        "",
        "server CPU ms/text: CPU time of the server processes per text, to compare with the library's "
        "CPU per call (far less affected by other load than rates). library CPU ÷ server CPU: the throughput "
        "ratio to the library when both get the same CPU, the comparison that holds on a loaded machine, where "
        "the kernel gives a multi-threaded server (FastAPI's thread pool) a larger share of the cores than a "
        "single-threaded one or the one-thread library loop. CPU columns: share of one core used by the server / by "
        f"this load generator ({args.client}); they compete for the same two cores. load avg: 1-minute load average "
        f"when the level started (at the start of the run {LOAD_AT_START:.2f}, at the end "
        f"{os.getloadavg()[0]:.2f}).",
        "",
    ]
    return "\n".join(lines)


def endpoint(lv: Level) -> str:
    name = (
        f"batch of {lv.batch}" if lv.batch > 0 else "normalize" if lv.batch == 0 else "normalize, empty text"
    )
    if lv.big_chars:
        name += f" + 1 client of {lv.big_chars:,}-char texts ({lv.big_done} answered)"
    return name


def write_section(path: Path, section: str) -> None:
    """Append ``section`` to the results file (created with its title if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8").rstrip() + "\n\n" if path.exists() else "# HTTP API load test\n\n"
    path.write_text(old + section, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 64])
    ap.add_argument("--seconds", type=float, default=5.0, help="measured seconds per level")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--max-requests", type=int, default=50_000, help="cap per level")
    ap.add_argument("--batch", type=int, default=16, help="paragraphs per /normalize/batch level (0: none)")
    ap.add_argument("--batch-clients", type=int, default=8, help="clients of the batch level")
    ap.add_argument("--compare", action="store_true", help="servers no-lean and lean (taking turns)")
    ap.add_argument(
        "--servers",
        nargs="+",
        choices=list(SERVERS),
        help="server settings to compare, taking turns level by level (default: lean)",
    )
    ap.add_argument(
        "--serve-args", nargs="*", default=[], help="more `normalizer serve` options, e.g. --inline-chars 0"
    )
    ap.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator: a minimal asyncio HTTP/1.1 client (default) or httpx (costs ~3x the CPU)",
    )
    ap.add_argument(
        "--big-chars",
        type=int,
        default=0,
        help="add a level at --batch-clients clients with one more client posting texts of this size",
    )
    ap.add_argument(
        "--empty", action="store_true", help='add a level of {"text": ""} requests: the HTTP cost alone'
    )
    ap.add_argument("--label", default="", help="title of the results section")
    ap.add_argument("--tables", nargs="+", default=[], help="table files (default: the bundled tables)")
    ap.add_argument("--no-bundled", action="store_true")
    ap.add_argument(
        "--out", type=Path, default=OUT, help="results file; the run is appended as a dated section"
    )
    args = ap.parse_args()
    table_args = (["--tables", *args.tables] if args.tables else []) + (
        ["--no-bundled"] if args.no_bundled else []
    )

    global CPU_AVAILABLE
    CPU_AVAILABLE = cpu_available()
    lib = [library_throughput(table_args, seconds=3.0)]
    mentions, version = lib[0][2], lib[0][3]
    print(f"library in-process: {lib[0][0]:,.0f} calls/s, {lib[0][1]:.2f} ms CPU/call", flush=True)
    levels: list[Level] = []
    names = args.servers or ((["no-lean"] if args.compare else []) + ["lean"])
    plan = [(c, 0, 0) for c in args.clients]
    plan += [(args.batch_clients, args.batch, 0)] if args.batch else []
    plan += [(args.batch_clients, 0, args.big_chars)] if args.big_chars else []
    plan += [(args.batch_clients, -1, 0)] if args.empty else []
    for workers in args.workers:
        servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        try:
            for name in names:  # all up at once: the settings take turns level by level
                servers[name] = start_server(workers, table_args, [*args.serve_args, *SERVERS[name]])
            for clients, batch, big in plan:
                for name, (proc, url) in servers.items():
                    lv = asyncio.run(
                        run_level(
                            url,
                            clients,
                            args.seconds,
                            args.max_requests,
                            args.warmup,
                            proc.pid,
                            workers,
                            batch,
                            args.client,
                            big,
                        )
                    )
                    lv.server = name
                    levels.append(lv)
                    print(
                        f"{name} workers={workers} clients={clients} batch={batch} big={big}: "
                        f"{lv.rps:,.0f} req/s, {lv.tps:,.0f} texts/s, p50 {lv.p50_ms:.2f} ms, "
                        f"p99 {lv.p99_ms:.2f} ms, errors {lv.errors}, load {lv.load:.2f}",
                        flush=True,
                    )
        finally:
            for proc, _ in servers.values():
                stop_server(proc)
    lib.append(library_throughput(table_args, seconds=3.0))
    print(f"library in-process: {lib[1][0]:,.0f} calls/s, {lib[1][1]:.2f} ms CPU/call", flush=True)
    text = report(levels, [(r, c) for r, c, _, _ in lib], mentions, version, args)
    write_section(args.out, text)
    print(text)
    return 1 if any(lv.errors for lv in levels) else 0


if __name__ == "__main__":
    raise SystemExit(main())
