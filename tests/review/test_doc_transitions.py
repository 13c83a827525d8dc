"""docs/review.md draws the state machine (a Mermaid diagram and a table of every transition): this
test keeps the drawing equal to the table in review/transitions.py, so the two cannot drift."""

import re
from pathlib import Path

from review import transitions
from review.models import Stage

DOC = Path(__file__).resolve().parents[2] / "docs" / "review.md"


def _block():
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index("<!-- transitions:start"), text.index("<!-- transitions:end -->")
    return text[start:end]


def test_the_diagram_has_exactly_the_transitions_of_the_code():
    diagram = re.search(r"```mermaid\n(.*?)```", _block(), re.S).group(1)
    edges = set(re.findall(r"^\s*(\w+) --> (\w+)\s*:\s*(\w+)\s*$", diagram, re.M))
    expected = set(transitions.diagram_edges())
    assert edges == expected, (
        f"in the document only: {sorted(edges - expected)}\nin the code only: {sorted(expected - edges)}\n"
        f"the document should hold:\n{transitions.markdown()}"
    )
    assert {a for a, _b, _e in edges} | {b for _a, b, _e in edges} == set(Stage.values)


def test_the_table_has_every_transition_with_who_guard_targets_and_effects():
    rows = [
        tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
        for line in _block().splitlines()
        if line.startswith("| ") and not line.startswith("| From") and not line.startswith("| ---")
    ]
    assert rows == transitions.table_rows(), f"the document should hold:\n{transitions.markdown()}"
    assert all(who in transitions.WHO for _s, _e, who, *_rest in rows)


def test_every_state_has_a_chinese_name_and_every_event_a_history_label():
    from review.models.history import ACTION_LABELS

    assert all(label for _value, label in Stage.choices)
    assert set(transitions.EVENTS) <= set(ACTION_LABELS)
