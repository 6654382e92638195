"""What a compiled pattern's syntax tree tells a prefilter: the literals every match contains.

Read with Python's own regular-expression parser (``re._parser``, private; ``sre_parse`` on
Python 3.10). Used by cleaning (which boilerplate rules a line can match) and by the classifier's
rule layer (which cue patterns a report can match); both check the result against plain scans
in their equivalence tests.
"""

from __future__ import annotations

import re
from typing import Any

try:
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_c = sre_constants


def needed_literals(tree: Any) -> list[tuple[str, ...]]:
    """Groups of literals such that every match of the parsed pattern contains one of each group."""
    groups: list[tuple[str, ...]] = []
    run = ""  # consecutive literal characters
    for op, av in tree:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            groups.append((run,))
            run = ""
        if op is _c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & re.IGNORECASE:
                groups += needed_literals(sub)
        elif op is _c.BRANCH:
            # one literal of each alternative's best group; none if an alternative needs nothing
            alternatives = []
            for branch in av[1]:
                needed = needed_literals(branch)
                if not needed:
                    break
                alternatives += max(needed, key=lambda g: (min(map(len, g)), -len(g)))
            else:
                groups.append(tuple(dict.fromkeys(alternatives)))
        elif op is _c.IN:
            if all(item_op is _c.LITERAL for item_op, _ in av):
                groups.append(tuple(chr(c) for _, c in av))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            if av[0] >= 1:
                groups += needed_literals(av[2])
        # anything else (any character, a negated set, an assertion, an anchor) needs no literal
    if run:
        groups.append((run,))
    return groups


def rarest_literals(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """One group of literals of which every match of ``regex`` contains one, the group least
    likely to occur (longest shortest literal, then fewest); ``None`` when none is known or the
    pattern ignores case.

    Examples
    --------
    >>> rarest_literals(re.compile(r"(?:下面|以下)是[^。]*范文"))
    ('范文',)
    >>> rarest_literals(re.compile(r"(?:点击|立即)(?:查看|下载)"))
    ('点击', '立即')
    """
    if regex.flags & re.IGNORECASE:
        return None
    try:
        groups = needed_literals(sre_parse.parse(regex.pattern, regex.flags))
    except Exception:  # noqa: BLE001 - a private module: without it, no prefilter
        return None
    return max(groups, key=lambda g: (min(map(len, g)), -len(g))) if groups else None
