"""The batch CLI (`normalizer normalize`, `resolve`, `explain`), always run as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures" / "cli"
TABLE = ["--no-bundled", "--tables", str(FIX / "table.yaml")]


def cli(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "normalizer", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def normalize(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return cli("normalize", *args, *TABLE, stdin=stdin)


def records(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def check_offsets(rec: dict, field: str = "text") -> None:
    for m in rec["mentions"]:
        assert rec[field][m["start"] : m["end"]] == m["text"]


def test_jsonl_bad_lines_become_error_records_in_order() -> None:
    p = normalize(str(FIX / "mixed.jsonl"))
    assert p.returncode == 1, p.stderr
    out = records(p.stdout)
    assert len(out) == 8  # 9 lines, one blank
    assert [r.get("id") for r in out] == ["a1", None, "a2", "a3", "a4", "a5", None, "a6"]
    errors = {r["_line"]: r["_error"]["code"] for r in out if "_error" in r}
    assert errors == {2: "invalid_json", 5: "missing_field", 6: "not_a_string", 8: "not_an_object"}
    a1 = out[0]
    assert [(m["text"], m["id"]) for m in a1["mentions"]] == [
        ("MİT", "org:mit"),
        ("Daesh", "org:isis"),
        ("Türkiye", "loc:turkey"),
    ]
    for r in out:
        if "mentions" in r:
            check_offsets(r)
    assert out[4]["_error"]["message"] == "field 'text' is a number, not a string"
    err = p.stderr.decode()
    assert "8 records read, 8 written, 4 errors" in err
    assert "line 2: invalid_json" in err


def test_keep_going_exits_zero_with_the_same_output() -> None:
    p = normalize(str(FIX / "mixed.jsonl"), "--keep-going")
    assert p.returncode == 0
    assert p.stdout == normalize(str(FIX / "mixed.jsonl")).stdout


def test_empty_file() -> None:
    p = normalize(str(FIX / "empty.jsonl"))
    assert p.returncode == 0
    assert p.stdout == b""
    assert "0 records read, 0 written, 0 errors" in p.stderr.decode()


def test_invalid_utf8_in_one_line_only_fails_that_line() -> None:
    p = normalize(str(FIX / "bad_utf8.jsonl"))
    assert p.returncode == 1
    out = records(p.stdout)
    assert [r.get("id") for r in out] == ["u1", None, "u3"]
    assert out[1] == {"_line": 2, "_error": out[1]["_error"]}
    assert out[1]["_error"]["code"] == "invalid_encoding"
    assert [m["id"] for m in out[2]["mentions"]] == ["loc:syria", "org:isis"]


def test_csv_with_quoted_newlines() -> None:
    p = normalize(str(FIX / "quoted.csv"))
    assert p.returncode == 0, p.stderr
    out = records(p.stdout)
    assert [r["id"] for r in out] == ["c1", "c2", "c3"]
    assert out[0]["text"] == "MİT'in açıklaması:\r\n\"DEAŞ\" Suriye'de, dedi."
    assert out[0]["note"] == "first"
    assert [m["id"] for m in out[0]["mentions"]] == ["org:mit", "org:isis", "loc:syria"]
    assert out[1]["note"] == "second, with comma"
    for r in out:
        check_offsets(r)


def test_to_csv_adds_columns() -> None:
    p = normalize(str(FIX / "quoted.csv"), "--to", "csv", "--replace")
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode("utf-8"), newline="")))
    assert list(rows[0]) == [
        "id",
        "text",
        "note",
        "_line",
        "entity_ids",
        "canonical_names",
        "normalized",
        "_error",
    ]
    assert [r["id"] for r in rows] == ["c1", "c2", "c3"]
    assert rows[0]["entity_ids"] == "org:mit|org:isis|loc:syria"
    assert rows[0]["canonical_names"] == "National Intelligence Organization|Islamic State|Syria"
    assert rows[0]["text"] == "MİT'in açıklaması:\r\n\"DEAŞ\" Suriye'de, dedi."
    assert [r["_line"] for r in rows] == ["2", "4", "5"]  # where each record starts
    assert rows[2]["entity_ids"] == "|loc:turkey"  # the ambiguous "Kaya" has no id
    assert rows[2]["normalized"] == "Kaya\nTürkiye"
    assert all(r["_error"] == "" for r in rows)


def test_tsv_input() -> None:
    p = normalize(str(FIX / "news.tsv"))
    out = records(p.stdout)
    assert [r["id"] for r in out] == ["t1", "t2"]
    assert out[1]["text"] == '"Daesh" in Syria and Turkey'  # TSV: quotes are kept as written
    assert [m["id"] for m in out[1]["mentions"]] == ["org:isis", "loc:syria", "loc:turkey"]


def test_csv_without_the_field_column_is_exit_2() -> None:
    p = normalize(str(FIX / "quoted.csv"), "--field", "body")
    assert p.returncode == 2
    assert b"no column 'body'" in p.stderr
    assert p.stdout == b""


def test_stdin_to_stdout() -> None:
    data = (FIX / "mixed.jsonl").read_bytes()
    p = normalize("-", stdin=data)
    assert p.returncode == 1
    assert p.stdout == normalize(str(FIX / "mixed.jsonl")).stdout
    p2 = cli("normalize", "--format", "txt", *TABLE, stdin="Daesh\nMİT\n".encode())  # no FILE = stdin
    assert [(r["_line"], r["mentions"][0]["id"]) for r in records(p2.stdout)] == [
        (1, "org:isis"),
        (2, "org:mit"),
    ]


def test_windows_1254_turkish() -> None:
    p = normalize(str(FIX / "cp1254.txt"), "--encoding", "cp1254")
    assert p.returncode == 0, p.stderr
    out = records(p.stdout)
    assert out[0]["text"] == "MİT'in DEAŞ operasyonu Türkiye'de."
    assert [m["id"] for m in out[0]["mentions"]] == ["org:mit", "org:isis", "loc:turkey"]
    assert out[1]["text"] == "IŞİD Suriye'de çöktü."
    assert [m["text"] for m in out[1]["mentions"]] == ["IŞİD", "Suriye"]
    wrong = normalize(str(FIX / "cp1254.txt"))  # read as UTF-8: every line is an error record, with a hint
    assert wrong.returncode == 1
    assert [r["_error"]["code"] for r in records(wrong.stdout)] == ["invalid_encoding"] * 2
    assert b"--encoding" in wrong.stdout


def test_replace_leaves_ambiguous_mentions() -> None:
    p = normalize(str(FIX / "mixed.jsonl"), "--replace", "--keep-going")
    out = {r["id"]: r for r in records(p.stdout) if "id" in r and "mentions" in r}
    assert (
        out["a1"]["normalized"]
        == "National Intelligence Organization'in Islamic State operasyonu Türkiye'de."
    )
    assert out["a5"]["normalized"] == "Kaya, Syria'de Islamic State ile görüştü."
    assert out["a5"]["mentions"][0]["ambiguous"] is True
    assert out["a6"]["normalized"] == "Nothing to see here."


def test_txt_lines_and_paragraphs() -> None:
    lines = records(normalize(str(FIX / "paragraphs.txt")).stdout)
    assert [r["_line"] for r in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert lines[1] == {"_line": 2, "text": "ikinci satır DEAŞ.", "mentions": lines[1]["mentions"]}
    paras = records(normalize(str(FIX / "paragraphs.txt"), "--paragraphs").stdout)
    assert [r["_line"] for r in paras] == [1, 5, 7]
    assert paras[0]["text"] == "Birinci paragraf: MİT\nikinci satır DEAŞ."
    assert [m["id"] for m in paras[0]["mentions"]] == ["org:mit", "org:isis"]
    for r in paras:
        check_offsets(r)


def _big_jsonl(path: Path, n: int) -> None:
    texts = [
        "MİT'in Daesh operasyonu Türkiye'de.",
        "Kaya, Suriye'de IŞİD ile görüştü.",
        "Nothing here at all.",
        "Der Geheimdienst MIT hat mit der Polizei in der Türkei gearbeitet.",
    ]
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(
                json.dumps(
                    {"id": i, "text": f"{texts[i % 4]} #{i} " + texts[(i * 7) % 4] * (i % 3)},
                    ensure_ascii=False,
                )
                + "\n"
            )


def test_workers_keep_order_and_output(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    _big_jsonl(src, 1500)
    one = normalize(str(src), "-o", str(tmp_path / "one.jsonl"), "--workers", "1")
    two = normalize(str(src), "-o", str(tmp_path / "two.jsonl"), "--workers", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    out = records((tmp_path / "two.jsonl").read_bytes())
    assert [r["id"] for r in out] == list(range(1500))
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert "1500 records read, 1500 written" in two.stderr.decode()


def test_output_is_atomic_and_complete(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    p = normalize(str(FIX / "mixed.jsonl"), "--output", str(out), "--quiet")
    assert p.returncode == 1
    assert p.stdout == b""
    assert len(records(out.read_bytes())) == 8
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out.jsonl"]  # no temporary file left
    assert b"4 errors" in p.stderr  # --quiet still reports failed records


def test_unreadable_input_and_bad_table_are_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    p = normalize(str(FIX / "mixed.jsonl"), str(tmp_path / "missing.jsonl"), "-o", str(out))
    assert p.returncode == 2
    assert b"missing.jsonl" in p.stderr
    assert not out.exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - id: x\n    name: X\n", encoding="utf-8")
    p = cli("normalize", str(FIX / "mixed.jsonl"), "--no-bundled", "--tables", str(bad), "-o", str(out))
    assert p.returncode == 2
    assert b"bad.yaml" in p.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _start_and_wait_for_output(tmp_path: Path, workers: str) -> tuple[subprocess.Popen[bytes], Path]:
    src = tmp_path / "big.jsonl"
    _big_jsonl(src, 100_000)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "normalizer",
            "normalize",
            str(src),
            "-o",
            str(out),
            "--workers",
            workers,
            *TABLE,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until it is writing (the temporary file has data)
        tmps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        if tmps and tmps[0].stat().st_size > 0:
            break
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    return proc, out


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_mid_run_leaves_no_file(tmp_path: Path, sig: signal.Signals, status: int, workers: str) -> None:
    # with one worker the records are normalised in the main process, where the signal's exception must not be
    # taken for a failed record (issue 17: SIGTERM gave exit 1 and an "internal_error: Terminated" record)
    proc, out = _start_and_wait_for_output(tmp_path, workers)
    pids = _children(proc.pid)
    proc.send_signal(sig)
    try:
        assert proc.wait(timeout=30) == status
    finally:
        proc.kill()
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]  # the temporary file is removed too
    time.sleep(0.2)
    assert not [w for w in pids if Path(f"/proc/{w}").exists()]  # worker processes are gone


def test_sigkill_mid_run_leaves_no_output_file(tmp_path: Path) -> None:
    proc, out = _start_and_wait_for_output(tmp_path, "2")
    workers = _children(proc.pid)
    proc.kill()
    proc.wait(timeout=30)
    assert not out.exists()  # only the (hidden, .tmp) temporary file may remain
    deadline = time.monotonic() + 10
    while [w for w in workers if Path(f"/proc/{w}").exists()] and time.monotonic() < deadline:
        time.sleep(0.1)  # orphaned workers notice the parent is gone and exit
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]


def test_several_files_are_labelled() -> None:
    p = normalize(str(FIX / "news.tsv"), str(FIX / "bad_utf8.jsonl"), "--keep-going")
    out = records(p.stdout)
    assert [(r["_file"].rsplit("/", 1)[-1], r.get("id")) for r in out] == [
        ("news.tsv", "t1"),
        ("news.tsv", "t2"),
        ("bad_utf8.jsonl", "u1"),
        ("bad_utf8.jsonl", None),
        ("bad_utf8.jsonl", "u3"),
    ]
    assert p.returncode == 0


def test_readme_first_command_prints_jsonl() -> None:
    p = cli("normalize", "examples/news.txt", cwd=ROOT)
    assert p.returncode == 0, p.stderr
    out = records(p.stdout)
    assert [r["_line"] for r in out] == [1, 2, 3, 4, 5]
    assert all(isinstance(r["mentions"], list) for r in out)
    for r in out:
        check_offsets(r)


def test_resolve_json() -> None:
    p = cli("resolve", "Deas", "--json", *TABLE)
    assert p.returncode == 0, p.stderr
    cands = json.loads(p.stdout)
    assert cands[0]["id"] == "org:isis"
    assert cands[0]["canonical"] == "Islamic State"
    assert cands[0]["method"] == "folded"
    plain = cli("resolve", "DEAŞ", *TABLE)
    assert plain.stdout.decode().splitlines()[1].split()[:3] == ["1", "1.00", "org:isis"]
    none = cli("resolve", "Qwxyz", *TABLE)
    assert none.returncode == 1
    assert b"no candidate" in none.stderr


def test_explain_plain_when_piped() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    p = cli("explain", "MİT'in Daesh operasyonu Türkiye'de.", *TABLE, env=env)
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode()
    assert "\033[" not in text
    assert "text: [MİT]'in [Daesh] operasyonu [Türkiye]'de." in text
    assert "'MİT' [0:3] -> org:mit  'National Intelligence Organization' (organization)" in text
    assert "fold steps: turkish_case" in text
    assert "rules: alias" in text
    coloured = cli("explain", "MİT", "--color", "always", *TABLE, env=env)
    assert "\033[" in coloured.stdout.decode()
    no_color = cli("explain", "MİT", "--color", "auto", *TABLE, env={**env, "NO_COLOR": "1"})
    assert "\033[" not in no_color.stdout.decode()


@pytest.mark.parametrize("command", ["normalize", "resolve", "explain"])
def test_help_has_an_example(command: str) -> None:
    p = cli(command, "--help")
    assert p.returncode == 0
    assert f"normalizer {command} " in p.stdout.decode().split("example", 1)[1]


def test_stdin_records_come_out_as_they_go_in() -> None:
    """A long-running producer (tail -f | normalizer normalize -) sees each record's result at once."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "normalizer", "normalize", "-", *TABLE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for i, text in enumerate(["MİT'in Daesh operasyonu", "Suriye'de IŞİD"]):
            proc.stdin.write(json.dumps({"id": i, "text": text}).encode() + b"\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no output while stdin is still open"
            assert json.loads(proc.stdout.readline())["id"] == i
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_write_error_is_exit_2() -> None:
    with open("/dev/full", "wb") as full:
        p = subprocess.run(
            [sys.executable, "-m", "normalizer", "normalize", str(FIX / "mixed.jsonl"), *TABLE],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert p.returncode == 2
    assert b"No space left" in p.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    src = tmp_path / "in.jsonl"
    _big_jsonl(src, 600)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    cmd = [sys.executable, "-m", "normalizer", "normalize", str(src), "-o", str(tmp_path / "o.jsonl"), *TABLE]
    try:
        p = subprocess.run(cmd, stderr=slave, stdout=subprocess.DEVNULL, timeout=120)
        os.close(slave)
        seen = b""
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert p.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "100%|" in text and "600 records" in text and "rec/s" in text  # the bar, on the terminal
    piped = normalize(str(src))  # stderr is a pipe here: the summary only
    assert b"%|" not in piped.stderr and b"\r" not in piped.stderr
    assert piped.stderr.decode().startswith("normalizer normalize: 600 records read")
