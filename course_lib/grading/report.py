"""The feedback a student reads: a Markdown file per submission, made from its JSON report."""

from __future__ import annotations

from pathlib import Path


def _block(text: str) -> list[str]:
    return ["```text", text.rstrip().replace("```", "'''"), "```"]


def feedback_markdown(report: dict) -> str:
    """The report as Markdown: score, warnings, a table of tasks, then what went wrong."""
    name = report.get("assignment") or Path(report["submission"]).name
    lines = [f"# Feedback: {name} ({report['student']})", ""]
    if report["sandbox"].get("warning"):
        lines += [f"> **{report['sandbox']['warning']}**", ""]
    lines += [f"**Score: {report['score']:g} / {report['max_score']:g}** (autograded)"]
    if report.get("manual_max_score"):
        manual = [t for t in report.get("tasks", []) if t.get("kind") == "manual"]
        if any(t.get("points") is not None for t in manual):
            lines += [
                f"plus {report.get('manual_score', 0.0):g} / {report['manual_max_score']:g} "
                "points graded by hand"
            ]
        else:
            lines += [f"plus up to {report['manual_max_score']:g} points graded by hand"]
    lines.append("")
    if report["status"] != "graded":
        lines += [f"**Not graded: {report['status']}.** {report.get('reason') or ''}", ""]
    for note in report.get("notes", []):
        lines.append(f"- Note: {note}")
    if report.get("notes"):
        lines.append("")
    if report.get("tasks"):
        lines += ["| task | points | status |", "| --- | --- | --- |"]
        for t in report["tasks"]:
            points = "—" if t.get("points") is None else f"{t['points']:g}"
            lines.append(f"| {t['grade_id']} | {points} / {t['max_points']:g} | {t['status']} |")
        lines.append("")
    for t in report.get("tasks", []):
        if t.get("comment"):
            lines += [f"## {t['grade_id']}: {t['status']}", "", str(t["comment"]), ""]
        if t.get("message"):
            lines += [f"## {t['grade_id']}: {t['status']}", ""] + _block(t["message"])
            if t.get("student_traceback"):
                lines += ["", "Your code raised:", ""] + _block(t["student_traceback"])
            lines.append("")
    for c in report.get("cells", []):
        if c.get("status") in ("timeout", "died"):
            what = "ran past the time limit" if c["status"] == "timeout" else "crashed the kernel"
            lines.append(f"- A cell of yours ({c.get('grade_id') or 'unnamed'}) {what}.")
    return "\n".join(lines).rstrip() + "\n"


def write_feedback(report: dict, path) -> Path:
    path = Path(path)
    path.write_text(feedback_markdown(report), encoding="utf-8")
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #bbb; padding: .25rem .6rem; }}
.passed {{ color: #0b6e3d; }}
.failed, .error, .timeout, .died {{ color: #a4161a; font-weight: 600; }}
pre {{ background: #f4f4f4; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }}
.warning {{ border-left: 4px solid #a4161a; padding-left: .6rem; }}
</style></head><body>
{body}
</body></html>
"""


def feedback_html(report: dict) -> str:
    """The report as a self-contained HTML page (no scripts, no external files): the score, a
    table of the graded cells, and for every one that lost points which check failed and why.

    This is the page a student opens from nbgrader's "fetch feedback" (see
    :mod:`course_lib.grading.exchange`); everything from the report is escaped.
    """
    from html import escape

    name = report.get("assignment") or Path(report["submission"]).name
    parts = [f"<h1>Feedback: {escape(str(name))} ({escape(str(report['student']))})</h1>"]
    if report.get("sandbox", {}).get("warning"):
        parts.append(f'<p class="warning">{escape(report["sandbox"]["warning"])}</p>')
    parts.append(
        f"<p><strong>Score: {report['score']:g} / {report['max_score']:g}</strong> (autograded)"
        + (
            f", plus up to {report['manual_max_score']:g} points graded by hand"
            if report.get("manual_max_score")
            else ""
        )
        + "</p>"
    )
    if report["status"] != "graded":
        parts.append(
            f'<p class="failed">Not graded: {escape(str(report["status"]))}. '
            f"{escape(str(report.get('reason') or ''))}</p>"
        )
    notes = report.get("notes") or []
    if notes:
        parts.append("<ul>" + "".join(f"<li>{escape(str(n))}</li>" for n in notes) + "</ul>")
    tasks = report.get("tasks") or []
    if tasks:
        rows = []
        for t in tasks:
            points = "—" if t.get("points") is None else f"{t['points']:g}"
            status = escape(str(t.get("status")))
            rows.append(
                f"<tr><td>{escape(str(t.get('grade_id')))}</td>"
                f"<td>{points} / {t.get('max_points', 0):g}</td>"
                f'<td class="{status}">{status}</td></tr>'
            )
        parts.append(
            "<table><thead><tr><th>task</th><th>points</th><th>status</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    for t in tasks:
        if t.get("message"):
            parts.append(
                f"<h2>{escape(str(t.get('grade_id')))}: {escape(str(t.get('status')))}</h2>"
                f"<p>What the check found:</p><pre>{escape(t['message'])}</pre>"
            )
            if t.get("student_traceback"):
                parts.append(f"<p>Your code raised:</p><pre>{escape(t['student_traceback'])}</pre>")
    for c in report.get("cells", []):
        if c.get("status") in ("timeout", "died"):
            what = "ran past the time limit" if c["status"] == "timeout" else "crashed the kernel"
            parts.append(
                f"<p>A cell of yours ({escape(str(c.get('grade_id') or 'unnamed'))}) {what}.</p>"
            )
    return _PAGE.format(title=escape(f"Feedback: {name}"), body="\n".join(parts))


def write_feedback_html(report: dict, path) -> Path:
    path = Path(path)
    path.write_text(feedback_html(report), encoding="utf-8")
    return path
