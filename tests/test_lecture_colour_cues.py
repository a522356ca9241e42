"""Colour is never the only cue: lecture prose that names a colour also names a label or a style.

A reader who cannot tell the course's colours apart (or reads a grey-scale print) must still
find "the red curve". So every sentence of a lecture's markdown that names a colour also names
the curve another way in the same sentence: its line style (solid, dashed, dotted, ...), its
marker (dots, crosses, squares, ...) or its label in the legend (quoted, or "labelled").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))

COLOUR = re.compile(
    r"\b(red|blue|green|orange|grey|gray|black|purple|yellow|vermillion|pink|brown)\b", re.I
)
# words that name a colour without meaning one in a figure
NOT_A_COLOUR = re.compile(r"\bblack[- ]box(es)?\b", re.I)
CUE = re.compile(
    r"\b(solid|dashed|dotted|dash-dotted|thick|thin|dots?|circles?|cross(es)?|squares?|stars?"
    r"|rings?|triangles?|diamonds?|arrows?|labell?ed|legend|colou?r ?bar|shaded|filled)\b"
    r"|[“”×]|\"[^\"]+\"|'[^']+'",
    re.I,
)


def _sentences(text: str):
    """The sentences of a markdown cell: split at sentence ends, colons, semicolons, bullets."""
    return [s for s in re.split(r"(?<=[.!?:;])\s+|\n\s*\n|\n\s*[-*] ", text) if s.strip()]


def _colour_only(path):
    wrong = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for sentence in _sentences("".join(cell["source"])):
            if COLOUR.search(NOT_A_COLOUR.sub("", sentence)) and not CUE.search(sentence):
                wrong.append(f"cell {index}: {' '.join(sentence.split())[:120]!r}")
    return wrong


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem for p in LECTURES])
def test_prose_naming_a_colour_also_names_a_label_or_a_line_style(path):
    wrong = _colour_only(path)
    assert wrong == [], f"{path.name}: colour is the only cue in " + "; ".join(wrong)


def test_the_rule_is_recognised_on_made_up_sentences():
    def bad(text):
        return [s for s in _sentences(text) if COLOUR.search(s) and not CUE.search(s)]

    assert bad("The red curve goes up.") == ["The red curve goes up."]
    assert bad("The red dashed curve goes up.") == []
    assert bad("The red curve (“GD path”) goes up.") == []
    assert bad("f is a black box.") == ["f is a black box."]  # the test itself strips it
    assert not COLOUR.search(NOT_A_COLOUR.sub("", "f is a black box."))
