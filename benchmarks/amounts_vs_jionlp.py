"""Score our amount extractor against jionlp's ``extract_money`` on the dev gold, side by side.

Both extractors see the same report texts (clean → split, as ingest does) and are scored by the
project's scorer (``score.py seeds``), so the only difference is the amount extractor::

    python benchmarks/amounts_vs_jionlp.py --seeds ../shared/seeds --gold ../shared/gold \\
        --scorer ../shared/eval/score.py

jionlp is not a dependency of corpus-tools; install it to run this (``pip install jionlp``).
jionlp is shown two ways: "as is" takes its parsed number whatever the currency (100亿美元 →
1e10 yuan), "yuan only" gives non-yuan amounts no value, as our tables do. Both take the lower
end of a blurred range (10万余元 → [100000, 200000] → 100000), which is what the gold records.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus_tools.clean import clean_page  # noqa: E402
from corpus_tools.extract import find_amounts  # noqa: E402
from corpus_tools.split import split_reports  # noqa: E402

METRICS = ("amount_p", "amount_r", "amount_f1", "amount_value_acc")


def ours(text: str) -> list[dict]:
    return [a.row() for a in find_amounts(text)]


def jionlp_amounts(*, yuan_only: bool) -> Callable[[str], list[dict]]:
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp

    def extract(text: str) -> list[dict]:
        rows = []
        for item in jionlp.ner.extract_money(text, with_parsing=True):
            start, end = item["offset"]
            detail = item.get("detail") or {}
            num = detail.get("num")
            if isinstance(num, list):
                num = num[0]
            value = float(num) if num is not None else None
            if yuan_only and detail.get("case") != "元":
                value = None
            rows.append(dict(start=start, end=end, text=text[start:end], value_yuan=value,
                             approx=detail.get("definition") == "blur", masked=False, purpose=None, section_id=None))
        return rows

    return extract


def reports(seeds: Path) -> list[dict]:
    docs = []
    for path in sorted(seeds.glob("*.txt")):
        cleaned = clean_page(path.read_text(encoding="utf-8"))
        for span in split_reports(cleaned.text):
            doc_id = hashlib.sha256(f"{path.name}\0{span.report_index}".encode()).hexdigest()[:16]
            docs.append(dict(doc_id=doc_id, source_file=path.name, report_index=span.report_index,
                             text=cleaned.text[span.start:span.end]))
    return docs


def score(docs: list[dict], extract: Callable[[str], list[dict]], scorer, gold: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rows = [dict(doc_id=d["doc_id"], **r) for d in docs for r in extract(d["text"])]
        pd.DataFrame(docs).to_parquet(out / "documents.parquet")
        pd.DataFrame(rows, columns=["doc_id", "start", "end", "text", "value_yuan", "approx", "masked", "purpose",
                                    "section_id"]).to_parquet(out / "amounts.parquet")
        return scorer.score_seeds(out, gold)


#: the forms the issue lists, one sentence each: (sentence, the amount as written or None for a
#: trap, its value in yuan); a case passes when the extractor finds exactly that span and value
FORMS: tuple[tuple[str, str | None, float | None], ...] = (
    ("年初经费余额8721.40元。", "8721.40元", 8721.40),
    ("发放奖金10万余元。", "10万余元", 100000),
    ("投入资金近6万元。", "近6万元", 60000),
    ("基金总额达到587.8万元。", "587.8万元", 5878000),
    ("捐款三万元。", "三万元", 30000),
    ("每人两百元人民币。", "两百元人民币", 200),
    ("共计¥2000。", "¥2000", 2000),
    ("投资1.2亿元。", "1.2亿元", 120000000),
    ("捐款3 000元。", "3 000元", 3000),
    ("捐款￥3,000.00。", "￥3,000.00", 3000),
    ("捐款3000 元。", "3000 元", 3000),
    ("捐款人民币3000元。", "人民币3000元", 3000),
    ("自发捐款4万5千元。", "4万5千元", 45000),
    ("缴纳工会经费（6）万元。", "（6）万元", 60000),
    ("补助金额140余万元。", "140余万元", 1400000),
    ("发放困难补助xx万元。", "xx万元", None),
    ("对口捐助x万元。", "x万元", None),
    ("慰问金×元。", "×元", None),
    ("共计¥20xx。", "¥20xx", None),
    ("开展元旦慰问。", None, None),
    ("组织10万人参加。", None, None),
    ("年产5万吨。", None, None),
    ("按篇计酬，元/篇。", None, None),
    ("抓好631个重点项目。", None, None),
    ("统一思想。", None, None),
)


def forms_passed(extract: Callable[[str], list[dict]]) -> int:
    passed = 0
    for sentence, span, value in FORMS:
        rows = extract(sentence)
        if span is None:
            passed += not rows
        elif len(rows) == 1 and rows[0]["text"] == span and (
                rows[0]["value_yuan"] == value or (value is not None and rows[0]["value_yuan"] is not None
                                                   and abs(rows[0]["value_yuan"] - value) < 0.01)):
            passed += 1
    return passed


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    ap.add_argument("--gold", type=Path, default=REPO.parent / "shared" / "gold")
    ap.add_argument("--scorer", type=Path, default=REPO.parent / "shared" / "eval" / "score.py")
    args = ap.parse_args(argv)
    scorer = load_scorer(args.scorer)
    docs = reports(args.seeds)
    results = {}
    extractors = (("corpus-tools find_amounts", ours),
                  ("jionlp extract_money (as is)", jionlp_amounts(yuan_only=False)),
                  ("jionlp extract_money (yuan only)", jionlp_amounts(yuan_only=True)))
    for name, extract in extractors:
        t0 = time.perf_counter()
        res = score(docs, extract, scorer, args.gold)
        counts = res["counts"]
        results[name] = {**{m: res[m] for m in METRICS}, "tp": counts["am_tp"], "pred": counts["am_pred"],
                         "gold": counts["am_gold"], "seconds": round(time.perf_counter() - t0, 2),
                         "issue_forms": f"{forms_passed(extract)}/{len(FORMS)}"}
    cols = [*METRICS, "tp", "pred", "gold", "seconds", "issue_forms"]
    width = max(len(n) for n in results)
    print(f"{'extractor':<{width}}  " + "  ".join(f"{c:>{len(c)}}" for c in cols))
    for name, r in results.items():
        print(f"{name:<{width}}  " + "  ".join(f"{r[c]!s:>{len(c)}}" for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
