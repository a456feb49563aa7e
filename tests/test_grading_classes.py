"""Real nbgrader on a copy of the course: each assignment's demo class is graded fairly.

The reference gets full marks, the blank release 0, every other correct
solution full marks, and every plausible mistake loses exactly the points of
its own exercise. Each class is graded once per test run, on one xdist worker
(run with ``--dist loadgroup``).
"""

import json

import pytest

from conftest import max_scores, student_with
from course import notebooks as nbtools
from course.classroom import variants_for

ASSIGNMENTS = ["correlations", "lnp", "correlated_regressors", "mei_vs_gabor"]


def per_assignment(*extra):
    """One parameter per assignment, each on the xdist worker that grades its class."""
    return [pytest.param(assignment, *values, marks=pytest.mark.xdist_group(assignment),
                         id="-".join([assignment, *map(str, values)]))
            for assignment in ASSIGNMENTS for values in (extra[0](assignment) if extra else [()])]


def variant_names(assignment):
    return [(name,) for name in sorted(variants_for(assignment))]


def autograded_tests(scores):
    return {name: score for name, score in scores.items() if name.startswith("test_")}


@pytest.mark.grading
@pytest.mark.parametrize("assignment", per_assignment())
def test_reference_solution_gets_full_marks(graded_class, assignment):
    course, scores, outcomes, _ = graded_class(assignment)
    full = autograded_tests(max_scores(course, assignment))
    assert outcomes["reference"].status == "ok", outcomes["reference"].message
    assert full and autograded_tests(scores["reference"]) == full


@pytest.mark.grading
@pytest.mark.parametrize("assignment", per_assignment())
def test_blank_release_gets_zero_without_crashing(graded_class, assignment):
    course, scores, outcomes, _ = graded_class(assignment)
    assert outcomes["blank"].status == "ok", outcomes["blank"].message
    autograded = autograded_tests(scores["blank"])
    assert autograded and all(v == 0 for v in autograded.values()), autograded
    # unanswered written cells score 0 without manual grading
    assert all(v == 0 for v in scores["blank"].values())


@pytest.mark.grading
@pytest.mark.parametrize("assignment, variant", per_assignment(variant_names))
def test_variant_loses_exactly_its_exercise(graded_class, assignment, variant):
    variants = variants_for(assignment)
    course, scores, outcomes, members = graded_class(assignment)
    full = max_scores(course, assignment)
    student = student_with(members, variant)
    names, expected_zero = members[student]
    assert outcomes[student].status == "ok", outcomes[student].message
    graded = autograded_tests(scores[student])
    assert graded, "no autograded test cell was recorded"
    for name, score in graded.items():
        wanted = 0 if name in expected_zero else full[name]
        culprit = [n for n in names if name in variants[n].fails] or list(names)
        assert score == wanted, (
            f"{', '.join(culprit)}: {name} scored {score}, expected {wanted} "
            f"({'; '.join(variants[n].description for n in culprit)})")


@pytest.mark.grading
@pytest.mark.parametrize("assignment", per_assignment())
def test_grading_leaves_out_the_tagged_demo_cells(graded_class, assignment):
    # Every cell tagged skip-when-grading in the source is really left out for the
    # reference solution; a new cell that needs one of them would make it run again.
    from course.skipping import SKIPPED_NOTE, skippable_cells

    course, _, _, _ = graded_class(assignment)
    for name, tagged in skippable_cells(course, assignment).items():
        assert tagged, f"{name}: no cell is tagged skip-when-grading"
        executed = nbtools.read(course.autograded / "reference" / assignment / name)
        skipped = {nbtools.grade_id(c) for c in executed.cells if c.cell_type == "code"
                   and SKIPPED_NOTE.strip() in json.dumps(c.get("outputs", []))}
        assert skipped == set(tagged), f"{name}: left out {sorted(skipped)}, tagged {sorted(tagged)}"


@pytest.mark.grading
@pytest.mark.parametrize("assignment", per_assignment())
def test_references_answer_nothing_about_other_tests_inputs(graded_class, assignment):
    # tests/oracle_keeper.py: the model answers, wrapped to keep every input and ask every reference
    # function the grader puts in place of a student's function about them (course.bridge_policy)
    import re

    from oracle_keeper import STUDENT

    course, scores, outcomes, _ = graded_class(assignment)
    assert outcomes[STUDENT].status == "ok", outcomes[STUDENT].message
    assert autograded_tests(scores[STUDENT]) == autograded_tests(max_scores(course, assignment))
    printed = ""
    for path in (course.autograded / STUDENT / assignment).glob("*.ipynb"):
        cells = nbtools.read(path).cells
        printed += "".join(o.get("text", "") for o in cells[-1].get("outputs", []))
    found = re.search(r"ORACLE answered (\d+) (\[.*?\]) refused (\d+) failed (\d+)", printed)
    assert found, printed
    assert int(found.group(1)) == 0, f"references answered questions about other tests' inputs: {found.group(2)}"
    overrides = {"correlations", "lnp", "mei_vs_gabor"}     # the assignments whose tests replace functions
    assert (int(found.group(3)) > 0) == (assignment in overrides), printed
