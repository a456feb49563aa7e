"""Feedback for students: nbgrader's HTML, without the hidden tests or student script."""

from course.nbgrader_run import run_nbgrader


def generate_feedback(course, assignment, student=None, show_hidden=False):
    """Run ``nbgrader generate_feedback`` with :class:`HideHiddenTests` added.

    :class:`course.sanitize.SanitizeStudentContent` runs after ``GetGrades``
    (so the gradebook's comments are cleaned too): the feedback HTML carries
    no script, event handler or script link written by the student.

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
        "    'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor',\n"
        "]\n"
        f"c.HideHiddenTests.enabled = {not show_hidden!r}\n"
    )
    args = ["generate_feedback", assignment, "--force", f"--NbGrader.config_file={config.with_suffix('')}"]
    if student:
        args.append(f"--student={student}")
    run_nbgrader(course, *args, check=False)
    return sorted((course.feedback).glob(f"*/{assignment}/*.html"))
