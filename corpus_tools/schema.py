"""The data contract: every output table, its columns, types and meanings.

Writers validate rows against this module; the table reference in docs/tables.md is generated
from it (``python -m corpus_tools.schema > docs/tables.md``) and a test keeps the two in step.
Columns may be added; renaming or removing one needs a SCHEMA_VERSION bump.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    doc: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


_S, _I, _F, _B = pa.string(), pa.int64(), pa.float64(), pa.bool_()
_LS = pa.list_(pa.string())

TABLES: dict[str, Table] = {}


def _table(name: str, doc: str, key: tuple[str, ...], *cols: Column) -> None:
    TABLES[name] = Table(name, doc, tuple(cols), key)


_table(
    "documents", "One row per report found in a source page.", ("doc_id",),
    Column("doc_id", _S, "Stable id: hash of the source file's content and the report's index in it.", False),
    Column("source_file", _S, "Path of the source page, relative to the input folder (POSIX separators).", False),
    Column("report_index", _I, "1-based position of the report within its source page.", False),
    Column("title", _S, "The report's heading as written (the 篇 marker line), or null."),
    Column("text", _S, "The cleaned report text: the coordinate system of every start/end offset of the other tables.", False),
    Column("source_start", _I, "Offset in the decoded source text where the report begins.", False),
    Column("source_end", _I, "Offset in the decoded source text where the report ends (exclusive).", False),
    Column("sector", _S, "hospital | court | school | enterprise | government | federation | other (null until classified)."),
    Column("sector_confidence", _F, "Confidence of the sector label, 0-1."),
    Column("genre", _S, "work_report | work_summary | work_plan | financial_report | reflection | news | other."),
    Column("genre_confidence", _F, "Confidence of the genre label, 0-1."),
    Column("years", _LS, "Year expressions that date the report, as written (20xx kept)."),
    Column("unit", _S, "The reporting organisation as named in the text, or null (e.g. anonymised)."),
    Column("regions", _LS, "Place names that locate the reporting unit."),
    Column("duplicate_of", _S, "doc_id of the earliest (near-)identical report, or null for originals."),
    Column("n_chars", _I, "Length of text in characters.", False),
)
_table(
    "sections", "The section tree of each report.", ("doc_id", "section_id"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("section_id", _I, "1-based id in text order within the report.", False),
    Column("parent_id", _I, "section_id of the enclosing section, null at the top."),
    Column("level", _I, "Depth in the tree, 1 = top.", False),
    Column("marker", _S, "The numbering as written (一、 （一） 1. …), empty for unnumbered headings.", False),
    Column("title", _S, "The heading text without its marker.", False),
    Column("start", _I, "Offset of the heading in documents.text.", False),
    Column("end", _I, "End of the section (next heading of the same or a higher level), exclusive.", False),
    Column("kind", _S, "review | problems | plans | finance | other.", False),
)
_table(
    "sentences", "Sentences of each report with their tokens.", ("doc_id", "sentence_id"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("sentence_id", _I, "1-based position within the report.", False),
    Column("start", _I, "Offset of the sentence in documents.text.", False),
    Column("end", _I, "End offset (exclusive).", False),
    Column("tokens", _S, "Space-separated tokens from the corpus-tools Segmenter (jieba + union dictionary).", False),
)
_table(
    "sources", "One row per input file tried.", ("source_file",),
    Column("source_file", _S, "Path relative to the input folder.", False),
    Column("sha256", _S, "SHA-256 of the file's bytes (used to skip unchanged files)."),
    Column("bytes", _I, "File size in bytes."),
    Column("encoding", _S, "Detected encoding (utf-8, utf-8-sig, gb18030, utf-16-le, big5 …), null when unreadable."),
    Column("n_reports", _I, "Number of reports found in the file.", False),
    Column("status", _S, "ok | empty (no report found) | error (see the errors table).", False),
)
_table(
    "errors", "Problems met while ingesting; one bad file never stops a run.", ("source_file", "stage"),
    Column("source_file", _S, "Path relative to the input folder.", False),
    Column("stage", _S, "The stage that failed: load, clean, split, segment, structure, extract, store.", False),
    Column("error", _S, "What went wrong, naming the file and the problem.", False),
)

_table(
    "amounts", "Every money expression in a report.", ("doc_id", "start"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("start", _I, "Offset of the amount in documents.text.", False),
    Column("end", _I, "End offset (exclusive); documents.text[start:end] == text.", False),
    Column("text", _S, "The amount as written (e.g. 10万余元, ￥3,000.00, xx万元).", False),
    Column("value_yuan", _F, "Value in yuan; null when the digits are anonymised (masked)."),
    Column("approx", _B, "True for approximate amounts (余, 多, 近, 约, 超过, 左右 …).", False),
    Column("masked", _B, "True when digits are anonymised (xx万元, x万元, ×元).", False),
    Column("purpose", _S, "What the money is for, from context (慰问金, 奖金, 会费, 补助, 捐款, 经费 …), or null."),
    Column("section_id", _I, "The innermost section containing the amount (sections.section_id), or null."),
)
_table(
    "awards", "Honours received by the union, its members, departments or unit.", ("doc_id", "start"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("start", _I, "Offset of the evidence span in documents.text.", False),
    Column("end", _I, "End offset (exclusive); documents.text[start:end] == text.", False),
    Column("text", _S, "The evidence span (e.g. 胸心外科被中华全国总工会授予工人先锋号).", False),
    Column("award", _S, "The honour (工人先锋号, 先进职工之家, 一等奖 …).", False),
    Column("recipient", _S, "Who received it (person, department or unit), or null."),
    Column("issuer", _S, "Who conferred it (中华全国总工会, 湖南省总工会 …), or null."),
    Column("level", _S, "national | provincial | city | county | internal | unknown.", False),
    Column("section_id", _I, "The innermost section containing the evidence, or null."),
)
_table(
    "activities", "Activities the union ran or joined (canonical names from the activity lexicon).", ("doc_id", "start"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("start", _I, "Offset of the mention in documents.text.", False),
    Column("end", _I, "End offset (exclusive); documents.text[start:end] == text.", False),
    Column("text", _S, "The mention as written.", False),
    Column("name", _S, "Canonical activity name (劳动竞赛, 技能比武, 金秋助学 …).", False),
    Column("category", _S, "skills_competition | sports | culture_arts | welfare_care | health | education_training | "
           "democratic_management | political_study | women_workers | charity | other.", False),
    Column("section_id", _I, "The innermost section containing the mention, or null."),
)
_table(
    "counts", "Counts of people and events worth a table (600多人次, 150名职工).", ("doc_id", "start"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("start", _I, "Offset in documents.text.", False),
    Column("end", _I, "End offset (exclusive); documents.text[start:end] == text.", False),
    Column("text", _S, "The count as written.", False),
    Column("value", _F, "The number; null when masked."),
    Column("unit", _S, "人, 人次, 名, 次, 场, 户 …", False),
    Column("approx", _B, "True for approximate counts (多, 余, 近 …).", False),
    Column("masked", _B, "True when the digits are anonymised.", False),
    Column("section_id", _I, "The innermost section containing the count, or null."),
)

_table(
    "signatures", "Internal: the MinHash summary of each report, kept so reruns can find duplicates "
    "without re-reading unchanged files.", ("doc_id",),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("source_file", _S, "Path relative to the input folder.", False),
    Column("report_index", _I, "1-based position of the report within its source page.", False),
    Column("exact", _S, "SHA-1 of the report text without whitespace and punctuation.", False),
    Column("size", _I, "Number of distinct character shingles.", False),
    Column("hashvalues", pa.list_(pa.uint32()), "MinHash values (datasketch affine32 scheme).", False),
)

_table(
    "classification_evidence", "After classify: the cues that decided each report's sector and genre.", ("doc_id", "task"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("task", _S, "sector | genre.", False),
    Column("label", _S, "The label this cue supports.", False),
    Column("cue", _S, "The lexicon entry or rule that matched.", False),
    Column("kind", _S, "What kind of cue (unit name, lexicon word, genre phrase …).", False),
    Column("zone", _S, "Where it occurs (opening, unit, body …); cues in the opening weigh more.", False),
    Column("weight", _F, "Its weight in the rule score.", False),
    Column("start", _I, "Offset of the evidence in documents.text.", False),
    Column("end", _I, "End offset (exclusive); documents.text[start:end] == text.", False),
    Column("text", _S, "The evidence as written.", False),
    Column("note", _S, "Extra explanation, or null."),
)
_table(
    "low_confidence", "After classify: reports whose sector or genre is uncertain (listed, not hidden).", ("doc_id", "task"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("task", _S, "sector | genre.", False),
    Column("label", _S, "The label given.", False),
    Column("confidence", _F, "Its confidence (below 0.5).", False),
    Column("source", _S, "Which layer decided: rules, model, rules+model, user.", False),
    Column("rule_label", _S, "What the evidence rules said."),
    Column("rule_confidence", _F, "The rules' confidence."),
    Column("model_label", _S, "What the scikit-learn model said."),
    Column("model_probability", _F, "The model's probability for its label."),
)
_table(
    "classification_cv", "After classify --labels: cross-validated precision/recall/F1 per class.", ("task", "label"),
    Column("task", _S, "sector | genre.", False),
    Column("label", _S, "A class, or 'macro avg' / 'accuracy'.", False),
    Column("precision", _F, "Precision over the held-out folds."),
    Column("recall", _F, "Recall over the held-out folds."),
    Column("f1", _F, "F1 over the held-out folds."),
    Column("support", _I, "Number of labelled reports of this class."),
    Column("n_splits", _I, "Number of cross-validation folds."),
)
_table(
    "confusion_matrix", "After classify --labels: cross-validated confusion counts (long format).", ("task", "true_label"),
    Column("task", _S, "sector | genre.", False),
    Column("true_label", _S, "The researcher's label.", False),
    Column("predicted_label", _S, "The held-out prediction.", False),
    Column("count", _I, "Number of reports.", False),
)

_TERM = pa.struct([pa.field("term", pa.string(), nullable=False), pa.field("weight", pa.float64(), nullable=False)])
_table(
    "topics", "After topics: one row per topic.", ("topic",),
    Column("topic", _I, "Topic number, 1..k, numbered by prevalence.", False),
    Column("label", _S, "The three most distinctive top terms joined by 、.", False),
    Column("terms", pa.list_(_TERM), "Top terms with weights p(term | topic), heaviest first.", False),
    Column("coherence", _F, "NPMI coherence of the top terms over the corpus' own co-occurrence (-1..1).", False),
)
_table(
    "doc_topics", "After topics: topic weights per report (each report's weights sum to 1).", ("doc_id", "topic"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("topic", _I, "topics.topic.", False),
    Column("weight", _F, "Share of the report given to the topic.", False),
    Column("in_fit", _B, "True when the report trained the model (duplicates and --apply reports do not).", False),
)
_table(
    "section_topics", "After topics --unit section: topic weights per section.", ("doc_id", "section_id", "topic"),
    Column("doc_id", _S, "The report (documents.doc_id).", False),
    Column("section_id", _I, "sections.section_id.", False),
    Column("topic", _I, "topics.topic.", False),
    Column("weight", _F, "Share of the section given to the topic.", False),
    Column("in_fit", _B, "True when the section trained the model.", False),
)
_table(
    "topic_prevalence", "After topics: mean topic weight per sector with a bootstrap confidence interval.", ("topic", "sector"),
    Column("topic", _I, "topics.topic.", False),
    Column("sector", _S, "documents.sector ('unclassified' for null).", False),
    Column("mean_weight", _F, "Mean weight of the topic over the sector's original (non-duplicate) reports.", False),
    Column("ci_low", _F, "Lower end of the 95% bootstrap interval.", False),
    Column("ci_high", _F, "Upper end of the 95% bootstrap interval.", False),
    Column("n_docs", _I, "Number of reports in the sector.", False),
)
_table(
    "topic_k_scores", "After topics --k auto: the score of every k tried.", ("k",),
    Column("k", _I, "Number of topics.", False),
    Column("coherence", _F, "Mean NPMI coherence of the best fit.", False),
    Column("diversity", _F, "Share of distinct terms among all topics' top terms.", False),
    Column("max_overlap", _F, "Largest share of top terms two topics have in common.", False),
    Column("score", _F, "coherence x diversity of the best fit.", False),
    Column("score_mean", _F, "The score averaged over the restarts (used to choose k).", False),
    Column("selected", _B, "True for the chosen k.", False),
)

INGEST_TABLES = ("documents", "sections", "sentences", "sources", "errors")
EXTRACT_TABLES = ("amounts", "awards", "activities", "counts")
#: tables ingest writes as partitions (<out>/<table>/part-NNNNN.parquet), one per bucket of source files
PARTITIONED_TABLES = INGEST_TABLES + EXTRACT_TABLES + ("signatures",)


def empty_table(name: str) -> pa.Table:
    return TABLES[name].arrow_schema().empty_table()


class SchemaError(ValueError):
    """Rows that do not fit the data contract; the message lists every problem found."""


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    """Validate ``rows`` against table ``name`` and build an Arrow table in contract column order.

    All problems are collected and reported at once.
    """
    table = TABLES[name]
    problems = []
    known = set(table.column_names)
    for i, row in enumerate(rows[:10000]):
        extra = set(row) - known
        if extra:
            problems.append(f"row {i}: unknown columns {sorted(extra)}")
        for c in table.columns:
            if not c.nullable and row.get(c.name) is None:
                problems.append(f"row {i}: {c.name} is required")
        if len(problems) > 20:
            break
    if problems:
        raise SchemaError(f"{name}: " + "; ".join(problems[:20]))
    try:  # Arrow reads the dicts itself (a missing key is a null), faster than a list per column
        return pa.Table.from_pylist(rows, schema=table.arrow_schema())
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SchemaError(f"{name}: {exc}") from exc


def markdown_reference() -> str:
    """The table reference as Markdown (docs/tables.md is this text)."""
    out = [f"# Table reference (schema version {SCHEMA_VERSION})", "",
           "Generated from `corpus_tools/schema.py` by `python -m corpus_tools.schema`; do not edit by hand.",
           ""]
    for t in TABLES.values():
        out += [f"## {t.name}", "", t.doc, "", "| column | type | meaning |", "|---|---|---|"]
        for c in t.columns:
            null = "" if c.nullable else " (required)"
            out.append(f"| {c.name} | {c.type} | {c.doc}{null} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown_reference())
