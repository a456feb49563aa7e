"""Grade export for a learning platform (LMS): one row per student, one column per assignment.

``python -m course export [ASSIGNMENT ...] [--out grades_lms.csv]`` reads the
gradebook (the source of truth) and writes a CSV that an LMS gradebook import
(Moodle, Canvas, Blackboard, ...) can map column by column:

=================  ==============================================================
column             content
=================  ==============================================================
``student_id``     nbgrader's student id (the LMS user name or id you collected with)
``last_name``      from the gradebook (empty unless you added students with names)
``first_name``     idem
``email``          idem
one per assignment points after nbgrader's late penalty, as ``nbgrader export``'s
                   ``score``; **empty** if the student has no submission (not 0:
                   the LMS keeps "no grade" apart from "0 points")
``total``          sum of the assignment columns (missing submissions count 0)
``max_total``      sum of the assignments' maximum points
``percent``        ``100 * total / max_total``, rounded to 0.01
``pending_manual`` the assignments whose written answers are not graded yet, as
                   ``assignment:count`` separated by ``;`` (e.g.
                   ``correlations:3;lnp:1``); empty when everything is graded.
                   Their points are provisional: the written answers count 0
                   until a TA grades them in formgrader.
=================  ==============================================================

Numbers are plain decimals (``8``, ``7.5``) so every LMS reads them. The
maximum points of each assignment are printed by the CLI and are the
``max_score`` of ``nbgrader export``.
"""

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from course.layout import CourseError

FIXED = ["student_id", "last_name", "first_name", "email"]
TRAILING = ["total", "max_total", "percent", "pending_manual"]


def _number(value):
    """``8.0`` -> ``'8'``, ``7.25`` -> ``'7.25'``: short, exact enough, no exponent."""
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def lms_rows(course, assignments=None):
    """The export as a list of dicts (the CSV's rows) and the assignments' maximum points.

    Returns
    -------
    rows : list of dict
        One per student of the gradebook, in student-id order; keys are the
        CSV columns. Assignment columns hold a float, or None without a submission.
    max_scores : dict
        assignment -> maximum points.
    """
    rows, max_scores = [], {}
    with Gradebook(course.db_url) as gradebook:
        known = [a.name for a in gradebook.assignments]
        wanted = list(assignments) if assignments else sorted(known)
        unknown = [a for a in wanted if a not in known]
        if unknown:
            raise CourseError(f"not in the gradebook: {', '.join(unknown)} (release and grade it first; "
                              f"known: {', '.join(sorted(known)) or 'none'})")
        for name in wanted:
            max_scores[name] = float(gradebook.find_assignment(name).max_score)
        for student in sorted(gradebook.students, key=lambda s: s.id):
            row = {"student_id": student.id, "last_name": student.last_name or "",
                   "first_name": student.first_name or "", "email": student.email or ""}
            total, pending = 0.0, []
            for name in wanted:
                try:
                    submission = gradebook.find_submission(name, student.id)
                except MissingEntry:
                    row[name] = None
                    continue
                # nbgrader export's score: the raw score minus the late penalty, never below 0
                score = max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0.0))
                row[name] = score
                total += score
                waiting = sum(1 for notebook in submission.notebooks for grade in notebook.grades
                              if grade.needs_manual_grade)
                if waiting:
                    pending.append(f"{name}:{waiting}")
            max_total = sum(max_scores.values())
            row.update(total=total, max_total=max_total,
                       percent=round(100.0 * total / max_total, 2) if max_total else 0.0,
                       pending_manual=";".join(pending))
            rows.append(row)
    return rows, max_scores


def write_lms_csv(rows, assignments, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIXED + list(assignments) + TRAILING)
        for row in rows:
            values = [row[key] for key in FIXED]
            values += ["" if row[name] is None else _number(row[name]) for name in assignments]
            values += [_number(row["total"]), _number(row["max_total"]), _number(row["percent"]),
                       row["pending_manual"]]
            writer.writerow(values)
    return path


def export_grades(course, assignments=None, out=None):
    """Write the LMS export; returns ``(path, rows, max_scores)`` (format: the module docstring)."""
    rows, max_scores = lms_rows(course, assignments)
    path = write_lms_csv(rows, list(max_scores), out or course.root / "grades_lms.csv")
    return path, rows, max_scores
