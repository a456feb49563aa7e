"""Grade tables and the HTML grade report, read from nbgrader's gradebook."""

import base64
import csv
import html
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from course.grading import load_outcomes
from course.nbgrader_run import run_nbgrader


@dataclass
class StudentResult:
    student: str
    assignment: str
    scores: dict = field(default_factory=dict)       # grade_id -> auto or manual score (None: pending)
    max_scores: dict = field(default_factory=dict)   # grade_id -> points
    pending: list = field(default_factory=list)      # grade_ids waiting for manual grading
    status: str = ""
    reason: str = ""

    @property
    def total(self):
        return sum(score or 0 for score in self.scores.values())

    @property
    def max_total(self):
        return sum(self.max_scores.values())

    @property
    def pending_points(self):
        """Points of the written answers a TA has not graded yet."""
        return sum(self.max_scores.get(name, 0) for name in self.pending)


def _total(result):
    """'6/8', or '6/8 (2 pending)' while written answers wait for a TA (not lost points)."""
    text = f"{result.total:g}/{result.max_total:g}"
    return text + (f" ({result.pending_points:g} pending)" if result.pending else "")


def collect_results(course, assignments=None):
    """One :class:`StudentResult` per submission, in student order."""
    results = []
    with Gradebook(course.db_url) as gradebook:
        for assignment in assignments or course.assignments():
            try:
                submissions = gradebook.assignment_submissions(assignment)
            except MissingEntry:
                continue
            outcomes = load_outcomes(course, assignment)
            for submission in sorted(submissions, key=lambda s: s.student_id):
                result = StudentResult(submission.student_id, assignment)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        score = grade.manual_score if grade.manual_score is not None else grade.auto_score
                        result.scores[grade.name] = score
                        result.max_scores[grade.name] = grade.max_score
                        if grade.needs_manual_grade:
                            result.pending.append(grade.name)
                outcome = outcomes.get(submission.student_id, {})
                result.status = outcome.get("status", "")
                reasons = [outcome.get("message", "")] + outcome.get("notes", []) + outcome.get("review", [])
                result.reason = "; ".join(r for r in reasons if r)
                results.append(result)
    return results


def nbgrader_totals(course):
    """(student, assignment) -> total score, from ``nbgrader export`` (the source of truth)."""
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "export.csv"
        run_nbgrader(course, "export", f"--to={path}")
        with path.open() as handle:
            return {(row["student_id"], row["assignment"]): float(row["score"] or 0)
                    for row in csv.DictReader(handle)}


def check_against_export(course, results):
    """Submissions whose per-exercise sum disagrees with nbgrader's export."""
    totals = nbgrader_totals(course)
    return [r for r in results
            if abs(totals.get((r.student, r.assignment), 0.0) - r.total) > 1e-9]


def exercises(results, assignment):
    order = []
    for result in results:
        if result.assignment == assignment:
            order += [name for name in result.max_scores if name not in order]
    return order


def _cell(result, name):
    if name in result.pending:
        return "manual"
    score = result.scores.get(name)
    return "-" if score is None else f"{score:g}"


def format_table(results):
    """A plain-text grade table per assignment: students x exercises."""
    lines = []
    for assignment in dict.fromkeys(r.assignment for r in results):
        rows = [r for r in results if r.assignment == assignment]
        names = exercises(results, assignment)
        header = ["student", *names, "total", "status"]
        body = [[r.student, *(_cell(r, n) for n in names), _total(r), r.status or "-"] for r in rows]
        widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
        lines.append(f"\n{assignment}")
        for row in [header, ["-" * w for w in widths], *body]:
            lines.append("  ".join(str(value).ljust(width) for value, width in zip(row, widths)))
    return "\n".join(lines)


def write_csv(results, path):
    """grades.csv: one row per student and assignment, one column per exercise."""
    path = Path(path)
    assignments = list(dict.fromkeys(r.assignment for r in results))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "exercise", "score", "max_score",
                         "needs_manual_grade", "status"])
        for assignment in assignments:
            names = exercises(results, assignment)
            for result in (r for r in results if r.assignment == assignment):
                for name in names:
                    score = result.scores.get(name)
                    writer.writerow([result.student, assignment, name, "" if score is None else score,
                                     result.max_scores.get(name, ""), name in result.pending,
                                     result.status])
                writer.writerow([result.student, assignment, "TOTAL", result.total, result.max_total,
                                 bool(result.pending), result.status])
    return path


def _figure_png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _short(name):
    """Column header: the exercise without the ``test_``/``think_`` prefix (the full id in the tooltip)."""
    for prefix in ("test_", "think_"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


LEGEND = ("<p class='legend'><b>manual</b>: a written answer waiting for a TA in formgrader (not lost "
          "points); <b>-</b>: no score recorded. Totals count the points graded so far; "
          "<i>(N pending)</i> are the points still to be graded by hand.</p>")


def write_html(results, path):
    """A self-contained HTML page: distributions, pass rates, attention list, table."""
    from matplotlib.figure import Figure   # no pyplot: the caller's matplotlib state stays as it is

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Grade report</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
             "th{font-size:80%;max-width:9em;overflow-wrap:anywhere;vertical-align:bottom}"
             ".scroll{overflow-x:auto;max-width:100%}img{max-width:100%}"
             ".bad{background:#fde0dc}.legend{font-size:90%;color:#444}</style></head><body><h1>Grade report</h1>"]
    for assignment in dict.fromkeys(r.assignment for r in results):
        rows = [r for r in results if r.assignment == assignment]
        names = exercises(results, assignment)
        tests = [n for n in names if n.startswith("test_")]
        fig = Figure(figsize=(11, 3.5))
        axes = fig.subplots(1, 2)
        axes[0].hist([r.total for r in rows], bins=10, range=(0, max(r.max_total for r in rows) or 1))
        axes[0].set(title="total score (graded so far)", xlabel="points", ylabel="students")
        rates = [sum(1 for r in rows if (r.scores.get(t) or 0) >= r.max_scores.get(t, 0) > 0) / len(rows)
                 for t in tests]
        axes[1].barh([_short(t) for t in tests], rates)
        axes[1].set(xlim=(0, 1), title="pass rate per test", xlabel="fraction of students")
        fig.tight_layout()
        parts.append(f"<h2>{html.escape(assignment)}</h2><img src='data:image/png;base64,{_figure_png(fig)}'>")
        attention = [r for r in rows if r.status not in ("", "ok") or r.reason]
        waiting = [r for r in rows if r.pending]
        parts.append("<h3>Needs attention</h3>")
        if waiting:
            answers = sum(len(r.pending) for r in waiting)
            parts.append(f"<p><b>{answers} written answer(s) of {len(waiting)} student(s) wait for manual "
                         f"grading</b> in formgrader (Manual Grading, {html.escape(assignment)}).</p>")
        if attention:
            parts.append("<div class='scroll'><table><tr><th>student</th><th>status</th><th>why</th></tr>")
            parts += [f"<tr class='bad'><td>{html.escape(r.student)}</td><td>{html.escape(r.status)}</td>"
                      f"<td>{html.escape(r.reason)}</td></tr>" for r in attention]
            parts.append("</table></div>")
        else:
            parts.append("<p>Every submission ran normally.</p>")
        parts.append("<h3>Scores</h3>" + LEGEND + "<div class='scroll'><table><tr><th>student</th>"
                     + "".join(f"<th title='{html.escape(n)}'>{html.escape(_short(n))}</th>" for n in names)
                     + "<th>total</th></tr>")
        for r in rows:
            parts.append(f"<tr><td>{html.escape(r.student)}</td>"
                         + "".join(f"<td>{_cell(r, n)}</td>" for n in names)
                         + f"<td>{html.escape(_total(r))}</td></tr>")
        parts.append("</table></div>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts))
    return path


def report(course, assignments=None, csv_path=None, html_path=None):
    """Write grades.csv and the HTML report; return (results, text table)."""
    results = collect_results(course, assignments)
    mismatched = check_against_export(course, results)
    if mismatched:
        raise RuntimeError("per-exercise scores disagree with nbgrader export for: "
                           + ", ".join(f"{r.student}/{r.assignment}" for r in mismatched))
    write_csv(results, csv_path or course.root / "grades.csv")
    write_html(results, html_path or course.root / "reports" / "grades.html")
    return results, format_table(results)
