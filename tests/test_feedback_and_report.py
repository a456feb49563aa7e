"""Feedback for students and the grade report, on the graded correlations class."""

import base64
import csv
import io
import re
import shutil

import pytest
from matplotlib.image import imread

from conftest import scores_by_student, student_with
from course.feedback import generate_feedback
from course.grading import Limits, grade
from course.layout import Course
from course.report import collect_results, format_table, nbgrader_totals, report

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("correlations")]


@pytest.fixture(scope="module")
def feedback(graded_class, tmp_path_factory):
    shared_course, _, _, members = graded_class("correlations")
    # a private copy: `generate_feedback --force` rewrites the feedback folder other tests may read
    course = Course(shutil.copytree(shared_course.root, tmp_path_factory.mktemp("feedback") / "course"))
    html = {p.parts[-3]: p.read_text() for p in generate_feedback(course, "correlations")}
    # keyed by student id, and by the variants each bundled submission holds
    return {**html, **{name: html[student] for student, (names, _) in members.items() for name in names}}


def test_every_student_gets_feedback(graded_class, feedback):
    course, scores, _, _ = graded_class("correlations")
    assert set(scores) <= set(feedback)


def test_feedback_shows_visible_check_messages(feedback):
    assert "neuron 1 copies neuron 0 one step later" in feedback["covariance"]


def test_feedback_shows_the_failing_message_but_not_hidden_tests_or_expected_values(feedback):
    html = feedback["coarse_transposed_R"]      # passes the visible checks, fails a hidden one
    assert "is not what was expected" in html   # the first line of the message
    assert "_expected_coarse" not in html       # hidden test code
    assert "at index" not in html               # details with the expected value
    assert "hidden tests: not shown in feedback" in html


def test_feedback_maths_is_mathml_and_nothing_loads_from_outside(feedback):
    html = feedback["reference"]
    assert html.count("<math ") > 20 and "\\vec{" not in html   # the notebook's maths, drawn by the browser
    assert "mathjax" not in html.lower()
    loads = re.findall(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(https?:|//)""", html, re.I)
    assert loads == []


def test_instructors_can_ask_for_the_full_feedback(graded_class):
    course, _, _, members = graded_class("correlations")
    student = student_with(members, "covariance")
    paths = generate_feedback(course, "correlations", student=student, show_hidden=True)
    html = next(p for p in paths if p.parts[-3] == student).read_text()
    assert "_expected_single_neuron" in html
    generate_feedback(course, "correlations", student=student)  # back to the student version


def test_report_writes_csv_that_agrees_with_nbgrader_export(graded_class, tmp_path):
    course, scores, _, members = graded_class("correlations")
    results, table = report(course, ["correlations"], tmp_path / "grades.csv", tmp_path / "report.html")
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    totals = {(r["student"], r["assignment"]): float(r["score"]) for r in rows if r["exercise"] == "TOTAL"}
    assert totals == nbgrader_totals(course)
    covariance = {r["exercise"]: r for r in rows if r["student"] == student_with(members, "covariance")}
    assert float(covariance["test_compute_connectivity_from_single_neuron"]["score"]) == 0
    assert covariance["think_causal_language"]["needs_manual_grade"] == "True"
    for student in scores:
        assert student in table
    html = (tmp_path / "report.html").read_text()
    # the pass-rate figure is embedded: a real PNG with something drawn on it
    images = re.findall(r"src=['\"]data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert len(images) == 1
    picture = imread(io.BytesIO(base64.b64decode(images[0])), format="png")
    assert picture.shape[0] > 100 and picture.shape[1] > 100 and picture[..., :3].std() > 0
    assert "Needs attention" in html


def test_table_marks_written_answers_as_waiting_for_manual_grading(graded_class):
    course, _, _, _ = graded_class("correlations")
    table = format_table(collect_results(course, ["correlations"]))
    reference_line = next(line for line in table.splitlines() if line.startswith("reference"))
    assert "manual" in reference_line and "6/9" in reference_line


def test_serial_regrading_gives_the_same_grades_as_parallel(graded_class, tmp_path):
    from course.layout import Course

    shared_course, parallel_scores, _, _ = graded_class("correlations")
    # regrade a copy: other tests read the shared course's files at the same time
    course = Course(shutil.copytree(shared_course.root, tmp_path / "course"))
    grade(course, "correlations", workers=1, limits=Limits(cell_timeout=120), progress=False)
    assert scores_by_student(course, "correlations") == parallel_scores
