"""nbgrader's exchange end to end, as on a JupyterHub (README: "JupyterHub").

An instructor releases the correlations assignment into a temporary exchange with
``nbgrader release_assignment``; two students, each with their own home folder and
nbgrader configuration, ``fetch_assignment`` and ``submit`` (one with the model answers,
one blank); the instructor runs ``nbgrader collect``, ``course grade`` and
``course feedback`` and ``nbgrader release_feedback``; each student ``fetch_feedback``-es
their own feedback. The gradebook holds each student's grades, and each student's fetched
feedback shows their own score and no hidden test.
"""

import os
import re
import subprocess
import sys
import uuid

import pytest

from conftest import copy_course, max_scores, scores_by_student
from course import notebooks as nbtools
from course.feedback import generate_feedback
from course.grading import Limits, grade
from course.nbgrader_run import nbgrader_env, run_nbgrader
from course.release import release

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("exchange")]

ASSIGNMENT = "correlations"
NOTEBOOK = "correlations.ipynb"


def student_home(tmp_path, name, exchange, course_id):
    """A student's home with the nbgrader configuration a hub administrator gives them."""
    home = tmp_path / "home" / name
    (home / ".jupyter").mkdir(parents=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        # every test process runs as the same OS user; on a hub each student is their own
        # user (or JUPYTERHUB_USER when all are 'jovyan'), which nbgrader takes by default
        f"c.CourseDirectory.student_id = {name!r}\n")
    return home


def as_student(home, *args):
    """Run ``nbgrader <args>`` as the student: their HOME, their folder, their configuration."""
    env = {k: v for k, v in nbgrader_env().items()
           if not k.startswith(("JUPYTER_", "JUPYTERHUB_")) and k != "PYTHONPATH"}
    env["HOME"] = str(home)
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=home, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} as {home.name}:\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def test_exchange_release_submit_collect_grade_feedback(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)          # as nbgrader's docs ask: everyone may write into it
    course_id = f"nda-test-{uuid.uuid4().hex[:8]}"

    # the instructor's course directory, configured for the exchange (README: JupyterHub)
    course = copy_course(tmp_path / "course", [ASSIGNMENT])
    with (course.root / "nbgrader_config.py").open("a") as handle:
        handle.write(f"\nc.CourseDirectory.course_id = {course_id!r}\nc.Exchange.root = {str(exchange)!r}\n")
    release(course, ASSIGNMENT)
    run_nbgrader(course, "release_assignment", ASSIGNMENT, "--force")
    outbound = exchange / course_id / "outbound" / ASSIGNMENT
    assert sorted(p.name for p in outbound.iterdir()) == [NOTEBOOK]
    assert "BEGIN SOLUTION" not in (outbound / NOTEBOOK).read_text()

    # two students fetch it; alice answers with the model answers, bob hands in the blank notebook
    homes = {name: student_home(tmp_path, name, exchange, course_id) for name in ("alice", "bob")}
    for home in homes.values():
        assert ASSIGNMENT in as_student(home, "list")
        as_student(home, "fetch_assignment", ASSIGNMENT)
        assert (home / ASSIGNMENT / NOTEBOOK).is_file()
    source = nbtools.read(course.source / ASSIGNMENT / NOTEBOOK)
    alice_notebook = homes["alice"] / ASSIGNMENT / NOTEBOOK
    nbtools.write(nbtools.fill_answers(nbtools.read(alice_notebook), nbtools.reference_answers(source)),
                  alice_notebook)
    for home in homes.values():
        as_student(home, "submit", ASSIGNMENT)
    inbound = sorted(p.name for p in (exchange / course_id / "inbound").iterdir())
    assert [name.split("+")[0] for name in inbound] == ["alice", "bob"]

    # the instructor collects, grades (sandboxed) and writes feedback
    run_nbgrader(course, "collect", ASSIGNMENT)
    assert course.students(ASSIGNMENT) == ["alice", "bob"]
    outcomes = {o.student: o for o in grade(course, ASSIGNMENT, workers=2, progress=False,
                                            limits=Limits(cell_timeout=120, notebook_timeout=600))}
    assert {name: o.status for name, o in outcomes.items()} == {"alice": "ok", "bob": "ok"}
    full = max_scores(course, ASSIGNMENT)
    scores = scores_by_student(course, ASSIGNMENT)
    autograded = [name for name in full if name.startswith("test_")]
    written = [name for name in full if not name.startswith("test_")]
    assert autograded and written
    assert {name: scores["alice"][name] for name in autograded} == {name: full[name] for name in autograded}
    assert all(scores["alice"][name] is None for name in written)     # waiting for a TA in formgrader
    assert all(score == 0 for score in scores["bob"].values())
    paths = generate_feedback(course, ASSIGNMENT)
    assert sorted(p.parts[-3] for p in paths) == ["alice", "bob"]

    # ... releases it through the exchange; each student fetches their own
    run_nbgrader(course, "release_feedback", ASSIGNMENT)
    feedback = {}
    for name, home in homes.items():
        as_student(home, "fetch_feedback", ASSIGNMENT)
        fetched = sorted((home / ASSIGNMENT / "feedback").glob(f"*/{NOTEBOOK.replace('.ipynb', '.html')}"))
        assert len(fetched) == 1, f"{name} fetched {fetched}"
        feedback[name] = fetched[0].read_text()
        timestamp = (course.submitted / name / ASSIGNMENT / "timestamp.txt").read_text().strip()
        assert fetched[0].parent.name == timestamp
    autograded_points = sum(full[name] for name in autograded)
    total = sum(full.values())

    def score_line(html):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    assert f"Score: {autograded_points:.1f} / {total:.1f}" in score_line(feedback["alice"])
    assert f"Score: 0.0 / {total:.1f}" in score_line(feedback["bob"])
    assert feedback["alice"] != feedback["bob"]
    for html in feedback.values():
        assert "_expected_single_neuron" not in html and "BEGIN HIDDEN TESTS" not in html
        assert "_reference_single_neuron" not in html
