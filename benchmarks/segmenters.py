"""Compare jieba-compatible segmenters with jieba on the bundled pages, union dictionary loaded.

For every engine that is installed: build time, speed (MB/s of UTF-8 text, one process, each
sentence cut on its own as ``corpus-tools ingest`` does; median of ``--repeat`` runs over the
same text), agreement with jieba (share of sentences whose words are identical) and whether it
honours the union dictionary (every entry one token on its own; every place where jieba keeps a
dictionary term whole in the sample sentences, the engine does too). Prints a Markdown table
(kept in docs/segmentation.md).

    pip install jieba-fast jieba-fast-dat --pre jieba-next rjieba   # whatever you want compared
    python benchmarks/segmenters.py [--raw data/raw] [--repeat 7] [--copies 4]

Not part of the test suite: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpus_tools.clean import clean_page  # noqa: E402
from corpus_tools.load import iter_source_paths, load_source  # noqa: E402
from corpus_tools.segment import DictEntry, Segmenter, domain_dictionary, split_sentences  # noqa: E402
from corpus_tools.split import split_reports  # noqa: E402

Cut = Callable[[str], list[str]]


def sample_sentences(raw_dir: Path) -> list[str]:
    """The sentences of every report of every page under ``raw_dir``, as ingest sees them."""
    sentences = []
    for path in iter_source_paths(raw_dir):
        text = clean_page(load_source(path, raw_dir).text).text
        for span in split_reports(text):
            report = text[span.start : span.end]
            sentences += [report[s:e] for s, e in split_sentences(report)]
    return sentences


def _jieba_like(module_name: str, entries: Sequence[DictEntry], cache_dir: str) -> Cut:
    """A private Tokenizer of a jieba fork (same API as jieba) with the dictionary added."""
    module = __import__(module_name)
    tokenizer = module.Tokenizer()
    tokenizer.tmp_dir = cache_dir
    tokenizer.initialize()
    for e in entries:
        tokenizer.add_word(e.word, e.freq, e.tag)
    return lambda text: list(tokenizer.lcut(text, HMM=True))


def _rjieba_raw(entries: Sequence[DictEntry]) -> Cut:
    import rjieba

    j = rjieba.Jieba()
    for e in entries:
        j.add_word(e.word, e.freq, e.tag)
    return lambda text: j.cut(text, True)


def _segmenter(backend: str) -> Cut:
    seg = Segmenter(backend=backend)
    seg.cut("工会")  # build now, not inside the timed loop
    return seg.cut


def candidates(entries: Sequence[DictEntry], cache_dir: str) -> dict[str, tuple[str, Callable[[], Cut]]]:
    """name -> (package, factory); the factory raises ImportError when the package is missing."""
    return {
        "jieba (reference)": ("jieba", lambda: _segmenter("jieba")),
        "jieba-fast": ("jieba_fast", lambda: _jieba_like("jieba_fast", entries, cache_dir)),
        "jieba-next": ("jieba_next", lambda: _jieba_like("jieba_next", entries, cache_dir)),
        "jieba-fast-dat": ("jieba_fast_dat", lambda: _jieba_like("jieba_fast_dat", entries, cache_dir)),
        "rjieba, as is": ("rjieba", lambda: _rjieba_raw(entries)),
        "rjieba + corpus-tools fixes (backend='rjieba')": ("rjieba", lambda: _segmenter("rjieba")),
    }


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    dist = {"jieba_fast": "jieba-fast", "jieba_next": "jieba-next", "jieba_fast_dat": "jieba-fast-dat"}
    try:
        return version(dist.get(package, package))
    except PackageNotFoundError:
        return "?"


def speed(cut: Cut, sentences: Sequence[str], repeat: int) -> float:
    """Median MB/s (UTF-8 bytes) of cutting every sentence on its own."""
    n_bytes = sum(len(s.encode("utf-8")) for s in sentences)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for s in sentences:
            cut(s)
        times.append(time.perf_counter() - t0)
    return n_bytes / 1e6 / statistics.median(times)


def _with_offsets(words: list[str]) -> set[tuple[str, int]]:
    out, pos = set(), 0
    for w in words:
        out.add((w, pos))
        pos += len(w)
    return out


def compare(cut: Cut, reference: list[list[str]], sentences: Sequence[str], terms: set[str]) -> dict:
    """Agreement with the reference words and union-dictionary terms the engine splits."""
    same = 0
    kept = split = 0
    split_terms: set[str] = set()
    for sentence, ref_words in zip(sentences, reference, strict=True):
        words = cut(sentence)
        same += words == ref_words
        ours = _with_offsets(words)
        for w, pos in _with_offsets(ref_words):
            if w in terms:
                if (w, pos) in ours:
                    kept += 1
                else:
                    split += 1
                    split_terms.add(w)
    alone = sorted(t for t in terms if cut(t) != [t])
    return dict(agree=same / len(sentences), differ=len(sentences) - same, in_context=kept + split,
                split_in_context=split, split_terms=sorted(split_terms), split_alone=alone)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", type=Path, default=REPO / "data" / "raw", help="folder of sample pages")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per engine (median is shown)")
    ap.add_argument("--copies", type=int, default=4, help="cut the sample text this many times per run")
    args = ap.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.ERROR)
    os.environ.pop("CORPUS_TOOLS_SEGMENTER_BACKEND", None)

    sentences = sample_sentences(args.raw)
    entries = domain_dictionary()
    terms = {e.word for e in entries}
    timed = sentences * args.copies
    n_bytes = sum(len(s.encode("utf-8")) for s in sentences)
    print(f"{len(sentences)} sentences, {n_bytes / 1e6:.2f} MB of UTF-8 ({args.copies} copies per timed run), "
          f"{len(terms)} union-dictionary terms; python {sys.version.split()[0]}")
    rows = []
    reference: list[list[str]] | None = None
    with tempfile.TemporaryDirectory() as cache_dir:
        for name, (package, factory) in candidates(entries, cache_dir).items():
            try:
                t0 = time.perf_counter()
                cut = factory()
                build = time.perf_counter() - t0
            except ImportError as exc:
                rows.append(f"| {name} | not installed ({exc.name}) | | | | |")
                continue
            if reference is None:
                reference = [cut(s) for s in sentences]
            mbs = speed(cut, timed, args.repeat)
            c = compare(cut, reference, sentences, terms)
            dict_ok = not c["split_in_context"] and not c["split_alone"]
            detail = "yes" if dict_ok else (
                f"no: {len(c['split_alone'])} split alone, {c['split_in_context']} of {c['in_context']} "
                f"in context ({', '.join(c['split_terms'][:4])}{' …' if len(c['split_terms']) > 4 else ''})")
            rows.append(f"| {name} | {_version(package)} | {build:.2f} | {mbs:.2f} | "
                        f"{100 * c['agree']:.2f}% ({c['differ']} differ) | {detail} |")
            print(f"  measured {name}", file=sys.stderr)
    print()
    print("| engine | version | build s | MB/s | sentences identical to jieba | keeps every union term whole |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
