"""Sector: the keyword-count baseline against corpus_tools.classify, side by side.

The baseline is the obvious approach: count 医院 / 法院 / 学校 / 公司 / 机关 / 总工会 in the report
and take the most frequent (no keyword at all: "other"). It is scored with the layered classifier
(and its rule layer alone) on three sets:

* dev gold: the hand-annotated reports in shared/gold (pages 002 and 004);
* seed pages: all reports of the five pages in shared/seeds, with the maintainers' own sector
  labels (``SEED_LABELS`` below: not gold, but checked report by report);
* adversarial: short reports written to break keyword counting (``ADVERSARIAL`` below): a school
  report that mentions hospital visits, a court union report full of 企业/公司 words,
  Traditional script, pinyin glosses, navigation and watermark noise, censored names.

Run from the repository root (the numbers in docs/classification.md come from this command)::

    python benchmarks/sector_baseline.py --seeds ../shared/seeds --gold ../shared/gold

``--details`` also prints every report the baseline or the classifier gets wrong.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import re
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpus_tools.classify import classify_documents, cross_validate, load_lexicons, rule_sector  # noqa: E402
from corpus_tools.clean import clean_page  # noqa: E402
from corpus_tools.segment import Segmenter  # noqa: E402
from corpus_tools.split import split_reports  # noqa: E402

BASELINE_KEYWORDS = (("医院", "hospital"), ("法院", "court"), ("学校", "school"), ("公司", "enterprise"),
                     ("机关", "government"), ("总工会", "federation"))


def keyword_baseline(text: str) -> str:
    """argmax of the keyword counts (ties: the first keyword in the list); no keyword: other."""
    counts = [text.count(k) for k, _ in BASELINE_KEYWORDS]
    if max(counts) == 0:
        return "other"
    return BASELINE_KEYWORDS[counts.index(max(counts))][1]


# (seed file prefix, report index) -> sector, for every report the splitter finds in the seed pages.
# The maintainers' reading of each report's own text (the page titles are ignored).
SEED_LABELS = {
    ("000", 1): "hospital", ("000", 2): "federation", ("000", 3): "school", ("000", 4): "federation",
    ("000", 5): "enterprise", ("000", 6): "federation", ("000", 7): "court", ("000", 8): "court",
    ("000", 9): "court", ("000", 10): "government",
    ("001", 1): "enterprise", ("001", 2): "government", ("001", 3): "school", ("001", 4): "federation",
    ("001", 5): "other", ("001", 6): "other", ("001", 7): "hospital", ("001", 8): "federation",
    ("001", 9): "school", ("001", 10): "school", ("001", 11): "government", ("001", 12): "school",
    ("001", 13): "hospital",
    ("002", 1): "hospital", ("002", 2): "hospital", ("002", 3): "hospital", ("002", 4): "government",
    ("002", 5): "hospital", ("002", 6): "hospital",
    ("003", 1): "federation", ("003", 2): "hospital", ("003", 3): "enterprise", ("003", 4): "hospital",
    ("003", 5): "school", ("003", 6): "school", ("003", 7): "government", ("003", 8): "government",
    ("003", 9): "government",
    ("004", 1): "school", ("004", 2): "school", ("004", 3): "enterprise", ("004", 4): "enterprise",
    ("004", 5): "hospital",
}

# Reports written to break keyword counting; each names the phenomenon it stands for.
ADVERSARIAL = [
    {"id": "school_mentions_hospital_visits", "sector": "school", "text": (
        "20xx年，我校工会在县教育工会和学校党支部的领导下，紧紧围绕教育教学中心工作，团结带领全体教职工，较好地完成了各项任务。\n"
        "一、关心教职工身心健康。年初组织全体教职工到县人民医院进行健康体检，并请医院专家来校举办健康讲座；"
        "工会委员先后8次到医院看望生病住院的教师，为2名患病教师申请了困难补助。与县中医院联合开展“送健康进校园”活动，医院为退休教师义诊。\n"
        "二、加强师德建设。组织教师开展师德师风学习，举办青年教师教学基本功竞赛，评选优秀班主任5名。\n"
        "三、推进民主管理。召开第三届教代会第二次会议，教师代表提交提案12件，校务公开做到了经常化。")},
    {"id": "court_union_full_of_enterprise_words", "sector": "court", "text": (
        "一年来，我院工会在院党组和市总工会的正确领导下，围绕服务企业发展、优化营商环境的大局开展工作。\n"
        "组织干警走访辖区企业32家，为公司、企业提供法律咨询，帮助企业完善劳动用工制度；配合审判业务庭开展“送法进企业”活动，"
        "向企业职工宣讲劳动合同法；审结涉企劳动争议案件86件，为公司挽回损失。会同市工商联召开公司企业家座谈会，听取企业和公司对审判工作的意见。\n"
        "工会还组织干警开展篮球赛、读书会，慰问困难干警6人次，努力把法院工会建成干警之家。")},
    {"id": "traditional_script_hospital", "sector": "hospital", "text": (
        "二〇一三年，在醫院黨委和上級工會的正確領導下，院工會緊緊圍繞“以病人為中心”的服務理念，認真履行工會職能。\n"
        "一、開展臨床技能競賽。與醫務部、護理部聯合舉辦第二屆臨床基本技能勞動競賽，全院八百多名醫護人員參賽。\n"
        "二、關心職工生活。走訪慰問生病住院職工五十餘人次，發放慰問金三萬餘元。\n"
        "三、構建和諧醫患關係。組織醫務人員深入社區義診十二次，受到患者好評。")},
    {"id": "traditional_script_court_with_companies", "sector": "court", "text": (
        "二〇一四年，我院工會在院黨組的領導下，組織幹警開展“審判質效競賽”，全年審結案件三千餘件。\n"
        "工會組織幹警走訪轄區公司二十家，為公司提供司法建議，參加公司舉辦的勞動爭議調解培訓；"
        "法院工會還舉辦了乒乓球比賽和讀書分享會，慰問困難幹警八人次。")},
    {"id": "pinyin_glosses_school", "sector": "school", "text": (
        "20xx年，学(xué)校(xiào)工会在校党委的领导下，团结全体教(jiào)职(zhí)工，扎实推进各项工作。\n"
        "我校工会组织教师到市第一医(yī)院体检，邀请医院专家举办健康讲座；在医院看望住院教师3人次。\n"
        "工会配合教务处举办青年教师课堂教学大赛，推进师德建设；召开教代会，审议通过《绩效工资分配方案》。")},
    {"id": "navigation_and_watermarks_government", "sector": "government", "text": (
        "首页 > 工作报告 > 医院工作报告 | 学校工作报告 | 公司工作报告\n"
        "20xx年，我局工会在局党组和市直机关工会的领导下，围绕全局中心工作，积极履行工会职能。本文来自医院范文网 www.yiyuanfanwen.com\n"
        "一、加强机关干部职工思想建设。组织局机关干部职工学习党的路线方针政策，开展依法行政知识竞赛。\n"
        "二、关心干部职工生活。慰问困难职工15户，为局机关干部职工办理互助保险。【医院工会范文网】\n"
        "相关推荐：医院工会工作总结 医院工会工作计划 学校工会工作总结 医院工会换届报告\n"
        "上一篇：医院工会工作报告范文")},
    {"id": "censored_names_hospital", "sector": "hospital", "text": (
        "****年，在**党委和上级工会的正确领导下，我院工会紧紧围绕“以病人为中心”的服务宗旨，团结全院职工，较好地完成了各项任务。\n"
        "一、深化劳动竞赛。联合护理部开展护理技能比武，组织临床一线医护人员开展急救技能竞赛，参赛医生、护士共320人。\n"
        "二、关爱职工。为一线医务人员送清凉，慰问生病住院职工40人次；组织职工子女参加暑期学校，帮助职工解决子女入学困难，走访学校3所。")},
    {"id": "federation_names_many_companies", "sector": "federation", "text": (
        "20xx年，街道总工会在区总工会和街道党工委的领导下，以推进非公企业建会为重点，全面加强基层工会建设。\n"
        "全年新建企业工会35家，新发展会员2100人，辖区企业建会率达到95%。宁波某化工有限公司工会、某纺织有限公司工会完成主席直选；"
        "指导某物流公司、某电子公司开展工资集体协商，覆盖公司职工3000多人。\n"
        "街道总工会还组织各基层工会开展劳动竞赛，举办职工运动会，为困难职工建档48户。")},
    {"id": "government_bureau_mentions_schools", "sector": "government", "text": (
        "过去一年，局机关工会在局党组的领导下，紧紧围绕全局中心工作开展活动。组织干部职工赴结对帮扶的希望学校捐款捐物，"
        "为两所山区学校送去图书2000册；组织机关干部到学校开展“送法进校园”宣讲，慰问学校留守儿童。\n"
        "工会还组织局机关干部职工开展依法行政知识竞赛，举办迎新春文艺汇演，走访慰问困难干部职工12户。")},
    {"id": "hotel_union_under_organ_union", "sector": "enterprise", "text": (
        "四年来，宾馆工会在机关工会、机关党委的关心指导下，在宾馆行政的大力支持下，围绕宾馆经营目标开展工作。\n"
        "组织员工开展客房服务技能比武和餐饮服务竞赛，推行厂务公开，召开职代会审议宾馆经营方案；"
        "向机关工会推荐优秀员工6名，关心一线员工生活，为客户提供更优质的服务，宾馆营业收入同比增长12%。")},
]


def _norm_key(s: str) -> str:
    s = unicodedata.normalize("NFKC", s or "")
    return re.sub(r"[\s#*`|]+", "", s.replace("\\*", "*"))


def seed_documents(seeds: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(seeds.glob("*.txt")):
        cleaned = clean_page(path.read_text(encoding="utf-8")).text
        for span in split_reports(cleaned):
            rows.append({"doc_id": f"{path.stem}#{span.report_index}", "file": path.name,
                         "report_index": span.report_index, "text": cleaned[span.start:span.end]})
    return pd.DataFrame(rows)


def gold_sectors(gold_dir: Path, docs: pd.DataFrame) -> dict[str, str]:
    """doc_id -> gold sector, matching each gold report to the document that begins with its first words."""
    out = {}
    for gf in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        fd = docs[docs["file"] == gold["file"]]
        for g in gold["reports"]:
            key = _norm_key(g.get("first_words"))[:14]
            for doc_id, text in zip(fd["doc_id"], fd["text"], strict=True):
                pos = _norm_key(text).find(key)
                if key and 0 <= pos <= 400:
                    out[doc_id] = g["sector"]
                    break
    return out


def _has_tabulate() -> bool:
    return importlib.util.find_spec("tabulate") is not None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    ap.add_argument("--gold", type=Path, default=REPO.parent / "shared" / "gold")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--cv", action="store_true",
                    help="also cross-validate the layered classifier with the seed-page labels as --labels")
    args = ap.parse_args()
    logging.getLogger("jieba").setLevel(logging.ERROR)

    seeds = seed_documents(args.seeds)
    seeds["truth"] = [SEED_LABELS.get((f[:3], i)) for f, i in zip(seeds["file"], seeds["report_index"], strict=True)]
    adv = pd.DataFrame([{"doc_id": f"adv:{a['id']}", "text": a["text"], "truth": a["sector"]} for a in ADVERSARIAL])
    corpus = pd.concat([seeds[["doc_id", "text"]], adv[["doc_id", "text"]]], ignore_index=True)

    t0 = time.perf_counter()
    result = classify_documents(corpus, segmenter=Segmenter(), seed=args.seed)
    seconds = time.perf_counter() - t0
    ours = dict(zip(result.predictions["doc_id"], result.predictions["sector"], strict=True))
    lexicons = load_lexicons()
    rules = {d: rule_sector(t, lexicons=lexicons).label for d, t in zip(corpus["doc_id"], corpus["text"], strict=True)}
    base = {d: keyword_baseline(t) for d, t in zip(corpus["doc_id"], corpus["text"], strict=True)}

    gold = gold_sectors(args.gold, seeds)
    sets = {
        "dev gold (shared/gold)": gold,
        "seed pages (maintainers' labels)": {d: t for d, t in zip(seeds["doc_id"], seeds["truth"], strict=True) if t},
        "adversarial (constructed)": dict(zip(adv["doc_id"], adv["truth"], strict=True)),
    }
    print(f"classified {len(corpus)} reports in {seconds:.1f} s (seed {args.seed})\n")
    print("| set | reports | keyword baseline | rules only | rules + model (ours) |")
    print("|---|---|---|---|---|")
    for name, truth in sets.items():
        n = len(truth)

        def acc(pred, truth=truth, n=n):
            ok = sum(pred[d] == t for d, t in truth.items())
            return f"{ok}/{n} = {ok / n:.2f}" if n else "n/a"

        print(f"| {name} | {n} | {acc(base)} | {acc(rules)} | {acc(ours)} |")
    if args.cv:
        labels = seeds.loc[seeds["truth"].notna(), ["doc_id", "truth"]].rename(columns={"truth": "sector"})
        cv, confusion = cross_validate(seeds[["doc_id", "text"]], labels, segmenter=Segmenter(), seed=args.seed)
        print(f"\ncross-validated sector, seed-page labels as --labels ({int(cv['n_splits'].iloc[0])} folds):\n")
        print(cv.drop(columns=["task", "n_splits"]).to_markdown(index=False) if _has_tabulate()
              else cv.drop(columns=["task", "n_splits"]).to_string(index=False))
    if args.details:
        print()
        for name, truth in sets.items():
            for d, t in truth.items():
                if base[d] != t or ours[d] != t:
                    print(f"{name[:12]:12s} {d:45s} truth={t:10s} baseline={base[d]:10s} ours={ours[d]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
