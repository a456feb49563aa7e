"""Assertions shared by every assignment's real-grader test module.

An assignment's test module only needs::

    from grading_checks import make_grading_tests
    globals().update(make_grading_tests("correlations"))
"""

import pytest

from conftest import max_scores, student_with


def make_grading_tests(assignment):
    from course.classroom import variants_for

    variants = variants_for(assignment)
    # One xdist worker grades each class once (run with --dist loadgroup).
    same_worker = pytest.mark.xdist_group(assignment)

    @same_worker
    @pytest.mark.grading
    def test_reference_solution_gets_full_marks(graded_class):
        course, scores, outcomes, _ = graded_class(assignment)
        full = max_scores(course, assignment)
        assert outcomes["reference"].status == "ok", outcomes["reference"].message
        for name, score in scores["reference"].items():
            if name.startswith("test_"):
                assert score == full[name], f"reference lost points on {name}"

    @same_worker
    @pytest.mark.grading
    def test_blank_release_gets_zero_without_crashing(graded_class):
        course, scores, outcomes, _ = graded_class(assignment)
        assert outcomes["blank"].status == "ok", outcomes["blank"].message
        autograded = {k: v for k, v in scores["blank"].items() if k.startswith("test_")}
        assert autograded and all(v == 0 for v in autograded.values()), autograded
        # unanswered written cells score 0 without manual grading
        assert all(v == 0 for v in scores["blank"].values())

    @same_worker
    @pytest.mark.grading
    @pytest.mark.parametrize("variant", sorted(variants))
    def test_variant_loses_exactly_its_exercise(graded_class, variant):
        course, scores, outcomes, members = graded_class(assignment)
        full = max_scores(course, assignment)
        student = student_with(members, variant)
        names, expected_zero = members[student]
        assert outcomes[student].status == "ok", outcomes[student].message
        for name, score in scores[student].items():
            if not name.startswith("test_"):
                continue
            wanted = 0 if name in expected_zero else full[name]
            culprit = [n for n in names if name in variants[n].fails] or list(names)
            assert score == wanted, (
                f"{', '.join(culprit)}: {name} scored {score}, expected {wanted} "
                f"({'; '.join(variants[n].description for n in culprit)})")
        assert variants[variant].fails <= expected_zero

    @same_worker
    @pytest.mark.grading
    def test_grading_leaves_out_the_tagged_demo_cells(graded_class):
        # Every cell tagged skip-when-grading in the source is really left out for the
        # reference solution; a new cell that needs one of them would make it run again.
        import json

        from course import notebooks as nbtools
        from course.execute import SKIPPED_NOTE
        from course.grading import skippable_cells

        course, _, _, _ = graded_class(assignment)
        for name, tagged in skippable_cells(course, assignment).items():
            assert tagged, f"{name}: no cell is tagged skip-when-grading"
            executed = nbtools.read(course.autograded / "reference" / assignment / name)
            skipped = {nbtools.grade_id(c) for c in executed.cells if c.cell_type == "code"
                       and SKIPPED_NOTE.strip() in json.dumps(c.get("outputs", []))}
            assert skipped == set(tagged), f"{name}: left out {sorted(skipped)}, tagged {sorted(tagged)}"

    return {
        f"test_{assignment}_skips_demo_cells": test_grading_leaves_out_the_tagged_demo_cells,
        f"test_{assignment}_reference_full_marks": test_reference_solution_gets_full_marks,
        f"test_{assignment}_blank_zero": test_blank_release_gets_zero_without_crashing,
        f"test_{assignment}_variants": test_variant_loses_exactly_its_exercise,
    }
