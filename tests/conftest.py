from pathlib import Path

import pytest

from normalizer import Normalizer

FIXTURES = Path(__file__).parent / "fixtures"
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"


@pytest.fixture(scope="session")
def core() -> Normalizer:
    """A Normalizer over the core fixture table only (independent of the bundled tables and the knowledge base)."""
    return Normalizer([FIXTURES / "core_table.yaml"], bundled=False, link=False)


@pytest.fixture(scope="session")
def bundled() -> Normalizer:
    return Normalizer()
