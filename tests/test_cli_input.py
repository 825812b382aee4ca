"""The batch CLI on input people have and on hostile input (issue 17): closed standard streams, compressed
files, other CSV delimiters, the --tables option, over-long records.  Always a real subprocess."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import subprocess
import sys
from pathlib import Path

from test_cli import FIX, TABLE, cli, normalize, records


def test_closed_stdin_is_exit_2_with_a_message() -> None:
    # `normalizer normalize --format txt <&-`: a traceback (AttributeError: 'NoneType' ... 'buffer') before
    p = subprocess.run(
        f"{sys.executable} -m normalizer normalize --format txt {' '.join(TABLE)} <&-",
        shell=True, capture_output=True, timeout=120,
    )
    assert p.returncode == 2, p.stderr
    assert b"Traceback" not in p.stderr
    assert b"stdin is closed" in p.stderr
    p = subprocess.run(f"{sys.executable} -m normalizer explain - <&-", shell=True, capture_output=True, timeout=120)
    assert p.returncode == 2 and b"stdin is closed" in p.stderr and b"Traceback" not in p.stderr


def test_closed_stdout_needs_output(tmp_path: Path) -> None:
    src = FIX / "paragraphs.txt"
    p = subprocess.run(
        f"{sys.executable} -m normalizer normalize {src} {' '.join(TABLE)} >&-",
        shell=True, capture_output=False, stderr=subprocess.PIPE, timeout=120,
    )
    assert p.returncode == 2 and b"stdout is closed" in p.stderr, p.stderr
    out = tmp_path / "out.jsonl"
    p = subprocess.run(
        f"{sys.executable} -m normalizer normalize {src} {' '.join(TABLE)} -q -o {out} >&-",
        shell=True, stderr=subprocess.PIPE, timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert len(records(out.read_bytes())) == len(src.read_bytes().splitlines())  # one record per line


def _jsonl(path: Path, texts: list[str]) -> bytes:
    data = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts))
    return data.encode("utf-8")


TEXTS = ["MİT'in Daesh operasyonu", "nothing", "Türkei und Syrien"]


def test_compressed_input_is_read_as_it_is(tmp_path: Path) -> None:
    plain = _jsonl(tmp_path, TEXTS)
    expected = normalize("-", stdin=plain)
    assert expected.returncode == 0 and len(records(expected.stdout)) == 3
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(plain))
    (tmp_path / "b.jsonl").write_bytes(gzip.compress(plain))  # gzip bytes under a plain name
    (tmp_path / "c.jsonl.bz2").write_bytes(bz2.compress(plain))
    (tmp_path / "d.jsonl.xz").write_bytes(lzma.compress(plain))
    for name in ("a.jsonl.gz", "b.jsonl", "c.jsonl.bz2", "d.jsonl.xz"):
        p = normalize(str(tmp_path / name))
        assert (p.returncode, p.stdout) == (0, expected.stdout), (name, p.stderr)
    p = normalize("-", stdin=gzip.compress(plain))
    assert (p.returncode, p.stdout) == (0, expected.stdout), p.stderr
    txt = gzip.compress("MİT\nDaesh\n".encode())
    (tmp_path / "e.txt.gz").write_bytes(txt)
    p = normalize(str(tmp_path / "e.txt.gz"))
    assert [r["text"] for r in records(p.stdout)] == ["MİT", "Daesh"]


def test_damaged_gzip_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    data = gzip.compress(_jsonl(tmp_path, TEXTS * 50))
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    out = tmp_path / "out.jsonl"
    p = normalize(str(tmp_path / "cut.jsonl.gz"), "-o", str(out))
    assert p.returncode == 2, p.stderr
    assert b"cut.jsonl.gz: the gzip data is damaged or cut short" in p.stderr
    assert b"Traceback" not in p.stderr and b"--encoding" not in p.stderr
    assert not out.exists()
    (tmp_path / "z.jsonl").write_bytes(b"PK\x03\x04rest of a zip")
    p = normalize(str(tmp_path / "z.jsonl"))
    assert p.returncode == 2 and b"zip archive" in p.stderr


def test_csv_delimiter(tmp_path: Path) -> None:
    src = tmp_path / "eu.csv"
    src.write_text('id;text\n1;MİT ve Daesh, Türkiye\n2;"a;b"\n', encoding="utf-8")
    p = normalize(str(src))
    assert p.returncode == 2
    assert b"give --delimiter ';'" in p.stderr  # the header is one column "id;text": say why
    p = normalize(str(src), "--delimiter", ";")
    assert p.returncode == 0, p.stderr
    out = records(p.stdout)
    assert [r["id"] for r in out] == ["1", "2"] and out[1]["text"] == "a;b"
    assert [m["id"] for m in out[0]["mentions"]] == ["org:mit", "org:isis", "loc:turkey"]
    p = normalize(str(src), "--delimiter", ";", "--to", "csv")
    rows = list(csv.reader(io.StringIO(p.stdout.decode()), delimiter=";"))
    assert rows[0] == ["id", "text", "_line", "entity_ids", "canonical_names", "_error"]
    assert rows[1][3] == "org:mit|org:isis|loc:turkey" and rows[2][1] == "a;b"
    tab = tmp_path / "t.csv"
    tab.write_text('id\ttext\n1\t"MİT\tx"\n', encoding="utf-8")
    p = normalize(str(tab), "--delimiter", "\\t")
    assert p.returncode == 0 and records(p.stdout)[0]["text"] == "MİT\tx"
    for bad in ('""', "ab", "'\\n'"):
        p = subprocess.run(f"{sys.executable} -m normalizer normalize {src} --delimiter {bad} {' '.join(TABLE)}",
                           shell=True, capture_output=True, timeout=120)
        assert p.returncode == 2 and b"--delimiter" in p.stderr, bad


def test_tables_takes_one_path_per_option(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("entities:\n  - {id: per:x, type: person, name: Zeynep Örnek}\n", encoding="utf-8")
    news = tmp_path / "news.jsonl"
    news.write_bytes(_jsonl(tmp_path, ["Zeynep Örnek ve MİT"]))
    p = cli("normalize", str(news), "--no-bundled", "--tables", str(FIX / "table.yaml"), "--tables", str(extra))
    assert p.returncode == 0, p.stderr
    assert [m["id"] for m in records(p.stdout)[0]["mentions"]] == ["per:x", "org:mit"]
    p = cli("normalize", "--no-bundled", "--tables", str(FIX / "table.yaml"), "--tables", str(extra), str(news))
    assert p.returncode == 0, p.stderr  # the input FILE may come after the tables now
    # the old form `--tables A B`: B is not quietly read as input (or as a table); the message says what to do
    p = cli("normalize", str(news), "--no-bundled", "--tables", str(FIX / "table.yaml"), str(extra))
    assert p.returncode == 2
    assert b"extra.yaml" in p.stderr and b"repeat it for each table" in p.stderr
    p = cli("normalize", "--no-bundled", "--tables", str(FIX / "table.yaml"), str(extra), str(news))
    assert p.returncode == 2
    assert b"extra.yaml looks like an alias table" in p.stderr and b"repeat it for each table" in p.stderr
    p = cli("resolve", "Zeynep", "--no-bundled", "--tables", str(FIX / "table.yaml"), str(extra))
    assert p.returncode == 2 and b"repeat it for each table" in p.stderr


def test_max_record_chars(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(tmp_path, ["Daesh " * 300, "MİT", "x" * 50_000, "Daesh"]))
    p = normalize(str(src), "--max-record-chars", "1000")
    assert p.returncode == 1
    out = records(p.stdout)
    assert len(out) == 4
    assert out[0]["_error"]["code"] == "record_too_long" and "1,800 characters" in out[0]["_error"]["message"]
    assert out[0]["id"] == 0
    assert out[2]["_error"]["code"] == "record_too_long" and "skipped unread" in out[2]["_error"]["message"]
    assert [m["id"] for m in out[1]["mentions"]] == ["org:mit"] and out[3]["mentions"][0]["id"] == "org:isis"
    assert normalize(str(src), "--max-record-chars", "0").returncode == 0  # 0: no limit
    # txt paragraphs and a CSV record whose quoted text spans many lines: one error record each, then on
    para = tmp_path / "p.txt"
    para.write_text("MİT\n\n" + "Daesh\n" * 3000 + "\nTürkei\n", encoding="utf-8")
    p = normalize(str(para), "--paragraphs", "--max-record-chars", "1000")
    assert [r.get("_error", {}).get("code") for r in records(p.stdout)] == [None, "record_too_long", None]
    assert records(p.stdout)[2]["_line"] == 3004
    sheet = tmp_path / "s.csv"
    long_field = "Daesh, \"\"quoted\"\" and more text\n" * 2000
    sheet.write_text(f'id,text\n1,MİT\n2,"{long_field}"\n3,Türkei\n', encoding="utf-8")
    p = normalize(str(sheet), "--max-record-chars", "1000")
    out = records(p.stdout)
    assert [r.get("id") for r in out] == ["1", None, "3"], out[:4]
    assert out[1]["_line"] == 3 and out[1]["_error"]["code"] == "record_too_long"
    assert out[2]["mentions"][0]["id"] == "loc:turkey"
