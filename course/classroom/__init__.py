"""A small class of submissions per assignment, for the demo and the tests.

Every class has a ``reference`` student (the model answers), a ``blank``
student (the released notebook, untouched), and one student per variant
defined in ``course/classroom/<assignment>.py``::

    VARIANTS = {
        "student_id": Variant(
            description="what the student did",
            answers={"<grade_id>": "<cell source>"},      # the other answers are the reference
            fails=frozenset({"test_<function>"}),          # test cells that must score 0
        ),
    }

A variant with an empty ``fails`` is another *correct* implementation (loops
instead of vectorized code, scipy instead of numpy...): the hidden tests must
give it full marks. The others are plausible mistakes: each must lose exactly
the points of the test cells in ``fails``.
"""

import importlib
from dataclasses import dataclass, field

from course import notebooks as nbtools


@dataclass(frozen=True)
class Variant:
    description: str
    answers: dict
    fails: frozenset = field(default_factory=frozenset)


def variants_for(assignment):
    """The VARIANTS table of an assignment (empty if it has none)."""
    try:
        module = importlib.import_module(f"course.classroom.{assignment}")
    except ModuleNotFoundError:
        return {}
    return module.VARIANTS


def class_submissions(course, assignment):
    """Student id -> {notebook file name: NotebookNode} for the demo class."""
    students = {"reference": {}, "blank": {}}
    students.update({name: {} for name in variants_for(assignment)})
    for source_path in course.source_notebooks(assignment):
        release = nbtools.read(course.release / assignment / source_path.name)
        reference = nbtools.reference_answers(nbtools.read(source_path))
        students["reference"][source_path.name] = nbtools.fill_answers(release, reference)
        students["blank"][source_path.name] = release
        for name, variant in variants_for(assignment).items():
            own = {k: v for k, v in variant.answers.items() if k in reference}
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


def bundle_variants(variants):
    """Pack variants into as few submissions as possible, for fast tests.

    Variants share a submission only if they change different answer cells
    and are expected to fail different test cells, so each expected failure
    is still attributed to exactly one variant. (Tests that depend on an
    earlier exercise swap in its reference inside their hidden block, which
    keeps the exercises independent.)

    Returns
    -------
    list of (tuple of str, dict, frozenset)
        Variant names, their merged answers, and the union of their ``fails``.
    """
    bundles = []
    for name, variant in sorted(variants.items()):
        keys = set(variant.answers)
        for bundle in bundles:
            if not (bundle["keys"] & keys) and not (bundle["fails"] & variant.fails):
                break
        else:
            bundle = {"names": [], "keys": set(), "fails": set(), "answers": {}}
            bundles.append(bundle)
        bundle["names"].append(name)
        bundle["keys"] |= keys
        bundle["fails"] |= set(variant.fails)
        bundle["answers"].update(variant.answers)
    return [(tuple(b["names"]), b["answers"], frozenset(b["fails"])) for b in bundles]


def write_bundled_class(course, assignment):
    """Write reference, blank and bundled variants; returns {student: (names, fails)}."""
    students = {"reference": ((), frozenset()), "blank": ((), None)}
    for index, (names, answers, fails) in enumerate(bundle_variants(variants_for(assignment))):
        students[f"bundle_{index:02d}"] = (names, fails)
        for source_path in course.source_notebooks(assignment):
            release = nbtools.read(course.release / assignment / source_path.name)
            reference = nbtools.reference_answers(nbtools.read(source_path))
            own = {k: v for k, v in answers.items() if k in reference}
            folder = course.submitted / f"bundle_{index:02d}" / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbtools.write(nbtools.fill_answers(release, {**reference, **own}), folder / source_path.name)
    submissions = class_submissions(course, assignment)
    for student in ("reference", "blank"):
        for name, notebook in submissions[student].items():
            folder = course.submitted / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbtools.write(notebook, folder / name)
    return students
