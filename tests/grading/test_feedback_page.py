"""The HTML feedback page a student fetches: which check failed and why, everything escaped."""

from __future__ import annotations

from html.parser import HTMLParser

from course_lib.grading.report import feedback_html


def _report(**extra):
    report = {
        "student": "alice",
        "assignment": "02_derivatives",
        "submission": "/sub/alice/02_derivatives/02_derivatives.ipynb",
        "status": "graded",
        "score": 2.0,
        "max_score": 4.0,
        "sandbox": {"enabled": True, "warning": None},
        "tasks": [
            {"grade_id": "forward", "kind": "test", "points": 2.0, "max_points": 2.0,
             "status": "passed", "message": None},
            {"grade_id": "centered", "kind": "test", "points": 0.0, "max_points": 2.0,
             "status": "failed", "message": "centered_difference(sin, 0, h=1e-3): error ∝ h, "
             "expected ∝ h² <script>alert(1)</script>",
             "student_traceback": "ZeroDivisionError: division by zero"},
        ],
    }  # fmt: skip
    report.update(extra)
    return report


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(html):
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.text), parser.tags


def test_page_shows_score_each_check_and_why_the_failed_one_failed():
    text, tags = _parse(feedback_html(_report()))
    assert "Score: 2 / 4" in text
    assert "forward" in text and "passed" in text
    assert "centered: failed" in text
    assert "error ∝ h, expected ∝ h²" in text
    assert "ZeroDivisionError: division by zero" in text


def test_page_escapes_what_came_from_the_submission():
    html = feedback_html(_report(student="<img src=x onerror=alert(1)>"))
    _, tags = _parse(html)
    assert "script" not in tags and "img" not in tags
    assert "&lt;script&gt;" in html


def test_ungraded_submission_says_why():
    text, _ = _parse(feedback_html(_report(status="refused", reason="a symlink", tasks=[])))
    assert "Not graded: refused" in text and "a symlink" in text
