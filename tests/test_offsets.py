import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from corpus_tools.offsets import DeletingText, OffsetMap


def test_offset_map_runs_and_spans():
    m = OffsetMap.from_index(np.array([0, 1, 5, 6, 7, 10]))
    assert m.runs == ((0, 0, 2), (2, 5, 3), (5, 10, 1))
    assert [m.to_source(i) for i in range(6)] == [0, 1, 5, 6, 7, 10]
    assert m.span_to_source(1, 5) == (1, 8)


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10)), max_size=8))
def test_property_deleting_keeps_exact_source_positions(text, cuts):
    doc = DeletingText(text)
    spans = sorted((s, min(s + n, len(text))) for s, n in cuts if s < len(text))
    merged = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            continue
        merged.append((s, e))
    doc.delete_spans(merged)
    m = doc.offset_map()
    assert all(text[m.to_source(i)] == ch for i, ch in enumerate(doc.text))
