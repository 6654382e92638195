"""Activities: what the union ran or joined, named by a lexicon the researcher can extend.

Matching is a leftmost-longest lookup of the lexicon's surface forms (劳动竞赛, 技术比武,
“三八”节 …); interpreting maps each surface to its canonical name and category. The lexicon
is ``resources/activities.tsv`` (surface, name, category); a researcher's own file in the
same format is laid over it (``ActivityLexicon.load(user_path)``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from ._fold import fold
from ._lexicon import LexiconError, SurfaceIndex, parse_rows, read_path, read_resource

__all__ = ["Activity", "ActivityLexicon", "ACTIVITY_CATEGORIES", "find_activities", "default_activity_lexicon"]

ACTIVITY_CATEGORIES = (
    "skills_competition", "sports", "culture_arts", "welfare_care", "health", "education_training",
    "democratic_management", "political_study", "women_workers", "charity", "other",
)


@dataclass(frozen=True)
class Activity:
    """One activity mention; ``text == report_text[start:end]``."""

    start: int
    end: int
    text: str
    name: str
    category: str

    def row(self, section_id: int | None = None) -> dict:
        """The ``activities`` table row (without ``doc_id``)."""
        return dict(start=self.start, end=self.end, text=self.text, name=self.name, category=self.category,
                    section_id=section_id)


class ActivityLexicon:
    """Surface form → (canonical name, category); picklable, built once per process."""

    def __init__(self, entries: dict[str, tuple[str, str]]):
        self.entries = dict(entries)
        self.index = SurfaceIndex(tuple(self.entries))

    @staticmethod
    def parse(text: str, *, source: str = "<string>") -> dict[str, tuple[str, str]]:
        """Entries of a lexicon file (surface<TAB>name<TAB>category; name defaults to the surface)."""
        entries = {}
        for lineno, (surface, name, category) in enumerate(parse_rows(text, n_fields=3, source=source), start=1):
            category = category or "other"
            if category not in ACTIVITY_CATEGORIES:
                raise LexiconError(source, f"entry {lineno} ({surface}): unknown category {category!r}")
            entries[surface] = (name or surface, category)
        return entries

    @classmethod
    def from_text(cls, text: str, *, source: str = "<string>") -> ActivityLexicon:
        return cls(cls.parse(text, source=source))

    @classmethod
    def load(cls, user_lexicon: str | os.PathLike[str] | None = None, *, packaged: bool = True) -> ActivityLexicon:
        """The packaged lexicon with a researcher's file laid over it (its lines win)."""
        entries = cls.parse(read_resource("activities.tsv"), source="activities.tsv") if packaged else {}
        if user_lexicon is not None:
            entries.update(cls.parse(read_path(user_lexicon), source=str(user_lexicon)))
        return cls(entries)

    def __getstate__(self) -> dict:
        return {"entries": self.entries}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["entries"])  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self.entries)


@lru_cache(maxsize=1)
def default_activity_lexicon() -> ActivityLexicon:
    """The packaged activity lexicon (loaded once per process)."""
    return ActivityLexicon.load()


def find_activities(text: str, lexicon: ActivityLexicon | None = None, *, distinct: bool = True) -> list[Activity]:
    """Find the activities a report mentions, in text order.

    Parameters
    ----------
    text
        A report's text (``documents.text``).
    lexicon
        The activity lexicon; the packaged one when None.
    distinct
        Keep only the first mention of each canonical name (the default), else every mention.

    Examples
    --------
    >>> [(a.text, a.name, a.category) for a in find_activities("开展技术比武和金秋助学，再次技能比武。")]
    [('技术比武', '技能比武', 'skills_competition'), ('金秋助学', '金秋助学', 'welfare_care')]
    """
    lexicon = lexicon or default_activity_lexicon()
    out, seen = [], set()
    for start, end, surface in lexicon.index.find_all(fold(text)):
        name, category = lexicon.entries[surface]
        if distinct and name in seen:
            continue
        seen.add(name)
        out.append(Activity(start, end, text[start:end], name, category))
    return out
