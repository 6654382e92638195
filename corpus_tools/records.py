"""Small typed records that flow between the pipeline stages.

Stages are pure functions over these records; only ``io``/``store``/``pipeline`` touch files.
Every derived record carries the coordinates it came from so that it can be traced back to
its exact text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class CorpusToolsError(Exception):
    """Base class of the errors corpus-tools raises on purpose."""


class LoadError(CorpusToolsError):
    """A source file could not be turned into text (empty, binary, undecodable, unreadable)."""

    def __init__(self, source_file: str, problem: str):
        self.source_file = source_file
        self.problem = problem
        super().__init__(f"{source_file}: {problem}")


@dataclass(frozen=True)
class LoadedSource:
    """A decoded source page.

    ``text`` is the decoded page (for HTML: the visible text), the coordinate system of
    ``documents.source_start``/``source_end``.
    """

    source_file: str
    text: str
    encoding: str
    sha256: str
    n_bytes: int
    is_html: bool = False


@dataclass(frozen=True)
class Token:
    """One segmenter token with offsets into the text it was cut from."""

    word: str
    start: int
    end: int


@dataclass(frozen=True)
class ReportSpan:
    """One report found in a cleaned page (offsets into the cleaned page text)."""

    report_index: int
    title: str | None
    start: int
    end: int
    body_start: int


@dataclass(frozen=True)
class Report:
    """A report cut out of a page: ``text`` is the cleaned report text."""

    source_file: str
    report_index: int
    title: str | None
    text: str
    source_start: int
    source_end: int
    doc_id: str = ""


@dataclass(frozen=True)
class Section:
    """A node in a report's section tree (offsets into the report text)."""

    section_id: int
    parent_id: int | None
    level: int
    marker: str
    title: str
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Sentence:
    sentence_id: int
    start: int
    end: int
    tokens: str


@dataclass
class PageResult:
    """Everything ingest derived from one source file (rows ready for the store)."""

    source_file: str
    sources: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    extra: dict[str, list[dict]] = field(default_factory=dict)
