"""The extract stage: amounts, awards, activities, counts, years, unit and regions of a report.

Each extractor is a pure function of the report text (``find_amounts``, ``find_awards``,
``find_activities``, ``find_counts``, ``find_years``, ``find_unit``, ``find_regions``) with
its word lists passed explicitly. ``Extractors`` holds those word lists (loaded once per
process, picklable for worker processes) and turns one report into table rows::

    ex = Extractors.default()
    facts = ex.extract(text, parse_sections(text))
    facts.amounts[0]  # {'start': …, 'end': …, 'text': '8721.40元', 'value_yuan': 8721.4, …}

Every row satisfies ``text[row["start"]:row["end"]] == row["text"]`` and carries the
``section_id`` of the innermost section containing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..records import Section
from ._gazetteer import Gazetteer
from ._lexicon import LexiconError
from ._text import innermost_section
from .activities import ACTIVITY_CATEGORIES, Activity, ActivityLexicon, find_activities
from .amounts import Amount, AmountLexicon, find_amounts
from .awards import Award, AwardLexicon, award_level, find_awards
from .facts import Count, Year, distinct_years, find_counts, find_regions, find_unit, find_years
from .numbers import ParsedNumber, parse_number

__all__ = [
    "ACTIVITY_CATEGORIES", "Activity", "ActivityLexicon", "Amount", "AmountLexicon", "Award", "AwardLexicon",
    "Count", "Extractors", "Gazetteer", "LexiconError", "ParsedNumber", "ReportFacts", "Year", "award_level",
    "find_activities", "find_amounts", "find_awards", "find_counts", "find_regions", "find_unit", "find_years",
    "parse_number",
]


@dataclass(frozen=True)
class ReportFacts:
    """Everything the extract stage found in one report, as table rows (without ``doc_id``)."""

    amounts: list[dict]
    awards: list[dict]
    activities: list[dict]
    counts: list[dict]
    years: list[str]
    unit: str | None
    regions: list[str]


@dataclass(frozen=True)
class Extractors:
    """The word lists every extractor needs, built once per process and passed explicitly.

    Picklable (plain data; compiled patterns are rebuilt on unpickling), so an orchestrator
    can build it once and send it to worker processes.
    """

    amounts: AmountLexicon
    awards: AwardLexicon
    activities: ActivityLexicon
    gazetteer: Gazetteer

    @classmethod
    def default(cls, *, activity_lexicon: str | Path | None = None) -> Extractors:
        """The packaged word lists; ``activity_lexicon`` lays a researcher's file over the activities.

        Examples
        --------
        >>> ex = Extractors.default()
        >>> ex.extract("春节慰问困难职工，发放慰问金5600元。").amounts[0]["value_yuan"]
        5600.0
        """
        gazetteer = Gazetteer.from_file()
        return cls(
            amounts=AmountLexicon.from_files(),
            awards=AwardLexicon.from_files().with_gazetteer(gazetteer),
            activities=ActivityLexicon.load(activity_lexicon),
            gazetteer=gazetteer,
        )

    def extract(self, text: str, sections: Sequence[Section] = ()) -> ReportFacts:
        """Run every extractor on one report text (``documents.text``).

        Parameters
        ----------
        text
            The cleaned report text; every offset in the result points into it.
        sections
            The report's section tree (``parse_sections(text)``), used for ``section_id``.
        """
        amounts = find_amounts(text, lexicon=self.amounts)
        awards = find_awards(text, lexicon=self.awards)
        activities = find_activities(text, self.activities)
        counts = find_counts(text, exclude=[(a.start, a.end) for a in amounts])
        unit = find_unit(text)

        def rows(items: Sequence[Amount | Award | Activity | Count]) -> list[dict]:
            ordered = sorted(items, key=lambda x: (x.start, x.end))
            return [x.row(innermost_section(sections, x.start, x.end)) for x in ordered]

        return ReportFacts(
            amounts=rows(amounts),
            awards=rows(awards),
            activities=rows(activities),
            counts=rows(counts),
            years=distinct_years(text),
            unit=unit,
            regions=find_regions(text, unit=unit, gazetteer=self.gazetteer),
        )
