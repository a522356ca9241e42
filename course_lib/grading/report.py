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
