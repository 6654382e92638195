from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parent
RAW = REPO / "data" / "raw"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")
