"""Smoke test of the scaled-corpus builder of benchmarks/ingest.py (no timing here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from corpus_tools.clean import clean_page
from corpus_tools.split import split_reports

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "ingest.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_ingest", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_ingest"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _pages(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "pages").glob("*.txt"))}


def test_scaled_corpus_has_the_asked_size_is_deterministic_and_reused(bench, raw_dir, tmp_path):
    n_files, n_bytes = bench.build_corpus(raw_dir, tmp_path / "a", 0.1, seed=3)
    pages = _pages(tmp_path / "a")
    assert len(pages) == n_files > 1
    assert sum(map(len, pages.values())) == n_bytes >= 100_000
    assert bench.build_corpus(raw_dir, tmp_path / "b", 0.1, seed=3) == (n_files, n_bytes)
    assert _pages(tmp_path / "b") == pages  # same seed, same pages
    mtime = (tmp_path / "a" / "manifest.json").stat().st_mtime_ns
    assert bench.build_corpus(raw_dir, tmp_path / "a", 0.1, seed=3) == (n_files, n_bytes)
    assert (tmp_path / "a" / "manifest.json").stat().st_mtime_ns == mtime  # reused, not rebuilt


def test_scaled_pages_split_into_their_reports(bench, raw_dir):
    reports = bench.sample_reports(raw_dir)
    assert len(reports) >= 20 and all(lines for _, lines in reports)
    for page in bench.generate_pages(reports, 60_000, seed=1):
        n_markers = page.count("\n## ")
        found = split_reports(clean_page(page).text)
        assert len(found) >= max(1, n_markers)
