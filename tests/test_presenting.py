"""Slides and the Voila app's notebook, built from the lectures themselves."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from course_lib import cli, presenting

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))
SOME = [p.name[:2] for p in LECTURES[:2]]


def test_slides_are_self_contained_reveal_decks(tmp_path):
    (deck,) = presenting.slides(SOME[:1], tmp_path)
    text = deck.read_text()
    assert "require.min.js" not in text
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"[^\"]*reveal", text)
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", text)  # no CDN
    assert "Reveal.initialize" in text and "hakim.se" in text  # reveal.js inlined
    assert "cdnjs" not in text and "MathJax.startup.defaultReady()" in text  # MathJax 3 inlined
    assert text.count("<section") > 5
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text


def _tiny_lecture(folder: Path) -> Path:
    cells = [
        nbformat.v4.new_markdown_cell("# 01 · Tiny\n\n$$x_{t+1} = x_t - \\eta g_t$$"),
        nbformat.v4.new_code_cell("visible_marker = 1"),
        nbformat.v4.new_code_cell("# Checked: one\nassert visible_marker == 1  # hidden_marker"),
    ]
    cells[2].metadata["tags"] = ["hide-cell"]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "01_tiny.ipynb")
    return folder


def test_slides_leave_out_the_check_cells_tagged_hide_cell(tmp_path):
    lectures = _tiny_lecture(tmp_path / "lectures")
    (deck,) = presenting.slides(None, tmp_path / "slides", lectures=lectures)
    text = deck.read_text()
    assert "visible_marker" in text and "hidden_marker" not in text and "Checked" not in text
    nb = nbformat.read(lectures / "01_tiny.ipynb", as_version=4)
    assert presenting.drop_hidden_cells(nb) == 1 and len(nb.cells) == 2


def test_panels_notebook_keeps_headings_and_panels_and_silences_the_rest():
    path = LECTURES[0]
    original = nbformat.read(path, as_version=4)
    app = presenting.panels_notebook(path)
    panels = [c for c in original.cells if "panel" in c.metadata.get("tags", [])]
    assert panels
    kept = [c.source for c in app.cells if c.cell_type == "code"]
    for cell in panels:
        assert cell.source in kept
    for cell in app.cells:
        if cell.cell_type == "markdown":
            assert cell.source.startswith("#") and "\n" not in cell.source
        elif cell.source not in [p.source for p in panels]:
            assert "with capture_output():" in cell.source


def test_unknown_lecture_number_is_a_clear_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["slides", "99", "--out", "/nonexistent"])
    assert exit_info.value.code == 2
    assert "no lecture numbered 99" in capsys.readouterr().err


class _FakeServer:
    """What `course present` needs of a server, for testing its arguments without one."""

    def __init__(self, notebook, **kwargs):
        self.notebook, self.kwargs = Path(notebook), kwargs
        self.process = self

    def url_for(self, path=""):
        return "http://127.0.0.1:1/?token=t"

    def wait(self):
        return 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


@pytest.mark.parametrize("slides", [False, True])
def test_present_serves_the_panels_or_with_slides_the_whole_lecture(monkeypatch, capsys, slides):
    from course_lib import servers

    started = []

    def start_voila(notebook, **kwargs):
        started.append(_FakeServer(notebook, **kwargs))
        return started[-1]

    monkeypatch.setattr(servers, "start_voila", start_voila)
    (lecture,) = presenting.lecture_paths(["04"])
    assert cli.main(["present", "04", "--port", "8123", *(["--slides"] if slides else [])]) == 0
    (server,) = started
    assert server.kwargs["port"] == 8123
    if slides:
        assert server.notebook == lecture  # Voila runs it in lectures/ and writes nothing
        assert server.kwargs["template"] == presenting.LIVE_SLIDES
        assert "live slides" in capsys.readouterr().out
    else:
        assert server.notebook != lecture and server.notebook.name == lecture.name
        assert server.kwargs.get("template") is None
        assert "panels" in capsys.readouterr().out


def test_start_voila_with_a_template_finds_the_course_templates(monkeypatch, tmp_path):
    from course_lib import servers

    launched = []  # (kind, args, port, token, log, cwd, env) of each server started

    def launch(*arguments):
        launched.append(arguments)
        return arguments

    monkeypatch.setattr(servers, "_launch", launch)
    monkeypatch.setattr(servers, "wait_until_ready", lambda server, *a, **kw: server)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    notebook = LECTURES[0]
    servers.start_voila(notebook)
    servers.start_voila(notebook, template=presenting.LIVE_SLIDES)
    plain, slides = launched
    assert not any(a.startswith("--template") for a in plain[1]) and plain[-1] is None
    assert f"--template={presenting.LIVE_SLIDES}" in slides[1]
    path = slides[-1]["JUPYTER_PATH"].split(os.pathsep)
    assert path == [str(servers.VOILA_TEMPLATES), str(tmp_path)]  # first, the user's kept


def test_live_slides_template_includes_the_shipped_reveal_files():
    from course_lib import servers

    folder = servers.VOILA_TEMPLATES / "voila" / "templates" / presenting.LIVE_SLIDES
    conf = json.loads((folder / "conf.json").read_text())
    assert conf["base_template"] == "reveal"
    assert conf["traitlet_configuration"]["resources"]["reveal"]["url_prefix"].startswith("data:")
    included = re.findall(r"{%\s*include\s+'([^']+)'", (folder / "index.html.j2").read_text())
    assert set(included) == {
        "reveal/reveal.css",
        "reveal/white.css",
        "reveal/reveal.js",
        "reveal/notes.js",
    }
    for name in included:
        path = servers.VOILA_TEMPLATES / name
        assert path.parent == presenting.REVEAL and path.is_file(), name
        text = path.read_text()
        # Jinja renders an included file: template syntax in it would break the deck.
        assert not re.search(r"{{|{%|{#", text), f"{name} contains Jinja syntax"
