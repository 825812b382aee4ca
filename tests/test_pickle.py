"""A Normalizer can be pickled (multiprocessing, Spark): it travels as its configuration and is rebuilt from the
same table files on the other side (issue 17, item 11)."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer import Normalizer, TableError

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = [
    "MİT'in operasyonuyla DEAŞ'ın sözde yöneticisi Suriye'de yakalandı.",
    "Ebu Bekir el-Bağdadi ve Abu Bakr al-Baghdadi aynı kişi.",
    "أعلنت تركيا أن الاستخبارات قبضت على قيادي في داعش.",
]


def _dicts(n: Normalizer) -> list[dict]:
    return [n.normalize(t).to_dict() for t in TEXTS]


def test_round_trip_gives_the_same_answers() -> None:
    n = Normalizer()
    copy = pickle.loads(pickle.dumps(n))
    assert copy.version == n.version and copy.entity_count == n.entity_count
    assert _dicts(copy) == _dicts(n)
    assert copy.resolve("Ebu Bekir el-Bagdadi") == n.resolve("Ebu Bekir el-Bagdadi")
    again = pickle.loads(pickle.dumps(copy))  # a rebuilt one pickles too, and the process rebuilds only once
    assert again.matcher is copy.matcher


def test_options_and_relative_table_paths_survive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "t.yaml"
    table.write_text("entities:\n  - {id: per:z, type: person, name: Zeynep Örnek, aliases: [Z. Örnek]}\n",
                     encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    n = Normalizer(["t.yaml"], bundled=False, fuzzy=False, context=False)
    data = pickle.dumps(n)
    monkeypatch.chdir(FIXTURES)  # another working directory: the path was kept absolute
    copy = pickle.loads(data)
    assert (copy.use_fuzzy, copy.use_context, copy.use_variants, copy.entity_count) == (False, False, True, 1)
    assert [m.id for m in copy.normalize("Z. Örnek geldi").mentions] == ["per:z"]


def test_changed_tables_are_an_error_on_unpickling(tmp_path: Path) -> None:
    table = tmp_path / "t.yaml"
    table.write_text("entities:\n  - {id: per:z, type: person, name: Zeynep Örnek}\n", encoding="utf-8")
    data = pickle.dumps(Normalizer([table], bundled=False))
    table.write_text("entities:\n  - {id: per:z, type: person, name: Zeynep Örnekli}\n", encoding="utf-8")
    with pytest.raises(TableError, match="changed since this Normalizer was pickled"):
        pickle.loads(data)


def test_spawned_worker_processes_use_it() -> None:
    n = Normalizer()
    with mp.get_context("spawn").Pool(2) as pool:  # spawn: nothing inherited, everything goes through pickle
        results = pool.map(n.normalize, TEXTS)
    assert [r.to_dict() for r in results] == _dicts(n)


def test_unpickled_in_another_process_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "n.pickle"
    path.write_bytes(pickle.dumps(Normalizer(variants=False)))
    code = (f"import pickle; n = pickle.loads(open({str(path)!r}, 'rb').read()); "
            "print(n.use_variants, [m.id for m in n.normalize('DEAŞ ve MİT').mentions])")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env=env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False ['org:isis', 'org:mit-turkey']"
