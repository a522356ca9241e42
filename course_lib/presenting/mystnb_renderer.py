"""myst-nb's renderer for the course site: every figure gets its alt text.

Registered as the ``course`` entry of the ``myst_nb.renderers`` entry-point group (see
pyproject.toml) and chosen by the site's ``conf.py`` (``nb_render_plugin = "course"``).

A course figure says what it shows (:func:`course_lib.plots.describe`, a panel's
``alt_text``) in the metadata of its PNG output (``{"image/png": {"alt": ...}}``); myst-nb
reads only width and height from there, so this renderer copies ``alt`` onto the image. A
picture without alt text is a warning, hence an error in a ``-W`` build.
"""

from __future__ import annotations

from myst_nb.core.render import MimeData, NbElementRenderer


class CourseRenderer(NbElementRenderer):
    """myst-nb's renderer, plus the alt text of each output image; no widget JavaScript."""

    def render_image(self, data: MimeData):
        nodes = super().render_image(data)
        alt = data.output_metadata.get(data.mime_type, {}).get("alt")
        for node in nodes:
            if alt:
                node["alt"] = str(alt)
            elif not node.get("alt"):
                self.logger.warning(
                    f"a figure without alt text (cell {data.cell_index}): display a "
                    "course_lib plot or panel, which says what it shows",
                    subtype="image",
                    line=data.line,
                )
        return nodes

    def render_nb_finalise(self, metadata: dict) -> None:
        """Add no ipywidgets state or JavaScript: panels show as their pictures."""
