"""LMS grade export (course.export): its numbers are nbgrader export's, pending manual grades marked."""

import csv
import shutil

import pytest
from nbgrader.api import Gradebook

from conftest import max_scores as max_scores_of, student_with
from course.export import export_grades
from course.layout import Course
from course.nbgrader_run import run_nbgrader

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("correlations")]


def nbgrader_export(course, path):
    """``nbgrader export``: (student, assignment) -> (score, max_score)."""
    run_nbgrader(course, "export", f"--to={path}")
    with open(path) as handle:
        return {(row["student_id"], row["assignment"]): (float(row["score"] or 0), float(row["max_score"]))
                for row in csv.DictReader(handle)}


def read_lms(path):
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, {row["student_id"]: row for row in reader}


def assert_matches_nbgrader(course, lms_path, export_path):
    header, rows = read_lms(lms_path)
    exported = nbgrader_export(course, export_path)
    assignments = header[4:-4]
    assert exported, "nbgrader export is empty"
    assert set(rows) == {student for student, _ in exported}
    for student, row in rows.items():
        total = max_total = 0.0
        for assignment in assignments:
            score, max_score = exported[(student, assignment)]
            assert float(row[assignment] or 0) == pytest.approx(score), (student, assignment)
            total, max_total = total + score, max_total + max_score
        assert float(row["total"]) == pytest.approx(total), student
        assert float(row["max_total"]) == pytest.approx(max_total)
        assert float(row["percent"]) == pytest.approx(round(100 * total / max_total, 2))
    return header, rows


def test_lms_export_round_trips_with_nbgrader_export(graded_class, tmp_path):
    shared_course, scores, _, members = graded_class("correlations")
    # work on a copy: other tests read the shared gradebook at the same time
    course = Course(shutil.copytree(shared_course.root, tmp_path / "course"))
    with Gradebook(course.db_url) as gradebook:
        gradebook.update_or_create_student("zz_absent", first_name="Ada", last_name="Absent")

    path, _, max_scores = export_grades(course, out=tmp_path / "grades_lms.csv")
    header, rows = assert_matches_nbgrader(course, path, tmp_path / "export.csv")
    assert header == ["student_id", "last_name", "first_name", "email", "correlations",
                      "total", "max_total", "percent", "pending_manual"]
    assert max_scores == {"correlations": 9.0}
    assert set(rows) == set(scores) | {"zz_absent"}
    # one row per student; no submission: an empty cell (not 0), a total of 0
    assert rows["zz_absent"]["correlations"] == "" and rows["zz_absent"]["total"] == "0"
    assert (rows["zz_absent"]["last_name"], rows["zz_absent"]["first_name"]) == ("Absent", "Ada")
    # the reference's autograded points are in; its three written answers wait for a TA
    assert rows["reference"]["correlations"] == "6" and rows["reference"]["percent"] == "66.67"
    assert rows["reference"]["pending_manual"] == "correlations:3"
    assert rows["blank"]["correlations"] == "0" and rows["blank"]["pending_manual"] == ""
    for student, by_cell in scores.items():
        assert float(rows[student]["correlations"]) == sum(v for v in by_cell.values() if v is not None)
        assert (rows[student]["pending_manual"] != "") == any(v is None for v in by_cell.values())
    # the bundle holding this mistake loses Exercise 1, plus whatever its other variants lose
    # (the points of each failed test cell)
    wrong_entry = student_with(members, "wrong_matrix_entry")
    _, wrong_entry_fails = members[wrong_entry]
    assert "test_compute_connectivity_from_single_neuron" in wrong_entry_fails
    autograded = {cell: points for cell, points in max_scores_of(course, "correlations").items()
                  if cell.startswith("test_")}
    assert float(rows[wrong_entry]["correlations"]) == sum(autograded.values()) - sum(
        autograded[cell] for cell in wrong_entry_fails)

    # a TA grades the reference's written answers in formgrader: nothing pending any more
    with Gradebook(course.db_url) as gradebook:
        submission = gradebook.find_submission("correlations", "reference")
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.needs_manual_grade:
                    grade.manual_score = 0.5
                    grade.needs_manual_grade = False
        gradebook.db.commit()
    path, _, _ = export_grades(course, out=tmp_path / "after_manual.csv")
    _, rows = assert_matches_nbgrader(course, path, tmp_path / "export_after.csv")
    assert rows["reference"]["correlations"] == "7.5" and rows["reference"]["pending_manual"] == ""
    assert rows["reference"]["percent"] == "83.33"


def test_export_command_and_unknown_assignment(graded_class, tmp_path, capsys):
    from course.cli import main

    course, _, _, _ = graded_class("correlations")
    out = tmp_path / "lms.csv"
    assert main(["--root", str(course.root), "export", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "maximum points: correlations 9" in printed and "pending_manual" in printed
    assert out.read_text().splitlines()[0].startswith("student_id,")
    assert main(["--root", str(course.root), "export", "lnp", "--out", str(out)]) == 2
    assert "not in the gradebook: lnp" in capsys.readouterr().err
