"""Feedback for students: nbgrader's HTML, without the hidden tests or student script."""

import html
import os
import re
import stat
import time

from course.layout import CourseError
from course.mathml import drop_mathjax
from course.nbgrader_run import run_nbgrader

# What nbgrader's exchange writes next to a submission and ``nbgrader release_feedback``
# reads next to the feedback: when it was submitted, and the secret that names the
# feedback file only the submitting student can find.
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")
MAX_EXCHANGE_FILE_BYTES = 4096


def _read_small_regular_file(path):
    """The text of ``path`` if it is a small regular file (never through a link), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_EXCHANGE_FILE_BYTES:
            return None
        data = handle.read(MAX_EXCHANGE_FILE_BYTES + 1)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if text.strip().isprintable() else None


def copy_exchange_files(course, assignment, student=None):
    """Put each submission's ``timestamp.txt`` and ``submission_secret.txt`` next to its feedback.

    ``course grade`` grades a copy of the notebooks only, so nbgrader's
    generate_feedback does not find these files; ``nbgrader release_feedback``
    needs them to publish the feedback where the student's ``fetch_feedback``
    looks. Only small, printable regular files are copied (submissions are
    untrusted); returns the students whose files were copied.
    """
    copied = []
    root = course.feedback
    students = [student] if student else sorted(p.name for p in root.iterdir()) if root.is_dir() else []
    for name in students:
        target = root / name / assignment
        source = course.submitted / name / assignment
        if target.is_symlink() or not target.is_dir() or not any(target.glob("*.html")):
            continue
        texts = {file: _read_small_regular_file(source / file) for file in EXCHANGE_FILES}
        if any(text is None for text in texts.values()):
            continue
        for file, text in texts.items():
            destination = target / file
            if destination.is_symlink():
                destination.unlink()
            destination.write_text(text)
        copied.append(name)
    return copied


NOT_GRADED = "not graded yet"


def mark_pending(page, pending_ids):
    """Say "not graded yet" where nbgrader's feedback shows 0 for a written answer no TA has graded.

    nbgrader's template prints ``Score: 0.0 / 1.0`` for those (its score is
    0 until a TA grades it), which reads as lost points. The table of
    contents and the cell heading of each pending ``grade_id`` are changed.
    """
    for gid in pending_ids:
        name = re.escape(html.escape(gid, quote=True))
        page = re.sub(rf'(<a href="#{name}">[^<]*</a>\s*\(Score: )[0-9.]+( / [0-9.]+\))',
                      rf"\g<1>{NOT_GRADED}\g<2>", page, count=1)
        page = re.sub(rf'(<a name="{name}"></a>.*?Score: )[0-9.]+( / [0-9.]+)',
                      rf"\g<1>{NOT_GRADED}\g<2>", page, count=1, flags=re.DOTALL)
    return page


def _pending_by_student(course, assignment):
    """student -> grade_ids of written answers that still wait for a TA."""
    from nbgrader.api import Gradebook, MissingEntry

    pending = {}
    with Gradebook(course.db_url) as gradebook:
        try:
            submissions = gradebook.assignment_submissions(assignment)
        except MissingEntry:
            return pending
        for submission in submissions:
            pending[submission.student_id] = [
                grade.name for notebook in submission.notebooks for grade in notebook.grades
                if grade.needs_manual_grade and grade.manual_score is None]
    return pending


def _drop_data_copies(course, assignment):
    """nbgrader copies the assignment's data files (model weights, .mat) next to each feedback page: remove them."""
    for folder in course.feedback.glob(f"*/{assignment}"):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and not path.is_symlink() and path.suffix != ".html" \
                    and path.name not in EXCHANGE_FILES:
                path.unlink()


def generate_feedback(course, assignment, student=None, show_hidden=False):
    """Run ``nbgrader generate_feedback`` with :class:`HideHiddenTests` added.

    :class:`course.sanitize.SanitizeStudentContent` runs after ``GetGrades``
    (so the gradebook's comments are cleaned too): the feedback HTML carries
    no script, event handler or script link written by the student.
    :class:`course.mathml.MathToMathML` turns the maths into MathML, so the
    page needs no MathJax from a CDN and reads the same offline.

    Returns the paths of the feedback files written.
    """
    config = course.work / assignment / "config_feedback.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "c = get_config()\n"
        f"load_subconfig({str(course.root / 'nbgrader_config.py')!r})\n"
        "c.GenerateFeedback.preprocessors = [\n"
        "    'nbgrader.preprocessors.GetGrades',\n"
        "    'course.sanitize.SanitizeStudentContent',\n"
        "    'course.nbgrader_ext.HideHiddenTests',\n"
        "    'course.mathml.MathToMathML',\n"
        "    'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor',\n"
        "]\n"
        f"c.HideHiddenTests.enabled = {not show_hidden!r}\n"
    )
    args = ["generate_feedback", assignment, "--force", f"--NbGrader.config_file={config.with_suffix('')}"]
    if student:
        args.append(f"--student={student}")
    run_nbgrader(course, *args, check=False)
    # nbgrader drops a student whose conversion failed (a locked gradebook under load, say):
    # try each missing one again on its own, so that nobody silently goes without feedback.
    graded = [student] if student else sorted(p.parent.name for p in course.autograded.glob(f"*/{assignment}"))
    failures = {}
    for name in graded:
        for attempt in range(3):
            if list((course.feedback / name / assignment).glob("*.html")):
                break
            time.sleep(attempt)
            result = run_nbgrader(course, *args[:4], f"--student={name}", check=False)
            failures[name] = (getattr(result, "stderr", "") or "")[-1500:]
        if list((course.feedback / name / assignment).glob("*.html")):
            failures.pop(name, None)
    if failures:
        details = "\n".join(f"--- {name}:\n{log}" for name, log in failures.items())
        raise CourseError(f"no feedback could be written for {', '.join(failures)} "
                           f"(nbgrader generate_feedback failed three times):\n{details}")
    _drop_data_copies(course, assignment)
    copy_exchange_files(course, assignment, student)
    pages = sorted((course.feedback).glob(f"*/{assignment}/*.html"))
    pending = _pending_by_student(course, assignment)
    for page in pages:
        text = drop_mathjax(page.read_text())   # the maths is MathML already (course.mathml)
        ids = pending.get(page.parts[-3])
        page.write_text(mark_pending(text, ids) if ids else text)
    return pages
