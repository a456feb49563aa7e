"""A small class of submissions per assignment, for the demo and the tests.

Every class has a ``reference`` student (the model answers), a ``blank``
student (the released notebook, untouched), and one student per plausible
mistake, each defined in ``course/classroom/<assignment>.py`` as::

    MISTAKES = {
        "student_id": Mistake(
            description="what the student got wrong",
            answers={"<grade_id>": "<cell source>"},   # the other answers are correct
            fails={"test_<function>"},                 # test cells that must score 0
        ),
    }
"""

import importlib
from dataclasses import dataclass, field

from course import notebooks as nbtools


@dataclass(frozen=True)
class Mistake:
    description: str
    answers: dict
    fails: frozenset = field(default_factory=frozenset)


def mistakes_for(assignment):
    """The MISTAKES table of an assignment (empty if it has none)."""
    try:
        module = importlib.import_module(f"course.classroom.{assignment}")
    except ModuleNotFoundError:
        return {}
    return module.MISTAKES


def class_submissions(course, assignment):
    """Student id -> {notebook file name: NotebookNode} for the demo class."""
    students = {"reference": {}, "blank": {}}
    students.update({name: {} for name in mistakes_for(assignment)})
    for source_path in course.source_notebooks(assignment):
        release = nbtools.read(course.release / assignment / source_path.name)
        reference = nbtools.reference_answers(nbtools.read(source_path))
        students["reference"][source_path.name] = nbtools.fill_answers(release, reference)
        students["blank"][source_path.name] = release
        for name, mistake in mistakes_for(assignment).items():
            own = {k: v for k, v in mistake.answers.items() if k in reference}
            students[name][source_path.name] = nbtools.fill_answers(release, {**reference, **own})
    return students


def write_class(course, assignment, destination=None):
    """Write the demo class into ``submitted/<student>/<assignment>/``; returns the ids."""
    destination = destination or course.submitted
    students = class_submissions(course, assignment)
    for student, files in students.items():
        folder = destination / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, notebook in files.items():
            nbtools.write(notebook, folder / name)
    return sorted(students)
