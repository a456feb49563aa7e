"""Broken and hostile submissions: graded (or marked ungradable) without harm.

The whole corpus (tests/hostile/corpus.py) is graded in one batch, in
parallel, next to a correct submission; then the batch is graded again and
must give the same result.
"""

import json
import os
import shutil
import socket

import pytest

from conftest import REPO, copy_course, max_scores, scores_by_student, shared
from course import notebooks as nbtools
from course.grading import Limits, grade
from course.release import release
from hostile.corpus import CASES, FULL

bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (apt-get install bubblewrap)")
pytestmark = pytest.mark.xdist_group("hostile")
LIMITS = Limits(cell_timeout=8, notebook_timeout=45, memory_mb=1536, isolation="auto")


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    # graded once per test run, whichever xdist worker gets here first
    return shared(tmp_path_factory, "hostile", lambda: grade_hostile_batch(tmp_path_factory))


def grade_hostile_batch(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("hostile") / "course", ["correlations"])
    release(course, "correlations")
    release_nb = nbtools.read(course.release / "correlations" / "correlations.ipynb")
    answers = nbtools.reference_answers(nbtools.read(course.source / "correlations" / "correlations.ipynb"))
    # a server on the grading machine that student code must not reach (like a PostgreSQL gradebook)
    server = socket.create_server(("127.0.0.1", 0))
    secrets = {"course": str(course.root), "repo": str(REPO),
               "gradebook": course.db_url.replace("sqlite:///", ""), "port": server.getsockname()[1]}
    for name, case in CASES.items():
        case.build(course.submitted / name / "correlations", release_nb, answers, secrets)
    honest = course.submitted / "honest" / "correlations"
    honest.mkdir(parents=True)
    nbtools.write(nbtools.fill_answers(release_nb, answers), honest / "correlations.ipynb")

    # a secret in the grader's environment (like a PostgreSQL password in COURSE_DB_URL)
    os.environ["COURSE_TEST_SECRET"] = "s3cret-grader-token"
    try:
        first = {o.student: o for o in grade(course, "correlations", workers=2, limits=LIMITS, progress=False)}
        first_scores = scores_by_student(course, "correlations")
        second = {o.student: o for o in grade(course, "correlations", workers=2, limits=LIMITS, progress=False)}
        second_scores = scores_by_student(course, "correlations")
    finally:
        del os.environ["COURSE_TEST_SECRET"]
        server.close()
    return course, first, first_scores, second, second_scores


def executed_text(course, student):
    path = course.autograded / student / "correlations" / "correlations.ipynb"
    if not path.exists():
        return ""
    notebook = nbtools.read(path)
    return json.dumps([c.get("outputs", []) for c in notebook.cells])


@bwrap
@pytest.mark.grading
@pytest.mark.parametrize("student", sorted(CASES))
def test_each_hostile_submission_gets_the_expected_outcome(hostile_batch, student):
    course, outcomes, scores, _, _ = hostile_batch
    case = CASES[student]
    outcome = outcomes[student]
    full = max_scores(course, "correlations")
    assert outcome.status == case.status, f"{case.description}: {outcome.status} ({outcome.message})"
    for test_cell, expected in case.scores.items():
        if expected is None:
            continue
        wanted = full[test_cell] if expected == FULL else expected
        assert scores[student][test_cell] == wanted, f"{case.description}: {test_cell}"
    if case.note:
        assert case.note in " ".join([outcome.message, *outcome.notes, *outcome.review]), outcome
    if case.output:
        assert case.output in executed_text(course, student)
    if case.absent:
        assert case.absent not in executed_text(course, student)


@bwrap
@pytest.mark.grading
def test_the_honest_student_in_the_same_batch_is_unaffected(hostile_batch):
    course, outcomes, scores, _, _ = hostile_batch
    full = max_scores(course, "correlations")
    assert outcomes["honest"].status == "ok"
    assert "not run by the autograder" in executed_text(course, "honest")   # the demo cells were left out
    assert {k: v for k, v in scores["honest"].items() if k.startswith("test_")} == \
        {k: v for k, v in full.items() if k.startswith("test_")}


@bwrap
@pytest.mark.grading
def test_student_code_cannot_write_grades_or_other_folders(hostile_batch):
    course, _, scores, _, _ = hostile_batch
    assert not list(course.root.rglob("pwned.txt"))
    assert all(score in (None, 0, 1, 3) for student in scores.values() for score in student.values())


@bwrap
@pytest.mark.grading
def test_a_second_run_gives_the_same_grades_and_outcomes(hostile_batch):
    _, first, first_scores, second, second_scores = hostile_batch
    assert second_scores == first_scores
    assert {s: (o.status, o.message) for s, o in second.items()} == \
        {s: (o.status, o.message) for s, o in first.items()}


@bwrap
@pytest.mark.grading
def test_suspicious_submissions_are_flagged_for_review(hostile_batch):
    from nbgrader.api import Gradebook

    course, outcomes, _, _, _ = hostile_batch
    assert outcomes["kernel_crash"].review  # imports ctypes
    with Gradebook(course.db_url) as gradebook:
        flagged = {s.student_id for s in gradebook.assignment_submissions("correlations")
                   if any(nb.flagged for nb in s.notebooks)}
    assert {"os_exit", "monkeypatched_numpy", "obfuscated_monkeypatch", "invalid_json"} <= flagged
    assert "honest" not in flagged


@bwrap
@pytest.mark.grading
def test_feedback_never_shows_hidden_tests_even_when_printed_by_the_student(hostile_batch):
    from course.feedback import generate_feedback

    course = hostile_batch[0]
    paths = generate_feedback(course, "correlations")
    by_student = {p.parts[-3]: p.read_text() for p in paths}
    assert "prints_hidden_tests" in by_student and "honest" in by_student
    for student, html in by_student.items():
        assert "_expected_single_neuron" not in html, student
        assert "BEGIN HIDDEN TESTS" not in html, student
    assert "get_coarse_corr" in by_student["prints_hidden_tests"]   # its own history is shown
