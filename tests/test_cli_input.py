"""The batch CLI on input people have and on hostile input (issue 17): closed standard streams, compressed
files, other CSV delimiters, the --tables option, over-long records.  Always a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_cli import FIX, TABLE, records


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
