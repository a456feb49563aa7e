"""Model answers for TAs (course answers): every written question, its points and its model answer."""

import re

import pytest

from conftest import REPO, copy_course
from course import notebooks as nbtools
from course.__main__ import main
from course.answers import answers_page, written_answers
from course.layout import Course, CourseError

COURSE = Course(REPO)


def manual_cells(assignment):
    return {nbtools.grade_id(c): c for path in COURSE.source_notebooks(assignment) for c in nbtools.read(path).cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")}


@pytest.mark.parametrize("assignment", COURSE.assignments())
def test_every_written_question_is_on_the_page_with_its_model_answer(assignment):
    cells = manual_cells(assignment)
    answers = written_answers(COURSE, assignment)
    assert cells and [a.grade_id for a in answers] == list(cells)
    assert [a.points for a in answers] == [float(c.metadata["nbgrader"]["points"]) for c in cells.values()]
    page = answers_page(COURSE, assignment)
    for answer in answers:
        assert f"id='{answer.grade_id}'" in page
        assert answer.question.strip() and answer.model_answer.strip()
        # a sentence of the model answer, as rendered text
        words = re.sub(r"[*_`$\\]", "", answer.model_answer.split("\n")[-1]).split()[:4]
        assert " ".join(words) in re.sub(r"<[^>]+>", "", page), answer.grade_id
    assert "SOLUTION" not in page and "<script" not in page.lower() and "http" not in page.replace(
        "http://www.w3.org/1998/Math/MathML", "")


def test_the_maths_of_the_questions_is_mathml():
    assert "<math " in answers_page(COURSE, "lnp")


def test_answers_command_writes_one_page_per_assignment(tmp_path, capsys):
    course = copy_course(tmp_path / "course", ["correlations", "lnp"])
    assert main(["--root", str(course.root), "answers"]) == 0
    assert sorted(p.name for p in (course.root / "reports").iterdir()) == ["answers_correlations.html",
                                                                          "answers_lnp.html"]
    assert "model answers:" in capsys.readouterr().out
    assert main(["--root", str(course.root), "answers", "correlations", "--out", str(tmp_path / "ta")]) == 0
    assert (tmp_path / "ta" / "answers_correlations.html").read_text().count("<section") == \
        len(manual_cells("correlations"))


def test_unknown_assignment_is_a_clear_error():
    with pytest.raises(CourseError, match="nope"):
        written_answers(COURSE, "nope")
