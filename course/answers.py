"""Model answers for TAs: one HTML page per assignment, from ``source/``.

Formgrader shows the TA the student's written answer but not the model
answer (it exists only in the source notebook). ``python -m course answers
ASSIGNMENT`` writes a page with every manually graded cell: the question, the
points, and the model answer, to keep open beside formgrader. The page is for
instructors and TAs only (it is written under ``reports/``, never into a kit).
"""

import html
from dataclasses import dataclass
from pathlib import Path

from course import notebooks as nbtools
from course.layout import CourseError
from course.mathml import render_math

@dataclass(frozen=True)
class WrittenAnswer:
    """One manually graded cell of a source notebook."""

    notebook: str
    grade_id: str
    points: float
    cell_type: str
    question: str
    model_answer: str


def written_answers(course, assignment):
    """Every manually graded cell of the assignment's source notebooks, with its question.

    The question is the markdown cell just above the answer (where the course
    puts each Think! question).

    Returns
    -------
    list of WrittenAnswer
    """
    course.check_assignment(assignment)
    found = []
    for path in course.source_notebooks(assignment):
        cells = nbtools.read(path).cells
        for index, cell in enumerate(cells):
            flags = nbtools.nbgrader_meta(cell)
            manual = flags.get("grade") and (flags.get("solution") or flags.get("task"))
            if not manual:
                continue
            question = next((cells[i].source for i in range(index - 1, -1, -1)
                             if cells[i].cell_type == "markdown"
                             and not nbtools.nbgrader_meta(cells[i]).get("grade")), "")
            found.append(WrittenAnswer(path.name, flags.get("grade_id", f"cell {index}"),
                                       float(flags.get("points", 0)), cell.cell_type, question,
                                       nbtools.reference_answer(cell).strip("\n")))
    return found


def _markdown(text):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(render_math(text))


PAGE_STYLE = ("body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;"
              "line-height:1.5}section{border-top:1px solid #ccc;padding:.5rem 0 1rem}"
              ".question{color:#444}.answer{background:#f3f7f0;border-left:4px solid #5a8f3c;padding:.25rem 1rem}"
              "pre{background:#f6f6f6;padding:.5rem;overflow-x:auto}h2 small{color:#666;font-weight:normal}")


def answers_page(course, assignment):
    """The HTML of the model-answers page (self-contained: maths as MathML, no script)."""
    answers = written_answers(course, assignment)
    title = f"{assignment}: model answers for the written questions"
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{PAGE_STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p>{len(answers)} manually graded cell(s), {sum(a.points for a in answers):g} point(s). "
             "For TAs grading in formgrader: the model answer is one good answer, not the only one.</p>"]
    for answer in answers:
        body = (_markdown(answer.model_answer) if answer.cell_type == "markdown"
                else f"<pre>{html.escape(answer.model_answer)}</pre>")
        parts.append(
            f"<section id='{html.escape(answer.grade_id, quote=True)}'>"
            f"<h2>{html.escape(answer.grade_id)} <small>({answer.points:g} point(s), "
            f"{html.escape(answer.notebook)})</small></h2>"
            f"<div class='question'>{_markdown(answer.question)}</div>"
            f"<div class='answer'>{body}</div></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_answers(course, assignments=None, out=None):
    """Write ``reports/answers_<assignment>.html`` for each assignment; returns the paths.

    Parameters
    ----------
    course : course.layout.Course
    assignments : list of str, optional
        Default: every assignment in ``source/``.
    out : path-like, optional
        Folder for the pages (default ``reports/`` in the course root).
    """
    assignments = assignments or course.assignments()
    if not assignments:
        raise CourseError("no assignments in source/")
    folder = Path(out) if out else course.root / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for assignment in assignments:
        path = folder / f"answers_{assignment}.html"
        path.write_text(answers_page(course, assignment))
        paths.append(path)
    return paths
