"""Benchmark `corpus-tools ingest` against plain single-process jieba on a scaled corpus.

Builds scaled corpora from the sample pages in data/raw (pages of re-sampled reports, see
``build_corpus``), then, in one run, measures on the headline corpus:

- the reference: plain ``jieba.lcut`` over the text of every page, one process;
- ``corpus-tools ingest`` with 1 worker, with ``--workers N`` (all cores) and with
  ``--scheduler local`` (a Dask LocalCluster; skipped with a note while the option does not
  exist), each with the jieba backend and with the fast backend
  (``CORPUS_TOOLS_SEGMENTER_BACKEND=jieba`` / ``rjieba``);
- a rerun: a second ``ingest`` into the same ``--out`` over the unchanged corpus;

and peak memory per process of the fast all-cores ingest on each ``--memory-sizes`` corpus.
Every measurement is repeated ``--repeat`` times and the median is printed: MB/s (input bytes
of the pages / wall seconds of the whole command), the ratio to the reference, and the peak
resident memory (VmHWM) of the driver and of the largest worker process. ``--profile`` adds a
pyinstrument profile of one 1-worker ingest with the time per stage.

    python benchmarks/ingest.py                         # 30 MB headline, 20/100 MB memory, 3 repeats
    python benchmarks/ingest.py --size-mb 5 --memory-sizes "" --repeat 1   # quick look
    python benchmarks/ingest.py --profile --only profile

Results are kept in docs/benchmarks.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BACKEND_ENV = "CORPUS_TOOLS_SEGMENTER_BACKEND"  # corpus_tools.segment.BACKEND_ENV
CORPUS_VERSION = 2  # bump when build_corpus changes, so cached corpora are rebuilt

_NUMERALS = "一二三四五六七八九十"
_MARKER_SUFFIX_RE = re.compile(r"[【\[]?篇\s*[一二三四五六七八九十0-9]+[】\]]?$")


# -- the scaled corpus ------------------------------------------------------------------------


def sample_reports(raw_dir: Path) -> list[tuple[str, list[str]]]:
    """``(title, body lines)`` of every report of the pages under ``raw_dir``, as ingest splits them."""
    sys.path.insert(0, str(REPO))
    from corpus_tools.clean import clean_page
    from corpus_tools.load import iter_source_paths, load_source
    from corpus_tools.split import split_reports

    reports = []
    for path in iter_source_paths(raw_dir):
        text = clean_page(load_source(path, raw_dir).text).text
        for span in split_reports(text):
            lines = [x for x in text[span.body_start : span.end].splitlines() if x.strip()]
            if lines:
                title = (span.title or "工会工作报告").strip("#* ")
                reports.append((_MARKER_SUFFIX_RE.sub("", title) or "工会工作报告", lines))
    return reports


def _synthetic_report(rng: random.Random, reports: Sequence[tuple[str, list[str]]], pool: Sequence[str],
                      keep: float) -> tuple[str, list[str]]:
    title, lines = rng.choice(reports)
    # keep the base report's first line and shape, swap the other paragraphs for random ones
    # from any report: the result reads like a report but is no near-copy of another
    body = [line if i == 0 or rng.random() < keep else rng.choice(pool) for i, line in enumerate(lines)]
    return title, body


def generate_pages(reports: Sequence[tuple[str, list[str]]], size_bytes: int, *, seed: int = 0,
                   keep: float = 0.5, duplicate_share: float = 0.05) -> Iterator[str]:
    """Page texts (Markdown-ish, like the scraped pages) until ``size_bytes`` of UTF-8 are reached.

    Each page holds 1-4 reports under a page title and 篇一/篇二 markers. A report is a sample
    report whose paragraphs are each kept with probability ``keep`` and otherwise replaced by a
    random paragraph of the sample; a ``duplicate_share`` of reports repeat an earlier one
    verbatim, so dedup has work to do. Deterministic for a given ``seed``.
    """
    rng = random.Random(seed)
    pool = [line for _, lines in reports for line in lines]
    made: list[tuple[str, list[str]]] = []
    total = 0
    while total < size_bytes:
        k = rng.choice((1, 1, 2, 3, 4))
        parts = []
        for i in range(k):
            if made and rng.random() < duplicate_share:
                title, body = rng.choice(made)
            else:
                title, body = _synthetic_report(rng, reports, pool, keep)
                made.append((title, body))
            heading = f"## {title}篇{_NUMERALS[i]}\n\n" if k > 1 else ""
            parts.append(heading + "\n\n".join(body))
        page_title = parts and f"# {rng.choice(reports)[0]}(精选{k}篇)\n\n"
        page = page_title + "\n\n".join(parts) + "\n"
        total += len(page.encode("utf-8"))
        yield page


def build_corpus(raw_dir: Path, out_dir: Path, size_mb: float, *, seed: int = 0) -> tuple[int, int]:
    """Write a scaled corpus of about ``size_mb`` MB into ``out_dir``; reuse it if already built.

    Returns ``(files, bytes)``. ``out_dir/manifest.json`` records what was built; pages are
    ``pages/page_000001.txt`` … (UTF-8).
    """
    manifest = out_dir / "manifest.json"
    want = dict(version=CORPUS_VERSION, size_mb=size_mb, seed=seed, raw=str(raw_dir.resolve()))
    if manifest.is_file():
        have = json.loads(manifest.read_text())
        if {k: have.get(k) for k in want} == want:
            return have["files"], have["bytes"]
    if out_dir.exists():
        shutil.rmtree(out_dir)
    pages_dir = out_dir / "pages"
    pages_dir.mkdir(parents=True)
    n_files = n_bytes = 0
    for n_files, page in enumerate(generate_pages(sample_reports(raw_dir), int(size_mb * 1e6), seed=seed), 1):
        data = page.encode("utf-8")
        (pages_dir / f"page_{n_files:06d}.txt").write_bytes(data)
        n_bytes += len(data)
    manifest.write_text(json.dumps(dict(want, files=n_files, bytes=n_bytes), indent=1))
    return n_files, n_bytes


# -- running and measuring a command ------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    returncode: int
    driver_peak_mb: float
    worker_peak_mb: float  # 0 when there were no child processes
    tree_peak_mb: float  # largest peak of any process of the tree (from wait4)
    cpu_seconds: float  # user + system time of the whole process tree
    processes: int
    stdout: str = ""
    stderr: str = ""


def _hwm_mb(pid: int) -> float | None:
    """Peak resident memory so far (VmHWM) of a process, in MB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


def run_measured(cmd: Sequence[str], env: dict[str, str], poll: float = 0.2) -> Run:
    """Run ``cmd``; wall time, exit status and the peak memory of it and its descendants."""
    import psutil

    out_f, err_f = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out_f, stderr=err_f)
    peaks: dict[int, float] = {}
    ps = psutil.Process(proc.pid)
    status = None
    while status is None:
        try:
            children = ps.children(recursive=True)
        except psutil.Error:
            children = []
        for pid in [proc.pid, *(c.pid for c in children)]:
            hwm = _hwm_mb(pid)
            if hwm is not None:
                peaks[pid] = max(peaks.get(pid, 0.0), hwm)
        pid, status_word, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == 0:
            time.sleep(poll)
            continue
        status = os.waitstatus_to_exitcode(status_word)
    seconds = time.perf_counter() - t0
    proc.returncode = status  # reaped by wait4; keep Popen from waiting again
    out_f.seek(0)
    err_f.seek(0)
    tree_peak = usage.ru_maxrss * 1024 / 1e6  # KiB on Linux; the largest process of the tree
    driver = peaks.get(proc.pid, 0.0)
    workers = max((v for k, v in peaks.items() if k != proc.pid), default=0.0)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, status, driver, workers, tree_peak, cpu, len(peaks),
               out_f.read().decode("utf-8", "replace"), err_f.read().decode("utf-8", "replace"))


_REFERENCE_CODE = r"""
import json, logging, pathlib, sys, time
import jieba
jieba.setLogLevel(logging.ERROR)
jieba.initialize()
texts = [p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(sys.argv[1]).glob("*.txt"))]
t0, c0 = time.perf_counter(), time.process_time()
n = 0
for t in texts:
    n += len(jieba.lcut(t))
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "tokens": n}))
"""


def _env(backend: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop(BACKEND_ENV, None)
    if backend:
        env[BACKEND_ENV] = backend
    return env


def _ingest_cmd(pages: Path, out: Path, extra: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "corpus_tools", "ingest", str(pages), "--out", str(out), "-q", *extra]


def ingest_supports(option: str) -> bool:
    """Whether this checkout's ``corpus-tools ingest`` has ``option`` (e.g. ``--scheduler``)."""
    help_text = subprocess.run([sys.executable, "-m", "corpus_tools", "ingest", "--help"], cwd=REPO,
                               env=_env(), capture_output=True, text=True).stdout
    return option in help_text


def rjieba_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("rjieba") is not None


# -- the benchmark ------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    seconds_override: list[float] | None = None  # the reference: the timed loop, not the process
    cpu_override: list[float] | None = None

    @property
    def seconds(self) -> float:
        values = self.seconds_override or [r.seconds for r in self.runs]
        return statistics.median(values)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(self.cpu_override or [r.cpu_seconds for r in self.runs])

    def peak(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


def _check(run: Run, what: str) -> None:
    if run.returncode != 0:
        tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"{what} exited with {run.returncode}:\n{tail}")


def measure_reference(pages: Path, repeat: int) -> Row:
    row = Row("plain `jieba.lcut`, 1 process (reference)")
    row.seconds_override, row.cpu_override = [], []
    for _ in range(repeat):
        run = run_measured([sys.executable, "-c", _REFERENCE_CODE, str(pages)], _env())
        _check(run, "the jieba reference")
        row.runs.append(run)
        timed = json.loads(run.stdout.strip().splitlines()[-1])
        row.seconds_override.append(timed["seconds"])
        row.cpu_override.append(timed["cpu"])
    return row


def measure_ingest(name: str, pages: Path, work: Path, extra: Sequence[str], backend: str, repeat: int,
                   rerun: Row | None = None) -> Row:
    row = Row(name)
    for i in range(repeat):
        out = work / f"out-{backend}-{i}"
        shutil.rmtree(out, ignore_errors=True)
        run = run_measured(_ingest_cmd(pages, out, extra), _env(backend))
        _check(run, name)
        row.runs.append(run)
        if rerun is not None:
            again = run_measured(_ingest_cmd(pages, out, extra), _env(backend))
            _check(again, rerun.name)
            rerun.runs.append(again)
        shutil.rmtree(out, ignore_errors=True)
    return row


def format_table(rows: Sequence[Row], n_bytes: int, reference: Row | None) -> str:
    lines = ["| run | MB/s | x reference | wall s | CPU s | peak MB driver | peak MB largest worker | runs |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        if not row.runs:
            lines.append(f"| {row.name} | – | – | – | – | – | – | {row.note} |")
            continue
        mbs = n_bytes / 1e6 / row.seconds
        ratio = f"{reference.seconds / row.seconds:.2f}" if reference and reference.runs else "–"
        worker = row.peak("worker_peak_mb")
        lines.append(f"| {row.name} | {mbs:.2f} | {ratio} | {row.seconds:.1f} | {row.cpu_seconds:.1f} | "
                     f"{row.peak('driver_peak_mb'):.0f} | "
                     f"{f'{worker:.0f}' if worker else '–'} | {len(row.runs)}{' ' + row.note if row.note else ''} |")
    return "\n".join(lines)


def machine_description() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (f"{cores} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average before the run {load}")


# -- profile ------------------------------------------------------------------------------------

# Each sampled moment of the profile goes to the innermost enclosing stage function below
# ((module under corpus_tools/, function names); an empty set means every function of the module),
# so the stages add up to the whole run. Segmentation called from other stages counts as segment.
STAGES = [
    ("load (decode, HTML)", "load.py", ["load_source"]),
    ("clean", "clean.py", ["clean_page"]),
    ("split", "split.py", ["split_reports"]),
    ("structure", "structure.py", ["parse_sections"]),
    ("segment", "segment.py", ["sentences", "sentence_token_strings", "tokenize", "cut", "__call__"]),
    ("extract (amounts, awards, activities, counts)", "extract/__init__.py", ["extract"]),
    ("dedup signatures", "dedup.py", ["signature", "signature_row", "signature_from_row"]),
    ("dedup across files", "dedup.py", ["find_duplicates"]),
    ("classify: rules per report (workers)", "classify.py", ["rule_labels"]),
    ("classify: fit the sector/genre model", "pipeline.py", ["_fit_model", "_fit_task", "_join_fitted"]),
    ("classify: label documents (workers)", "pipeline.py", ["_label_bucket"]),
    ("store (Arrow, Parquet, DuckDB)", "store.py", []),
    ("store (Arrow, Parquet, DuckDB)", "schema.py", ["to_arrow"]),
]

_PROFILE_CODE = r"""
import json, os, sys
from pyinstrument import Profiler
from corpus_tools.cli import cli
out_text, args = sys.argv[1], sys.argv[2:]
profiler = Profiler(interval=0.001)
profiler.start()
try:
    cli.main(args, prog_name="corpus-tools", standalone_mode=False)
finally:
    profiler.stop()
root = profiler.last_session.root_frame()
with open(out_text, "w", encoding="utf-8") as fh:
    fh.write(profiler.output_text(unicode=True, color=False, show_all=False))
stages = json.loads(os.environ["BENCH_STAGES"])
OTHER = "everything else (start-up, imports, rows, sorting, process plumbing)"
totals, selfs = {}, {}
def stage_of(frame):
    path = (frame.file_path or "").replace(os.sep, "/")
    for label, module, funcs in stages:
        if path.endswith("corpus_tools/" + module) and (not funcs or frame.function in funcs):
            return label
    return None
stack = [(root, OTHER)]
while stack:
    frame, label = stack.pop()
    label = stage_of(frame) or label
    own = frame.time - sum(c.time for c in frame.children)
    totals[label] = totals.get(label, 0.0) + own
    if not (frame.function or "").startswith("["):
        key = (frame.function, frame.file_path_short or "", frame.line_no or 0)
        selfs[key] = selfs.get(key, 0.0) + frame.total_self_time
    stack.extend((c, label) for c in frame.children)
top = sorted(selfs.items(), key=lambda kv: -kv[1])[:40]
print(json.dumps({"wall": root.time, "stages": totals, "other": OTHER,
                  "top_self": [[f, p, ln, t] for (f, p, ln), t in top]}))
"""


def profile_ingest(pages: Path, work: Path, backend: str) -> tuple[dict, Path]:
    out = work / "out-profile"
    shutil.rmtree(out, ignore_errors=True)
    text_path = work / f"profile-{backend}.txt"
    env = _env(backend)
    env["BENCH_STAGES"] = json.dumps(STAGES)
    args = ["ingest", str(pages), "--out", str(out), "-q", "--workers", "1"]
    proc = subprocess.run([sys.executable, "-c", _PROFILE_CODE, str(text_path), *args], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"profiled ingest failed:\n{proc.stderr[-3000:]}")
    shutil.rmtree(out, ignore_errors=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]), text_path


def format_profile(result: dict, n_bytes: int) -> str:
    wall = result["wall"]
    lines = ["| stage | seconds | share of the run | MB/s of this stage alone |", "|---|---|---|---|"]
    labels = list(dict.fromkeys(label for label, _, _ in STAGES)) + [result["other"]]
    for label in labels:
        s = result["stages"].get(label, 0.0)
        speed = f"{n_bytes / 1e6 / s:.1f}" if s > 0.005 else "–"
        lines.append(f"| {label} | {s:.2f} | {100 * s / wall:.0f}% | {speed} |")
    lines.append(f"| **whole run** | {wall:.2f} | 100% | {n_bytes / 1e6 / wall:.2f} |")
    lines += ["", "Functions with the most time of their own (self time, all callers):", "",
              "| function | where | self seconds |", "|---|---|---|"]
    for func, path, line, t in result["top_self"][:25]:
        lines.append(f"| `{func}` | {path}:{line} | {t:.2f} |")
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", type=Path, default=REPO / "data" / "raw", help="sample pages to re-sample")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "corpus-tools-bench",
                    help="folder for the scaled corpora (kept and reused) and the outputs")
    ap.add_argument("--size-mb", type=float, default=30.0, help="size of the headline corpus (MB of UTF-8)")
    ap.add_argument("--memory-sizes", default="20,100",
                    help="comma-separated corpus sizes (MB) for the peak-memory comparison; '' for none")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (medians are printed)")
    ap.add_argument("--workers", type=int, default=None, help="'all cores' (default: the usable cores)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="reference,jieba,fast,rerun,memory",
                    help="comma-separated parts: reference, jieba, fast, rerun, memory, profile")
    ap.add_argument("--modes", default="1,all,dask",
                    help="comma-separated ingest modes to run: 1 (one worker), all (all cores), dask")
    ap.add_argument("--profile", action="store_true", help="also profile one 1-worker ingest (pyinstrument)")
    ap.add_argument("--json", type=Path, help="also write the medians here")
    args = ap.parse_args(argv)
    parts = set(filter(None, args.only.split(",")))
    if args.profile:
        parts.add("profile")
    workers = args.workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())

    print(f"machine: {machine_description()}", flush=True)
    corpus = args.work / f"corpus-{args.size_mb:g}mb-seed{args.seed}"
    n_files, n_bytes = build_corpus(args.raw, corpus, args.size_mb, seed=args.seed)
    pages = corpus / "pages"
    print(f"headline corpus: {n_files} pages, {n_bytes / 1e6:.1f} MB ({pages})", flush=True)

    has_fast = rjieba_installed()
    has_scheduler = ingest_supports("--scheduler")
    fast_note = "" if has_fast else "skipped: rjieba not installed (pip install 'corpus-tools[fast]')"
    dask_note = "" if has_scheduler else "skipped: this checkout's ingest has no --scheduler option yet"

    reference = None
    rows: list[Row] = []
    if "reference" in parts:
        reference = measure_reference(pages, args.repeat)
        rows.append(reference)
        print(f"  reference: {n_bytes / 1e6 / reference.seconds:.2f} MB/s", flush=True)
    plans = []
    for backend, label, wanted in (("jieba", "jieba", "jieba" in parts), ("rjieba", "fast (rjieba)", "fast" in parts)):
        if not wanted:
            continue
        modes = set(filter(None, args.modes.split(",")))
        plans += [plan for mode, plan in (
            ("1", (backend, f"ingest, {label}, 1 worker", ["--workers", "1"], None)),
            ("all", (backend, f"ingest, {label}, {workers} workers", ["--workers", str(workers)], None)),
            ("dask", (backend, f"ingest, {label}, Dask LocalCluster", ["--scheduler", "local"], dask_note)),
        ) if mode in modes]
    rerun_row = Row("rerun on the unchanged corpus, fast, all workers") if "rerun" in parts else None
    full_for_rerun: Row | None = None
    for backend, name, extra, skip in plans:
        if skip or (backend == "rjieba" and not has_fast):
            rows.append(Row(name, note=skip or fast_note))
            continue
        with_rerun = rerun_row if (rerun_row is not None and backend == ("rjieba" if has_fast else "jieba")
                                   and extra == ["--workers", str(workers)]) else None
        row = measure_ingest(name, pages, args.work, extra, backend, args.repeat, rerun=with_rerun)
        rows.append(row)
        if with_rerun is not None:
            full_for_rerun = row
        print(f"  {name}: {n_bytes / 1e6 / row.seconds:.2f} MB/s", flush=True)

    if rows:
        print()
        print(f"## Throughput on {n_bytes / 1e6:.1f} MB ({n_files} pages), medians of {args.repeat} runs")
        print()
        print(format_table(rows, n_bytes, reference))
    summary: dict = {"machine": machine_description(), "bytes": n_bytes, "files": n_files,
                     "rows": {r.name: {"seconds": r.seconds, "runs": [vars(x) | {"stdout": "", "stderr": ""}
                                                                       for x in r.runs]}
                              for r in rows if r.runs}}
    if rerun_row is not None and rerun_row.runs and full_for_rerun is not None:
        share = rerun_row.seconds / full_for_rerun.seconds
        print()
        print(f"rerun (second `ingest` into the same --out, corpus unchanged): {rerun_row.seconds:.1f} s = "
              f"{100 * share:.1f}% of the full run ({full_for_rerun.seconds:.1f} s; target <= 5%)")
        summary["rerun_share"] = share

    if "memory" in parts and args.memory_sizes.strip():
        sizes = [float(s) for s in args.memory_sizes.split(",") if s.strip()]
        backend = "rjieba" if has_fast else "jieba"
        mem_rows = []
        for size in sizes:
            c = args.work / f"corpus-{size:g}mb-seed{args.seed}"
            nf, nb = build_corpus(args.raw, c, size, seed=args.seed)
            row = measure_ingest(f"{nb / 1e6:.0f} MB, {nf} pages", c / "pages", args.work,
                                 ["--workers", str(workers)], backend, max(1, args.repeat // 2 + 1) if size <= 30
                                 else 1)
            mem_rows.append((size, nb, row))
            print(f"  memory run {size:g} MB: driver {row.peak('driver_peak_mb'):.0f} MB, "
                  f"worker {row.peak('worker_peak_mb'):.0f} MB", flush=True)
        print()
        print(f"## Peak memory per process, ingest with {workers} workers, backend {backend}")
        print()
        print("| corpus | MB/s | peak MB driver | peak MB largest worker | peak MB any process (wait4) |")
        print("|---|---|---|---|---|")
        for _, nb, row in mem_rows:
            print(f"| {row.name} | {nb / 1e6 / row.seconds:.2f} | {row.peak('driver_peak_mb'):.0f} | "
                  f"{row.peak('worker_peak_mb'):.0f} | {row.peak('tree_peak_mb'):.0f} |")
        if len(mem_rows) >= 2:
            (_, _, small), (_, _, big) = mem_rows[0], mem_rows[-1]
            for attr, label in (("driver_peak_mb", "driver"), ("worker_peak_mb", "largest worker")):
                a, b = small.peak(attr), big.peak(attr)
                if a:
                    print(f"{label}: {b / a:.2f}x from {small.name} to {big.name} (target: within 1.10x)")
        summary["memory"] = {r.name: {"driver": r.peak("driver_peak_mb"), "worker": r.peak("worker_peak_mb"),
                                      "tree": r.peak("tree_peak_mb"), "seconds": r.seconds} for _, _, r in mem_rows}

    if "profile" in parts:
        backend = "rjieba" if has_fast else "jieba"
        result, text_path = profile_ingest(pages, args.work, backend)
        print()
        print(f"## Where the time goes: one 1-worker ingest of {n_bytes / 1e6:.1f} MB, backend {backend} "
              f"(pyinstrument; full tree in {text_path})")
        print()
        print(format_profile(result, n_bytes))
        summary["profile"] = result
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
