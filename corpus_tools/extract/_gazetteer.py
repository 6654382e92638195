"""The place-name gazetteer (``resources/regions.tsv``) shared by the award and region extractors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ._lexicon import SurfaceIndex, parse_rows, read_path, read_resource

__all__ = ["Place", "Gazetteer", "default_gazetteer"]

LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Place:
    """One administrative division: its full name, level and province."""

    name: str
    level: str
    province: str


class Gazetteer:
    """Surface forms (full names; short forms of provinces and cities) → places."""

    def __init__(self, places: dict[str, Place]):
        self.places = places
        self.index = SurfaceIndex(tuple(places))

    @classmethod
    def from_text(cls, text: str, *, source: str = "<string>") -> Gazetteer:
        places: dict[str, Place] = {}
        for name, aliases, level, province in parse_rows(text, n_fields=4, source=source):
            place = Place(name, level if level in LEVELS else "county", province or name)
            places.setdefault(name, place)
            if place.level in ("province", "city"):
                for alias in filter(None, aliases.split(",")):
                    places.setdefault(alias.strip(), place)
        return cls(places)

    @classmethod
    def from_file(cls, path: str | None = None) -> Gazetteer:
        text = read_path(path) if path else read_resource("regions.tsv")
        return cls.from_text(text, source=str(path or "regions.tsv"))

    def find_all(self, text: str) -> list[tuple[int, int, Place]]:
        """Leftmost-longest place mentions ``(start, end, place)`` in text order."""
        return [(s, e, self.places[w]) for s, e, w in self.index.find_all(text)]

    def __getstate__(self) -> dict:
        return {"places": self.places}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["places"])  # type: ignore[misc]


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The packaged gazetteer (loaded once per process)."""
    return Gazetteer.from_file()
