"""The hostile-input corpus (tests/hostile.py) through ``ingest`` and the CLI.

For every generated file the run must finish and the file must be either ingested with the
right text or listed in ``errors`` with a message that names it and says what is wrong; no
file may fail with an unexpected exception ("crashed") and the other files must come out as
if the bad ones were not there. The closing test prints the summary line::

    hostile corpus: tried N, ingested N, rejected N with a clear error, crashed 0

Inputs that can take a whole run down (a hang, a file name that is not UTF-8, an empty folder)
run in tests of their own, so one of them cannot hide the per-file results.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from corpus_tools.cli import cli
from corpus_tools.pipeline import IngestConfig, ingest
from corpus_tools.store import read_table
from tests import hostile
from tests.hostile import Expectation, HostileCorpus, build_hostile_corpus, inject_faults

REPO = Path(__file__).resolve().parent.parent

#: the fast suite's page on one line and number of tiny files
FAST_BIG_PAGE_BYTES = 300_000
FAST_N_TINY = 2000
#: the slow suite's page on one line (override with HOSTILE_BIG_PAGE_MB)
SLOW_BIG_PAGE_MB = float(os.environ.get("HOSTILE_BIG_PAGE_MB", "50"))

#: how the orchestrator records an unexpected exception: "<file>: <stage> failed: <Type>: …"
CRASH = re.compile(r"\b\w+ failed: [A-Za-z_][\w.]*: ")


@dataclass
class FileOutcome:
    status: str  # ingested | rejected | crashed | missing
    texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    source_status: str | None = None


@dataclass
class HostileRun:
    corpus: HostileCorpus
    out: Path
    run_error: str | None = None
    documents: pd.DataFrame | None = None
    sources: pd.DataFrame | None = None
    errors: pd.DataFrame | None = None

    def outcome(self, path: str) -> FileOutcome:
        if self.run_error is not None:
            return FileOutcome("missing", errors=[f"the whole run failed:\n{self.run_error}"])
        errs = self.errors[self.errors.source_file == path]
        docs = self.documents[self.documents.source_file == path].sort_values("report_index")
        src = self.sources[self.sources.source_file == path]
        source_status = src.status.iloc[0] if len(src) else None
        messages = list(errs.error)
        if any(CRASH.search(m) for m in messages):
            status = "crashed"
        elif messages:
            status = "rejected"
        elif len(src):
            status = "ingested"
        else:
            status = "missing"
        return FileOutcome(status, list(docs.text), messages, source_status)


def run_hostile(corpus: HostileCorpus, out: Path) -> HostileRun:
    """Ingest the corpus (damaging the fault files after listing) and read the tables back."""
    run = HostileRun(corpus, out)
    with pytest.MonkeyPatch.context() as mp:
        inject_faults(mp, corpus)
        try:
            ingest(corpus.root, out, IngestConfig(workers=1))
        except BaseException:  # noqa: BLE001 - reported by every test that reads the run
            run.run_error = traceback.format_exc()
            return run
    run.documents = read_table(out, "documents")
    run.sources = read_table(out, "sources")
    run.errors = read_table(out, "errors")
    return run


def problems_with(expectation: Expectation, outcome: FileOutcome) -> list[str]:
    """What is wrong with one file's outcome (empty when it is as expected)."""
    path = expectation.path
    if outcome.status == "crashed":
        return [f"{path}: crashed: {outcome.errors}"]
    if outcome.status == "missing":
        return [f"{path}: not in the sources table nor in errors (silently dropped) {outcome.errors}"]
    if expectation.outcome == "rejected":
        if outcome.status != "rejected":
            return [f"{path}: expected an error ({', '.join(expectation.error)}), but it was ingested "
                    f"({len(outcome.texts)} reports: {[t[:60] for t in outcome.texts]})"]
        found = []
        for message in outcome.errors:
            if path not in message:
                found.append(f"{path}: the error does not name the file: {message!r}")
            missing = [p for p in expectation.error if p.lower() not in message.lower()]
            if missing:
                found.append(f"{path}: the error does not say {missing}: {message!r}")
        return found
    if outcome.status != "ingested":
        return [f"{path}: expected to be ingested, but: {outcome.errors}"]
    found = []
    joined = "\n".join(outcome.texts)
    if expectation.n_reports is not None and len(outcome.texts) != expectation.n_reports:
        found.append(f"{path}: {len(outcome.texts)} reports instead of {expectation.n_reports}")
    if expectation.n_reports == 0 and outcome.source_status == "ok":
        found.append(f"{path}: no reports but source status 'ok'")
    for want in expectation.contains:
        if want not in joined:
            found.append(f"{path}: text lost or altered, missing {want[:80]!r}{_near(joined, want)}")
    for unwanted in expectation.absent:
        if unwanted in joined:
            i = joined.index(unwanted)
            found.append(f"{path}: {unwanted!r} should not be in the text: …{joined[max(0, i - 30):i + 40]!r}…")
    total = sum(len(t) for t in outcome.texts)
    if total < expectation.min_chars:
        found.append(f"{path}: only {total} characters of report text, expected at least {expectation.min_chars}")
    return found


def _near(text: str, want: str) -> str:
    """Where the text parts from ``want``: the longest prefix of it that is there."""
    lo, hi = 0, len(want)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if want[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return " (none of it is there)"
    i = text.index(want[:lo])
    return f"; the text has {text[i:i + lo + 20]!r} where {want[:lo + 20]!r} was expected"


# --------------------------------------------------------------------------- the run


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    base = tmp_path_factory.mktemp("hostile")
    corpus = build_hostile_corpus(base / "in", big_page_bytes=FAST_BIG_PAGE_BYTES, n_tiny=FAST_N_TINY)
    return run_hostile(corpus, base / "out")


SINGLE_FILES = [e for e in hostile.expectations(big_page_bytes=FAST_BIG_PAGE_BYTES, n_tiny=0) if not e.group]


@pytest.mark.parametrize("expectation", SINGLE_FILES, ids=[e.path for e in SINGLE_FILES])
def test_hostile_file_is_ingested_with_its_text_or_rejected_clearly(hostile_run: HostileRun,
                                                                     expectation: Expectation) -> None:
    """One test per file of the corpus: the phenomenon is in the test id and the message."""
    problems = problems_with(expectation, hostile_run.outcome(expectation.path))
    assert not problems, f"{expectation.phenomenon}:\n" + "\n".join(problems)


def test_thousands_of_tiny_files_are_each_ingested(hostile_run: HostileRun) -> None:
    tiny = [e for e in hostile_run.corpus.expectations.values() if e.group == "tiny"]
    assert len(tiny) == FAST_N_TINY
    problems = [p for e in tiny for p in problems_with(e, hostile_run.outcome(e.path))]
    assert not problems, f"{len(problems)} problems, the first ones:\n" + "\n".join(problems[:15])


def test_every_file_has_one_sources_row_and_errors_only_for_rejected_files(hostile_run: HostileRun) -> None:
    assert hostile_run.run_error is None, hostile_run.run_error
    expected = set(hostile_run.corpus.expectations)
    listed = list(hostile_run.sources.source_file)
    assert len(listed) == len(set(listed)), "a file has more than one sources row"
    assert set(listed) == expected
    failed = set(hostile_run.errors.source_file)
    assert set(hostile_run.sources[hostile_run.sources.status == "error"].source_file) == failed
    assert set(hostile_run.documents.source_file) <= expected - failed
    docs = hostile_run.documents
    assert docs.doc_id.is_unique and not docs.duplicated(["source_file", "report_index"]).any()


def test_no_error_is_an_unexpected_exception_and_each_names_its_file(hostile_run: HostileRun) -> None:
    assert hostile_run.run_error is None, hostile_run.run_error
    rows = hostile_run.errors.itertuples()
    crashes = [f"{r.source_file} [{r.stage}]: {r.error}" for r in rows if CRASH.search(r.error)]
    assert not crashes, "\n".join(crashes)
    unnamed = [r.error for r in hostile_run.errors.itertuples() if r.source_file not in r.error]
    assert not unnamed


def test_other_files_are_unaffected_by_the_bad_ones(hostile_run: HostileRun, tmp_path: Path) -> None:
    """The good files, ingested without the bad ones, give exactly the same rows."""
    assert hostile_run.run_error is None, hostile_run.run_error

    def good(e: Expectation) -> bool:  # the big page and the tiny files only cost time here
        return e.outcome == "ingested" and not e.group and not e.path.startswith("lines/one_line_page")

    control = build_hostile_corpus(tmp_path / "in", big_page_bytes=FAST_BIG_PAGE_BYTES, n_tiny=0, select=good)
    ingest(control.root, tmp_path / "out", IngestConfig(workers=1))
    files = set(control.expectations)
    cols = ["doc_id", "source_file", "report_index", "title", "text", "source_start", "source_end", "n_chars"]
    mine = hostile_run.documents[hostile_run.documents.source_file.isin(files)][cols]
    alone = read_table(tmp_path / "out", "documents")[cols]
    key = ["source_file", "report_index"]
    pd.testing.assert_frame_equal(mine.sort_values(key).reset_index(drop=True),
                                  alone.sort_values(key).reset_index(drop=True))
    ids = set(alone.doc_id)
    for name, key in (("sections", ["doc_id", "section_id"]), ("sentences", ["doc_id", "sentence_id"])):
        a = read_table(hostile_run.out, name)
        b = read_table(tmp_path / "out", name)
        a = a[a.doc_id.isin(ids)].sort_values(key).reset_index(drop=True)
        b = b.sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)


def test_cli_names_every_failed_file_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = build_hostile_corpus(tmp_path / "in", big_page_bytes=50_000, n_tiny=25)
    inject_faults(monkeypatch, corpus)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["ingest", str(corpus.root), "--out", str(out), "--workers", "1", "-q"])
    assert result.exception is None or isinstance(result.exception, SystemExit), "".join(
        traceback.format_exception(result.exception))
    assert result.exit_code == 1, result.output
    rejected = [e.path for e in corpus.by_outcome("rejected")]
    n_files = len(corpus.expectations)
    assert f"pages: {n_files}" in result.output
    assert f"errors: {len(rejected)}" in result.output
    failed_lines = [line for line in result.output.splitlines() if "failed:" in line]
    for path in rejected:
        assert any(path in line for line in failed_lines), f"{path} is not named in the summary"
    assert "Traceback" not in result.output
    # the data behind the summary
    errors = read_table(out, "errors")
    assert sorted(errors.source_file) == sorted(rejected)
    docs = read_table(out, "documents")
    assert set(docs.source_file) <= {e.path for e in corpus.by_outcome("ingested")}
    assert f"reports: {len(docs)}" in result.output


def test_worker_processes_give_the_same_outcome_for_every_file(tmp_path: Path) -> None:
    """The corpus spread over several buckets and two worker processes: same rows, same errors."""
    outcomes = {}
    for workers in (1, 2):
        corpus = build_hostile_corpus(tmp_path / f"in{workers}", big_page_bytes=50_000, n_tiny=40)
        with pytest.MonkeyPatch.context() as mp:
            inject_faults(mp, corpus)
            ingest(corpus.root, tmp_path / f"out{workers}", IngestConfig(workers=workers, bucket_bytes=20_000))
        outcomes[workers] = (read_table(tmp_path / f"out{workers}", "documents"),
                             read_table(tmp_path / f"out{workers}", "errors"))
    assert len(list((tmp_path / "out2" / "documents").glob("*.parquet"))) > 1, "only one bucket: raise the corpus"
    for k, key in ((0, ["source_file", "report_index"]), (1, ["source_file", "stage"])):
        one, two = (outcomes[w][k].sort_values(key).reset_index(drop=True) for w in (1, 2))
        cols = list(one.columns) if k else ["doc_id", "source_file", "report_index", "text"]
        pd.testing.assert_frame_equal(one[cols], two[cols])
    crashes = [e for e in outcomes[2][1].error if CRASH.search(e)]
    assert not crashes, crashes


# --------------------------------------------------------------------------- run-killers, one each


def _ingest_subprocess(input_dir: Path, out: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "corpus_tools", "ingest", str(input_dir), "--out", str(out), "--workers", "1", "-q"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )


def test_long_runs_of_digits_and_masks_do_not_hang_ingest(tmp_path: Path) -> None:
    """A 40-star mask or a 32-digit number is one line of a scraped page, not a reason to hang.

    Runs in a subprocess: a regular expression that backtracks exponentially cannot be
    interrupted in-process.
    """
    page = (hostile.SHORT_REPORT + "\n受助职工名单：" + "*" * 40 + "。\n\n统一社会信用代码：" + "9" * 32 + "，联系人"
            + "x" * 30 + "。\n")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "masks.txt").write_text(page, encoding="utf-8")
    try:
        done = _ingest_subprocess(tmp_path / "in", tmp_path / "out", timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("ingest did not finish within 120 s on a page with a 40-character run of '*' and a 32-digit "
                    "number (exponential backtracking in a number pattern)")
    assert done.returncode == 0, done.stderr
    text = "\n".join(read_table(tmp_path / "out", "documents").text)
    assert "*" * 40 in text and "9" * 32 in text


def test_long_whitespace_runs_are_cleaned_in_reasonable_time(tmp_path: Path) -> None:
    """Layout text pads with long runs of spaces; cleaning must stay about linear in them."""
    page = hostile.SHORT_REPORT + "\n" + " " * 100_000 + "工会\n" + "\u3000" * 100_000 + "职工\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "spaces.txt").write_text(page, encoding="utf-8")
    try:
        done = _ingest_subprocess(tmp_path / "in", tmp_path / "out", timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("ingest took over 90 s on a page with two runs of 100,000 spaces (quadratic cleaning)")
    assert done.returncode == 0, done.stderr


def test_a_file_name_that_is_not_utf8_does_not_sink_the_run(tmp_path: Path) -> None:
    """Zip archives made on Windows give GBK-encoded names; Python lists them with surrogates."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(hostile.SHORT_REPORT, encoding="utf-8")
    gbk_name = os.path.join(os.fsencode(src), "工会工作报告".encode("gbk") + b".txt")
    with open(gbk_name, "wb") as fh:
        fh.write(hostile.SHORT_REPORT.replace("胸心外科", "骨科").encode("utf-8"))
    summary = ingest(src, tmp_path / "out", IngestConfig(workers=1))  # must not raise
    sources = read_table(tmp_path / "out", "sources")
    assert len(sources) == 2 and summary.pages == 2
    docs = read_table(tmp_path / "out", "documents")
    assert "good.txt" in set(docs.source_file)
    bad = [f for f in sources.source_file if f != "good.txt"]
    assert bad and bad[0].endswith(".txt")
    errors = read_table(tmp_path / "out", "errors")
    if bad[0] in set(errors.source_file):  # rejected is fine, as long as it says so
        assert not any(CRASH.search(e) for e in errors.error)
    else:
        assert bad[0] in set(docs.source_file)


def test_an_empty_input_folder_gives_empty_tables(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q",
                                      "--workers", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), "".join(
        traceback.format_exception(result.exception))
    assert result.exit_code == 0, result.output
    assert "pages: 0" in result.output
    assert len(read_table(tmp_path / "out", "documents")) == 0


# --------------------------------------------------------------------------- the 50 MB page


@pytest.mark.slow
def test_a_50_mb_page_on_one_line_is_ingested_whole(tmp_path: Path) -> None:
    """Runs in a subprocess with a time limit (30 s per MB): an algorithm that is quadratic in
    the length of a report would otherwise hold CI for days."""
    n_bytes = int(SLOW_BIG_PAGE_MB * 1e6)
    spec = hostile.big_page("one_line_page.txt", n_bytes)
    (tmp_path / "in").mkdir()
    assert spec.data is not None
    (tmp_path / "in" / "one_line_page.txt").write_bytes(spec.data())
    (tmp_path / "in" / "short.txt").write_text(hostile.SHORT_REPORT, encoding="utf-8")
    limit = max(600.0, 30 * SLOW_BIG_PAGE_MB)
    try:
        done = _ingest_subprocess(tmp_path / "in", tmp_path / "out", timeout=limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"ingest did not finish within {limit:.0f} s on a {SLOW_BIG_PAGE_MB:g} MB page on one line")
    assert done.returncode == 0, done.stderr[-3000:]
    run = HostileRun(HostileCorpus(tmp_path / "in"), tmp_path / "out", None,
                     read_table(tmp_path / "out", "documents"), read_table(tmp_path / "out", "sources"),
                     read_table(tmp_path / "out", "errors"))
    problems = problems_with(spec.expectation, run.outcome("one_line_page.txt"))
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- the summary line


def summarise(run: HostileRun) -> tuple[str, dict[str, int]]:
    counts = {"tried": 0, "ingested": 0, "rejected": 0, "crashed": 0, "unaccounted": 0}
    for path in run.corpus.expectations:
        outcome = run.outcome(path)
        counts["tried"] += 1
        if outcome.status == "rejected" and all(path in m for m in outcome.errors):
            counts["rejected"] += 1
        elif outcome.status in ("ingested", "crashed"):
            counts[outcome.status] += 1
        else:
            counts["unaccounted"] += 1
    line = (f"hostile corpus: tried {counts['tried']}, ingested {counts['ingested']}, rejected {counts['rejected']} "
            f"with a clear error, crashed {counts['crashed']}")
    if counts["unaccounted"]:
        line += f" (and {counts['unaccounted']} neither ingested nor rejected with a clear error)"
    if run.run_error is not None:
        line += " — the run itself failed"
    return line, counts


def test_hostile_corpus_summary_line(hostile_run: HostileRun, capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the summary line past pytest's capture, so it shows in CI logs whatever the flags."""
    line, counts = summarise(hostile_run)
    with capsys.disabled():
        sys.stderr.write(f"\n{line}\n")
    assert hostile_run.run_error is None, hostile_run.run_error
    assert counts["crashed"] == 0, line
    assert counts["unaccounted"] == 0, line
    assert counts["tried"] == counts["ingested"] + counts["rejected"]
