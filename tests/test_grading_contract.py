"""The grading contract, the released structure of a submission, and the grader's self-check."""

import shutil
import tempfile

import nbformat
import pytest

from conftest import copy_course
from course import notebooks as nbtools
from course.contract import Job, Limits, Paths, Result
from course.grading import GradingError, grade, normalize_structure, reference_notebook, grading_plan
from course.release import release


def test_a_job_and_a_result_survive_json_unchanged():
    job = Job(assignment="a", student="s", notebook_name="a.ipynb", notebook={"cells": []}, test_ids=["test_f"],
              student_names=["f"], prelude="import numpy as np", skip_ids=["demo"],
              data_files={"x.mat": "AAEC"}, allow_paths=["/h"], limits=Limits(cell_timeout=7, memory_mb=300))
    assert Job.from_json(job.to_json()) == job
    result = Result("a.ipynb", status="limit", message="m", notebook={"cells": []}, review=["r"], notes=["n"],
                    skipped=["demo"], seconds=1.5)
    assert Result.from_json(result.to_json()) == result


@pytest.mark.parametrize("bad", [{"cell_timeout": 0}, {"memory_mb": -1}, {"isolation": "docker"},
                                 {"max_procs": 2.5}, {"output_mb": True}])
def test_limits_refuse_nonsense(bad):
    with pytest.raises(ValueError):
        Limits(**bad)


def test_no_student_id_collides_with_the_graders_own_files(tmp_path):
    paths = Paths(tmp_path, "correlations")
    assert paths.student("outcomes.json") != paths.outcomes
    assert paths.student("nbgrader_ReplayOutputs.log") != paths.nbgrader_log("ReplayOutputs")
    assert paths.staged_submission("x").parent.parent == paths.staged


def _release():
    from conftest import REPO

    return nbtools.read(REPO / "release" / "correlations" / "correlations.ipynb")


@pytest.mark.parametrize("bad_meta", ["oops", None, [1, 2], {"grade_id": 5}, {"grade_id": "made_up"}])
def test_malformed_nbgrader_metadata_is_removed_not_fatal(bad_meta):
    release_nb = _release()
    notebook = nbformat.from_dict(release_nb)
    notebook.cells.insert(3, nbformat.v4.new_code_cell("x = 1"))
    notebook.cells[3].metadata["nbgrader"] = bad_meta
    notes = normalize_structure(notebook, release_nb)
    assert "nbgrader" not in notebook.cells[3].metadata and notes
    assert [nbtools.grade_id(c) for c in notebook.cells if nbtools.grade_id(c)] == \
        [nbtools.grade_id(c) for c in release_nb.cells if nbtools.grade_id(c)]


def test_the_released_structure_wins_over_the_students_metadata():
    release_nb = _release()
    notebook = nbformat.from_dict(release_nb)
    tests = [c for c in notebook.cells if nbtools.is_test(c)]
    tests[0].metadata["nbgrader"]["points"] = 100
    notebook.cells.append(nbformat.from_dict(tests[1]))                      # a copy-pasted test cell
    answer = next(c for c in notebook.cells if nbtools.is_answer(c) and c.cell_type == "code")
    answer.metadata["nbgrader"] = "not a dict"                              # answer cell label broken
    notes = normalize_structure(notebook, release_nb)
    assert tests[0].metadata["nbgrader"]["points"] == 3
    assert sum(nbtools.grade_id(c) == nbtools.grade_id(tests[1]) for c in notebook.cells) == 1
    assert any("second cell" in n for n in notes) and any("points" not in n for n in notes)


def test_a_test_turned_into_markdown_is_restored_as_code():
    release_nb = _release()
    notebook = nbformat.from_dict(release_nb)
    index = next(i for i, c in enumerate(notebook.cells) if nbtools.is_test(c))
    gid = nbtools.grade_id(notebook.cells[index])
    notebook.cells[index] = nbformat.v4.new_markdown_cell("nothing here", metadata=notebook.cells[index].metadata)
    normalize_structure(notebook, release_nb)
    cell = nbtools.cells_by_id(notebook)[gid]
    assert cell.cell_type == "code" and "BEGIN HIDDEN" not in cell.source and "assert" in cell.source


def test_the_plan_comes_from_the_instructors_notebook():
    from conftest import REPO

    test_ids, names, prelude = grading_plan(nbtools.read(REPO / "source" / "lnp" / "lnp.ipynb"))
    assert "test_fit_rf" in test_ids and "fit_rf" in names and "negloglike_lnp" in names
    assert "from scipy.optimize import check_grad, minimize" in prelude and "plt.show" not in prelude


@pytest.mark.grading
def test_a_broken_grading_environment_stops_before_any_grade_is_written(tmp_path):
    """The reference must get full marks in the sandbox first: here the kernel cannot even start."""
    from nbgrader.api import Gradebook

    course = copy_course(tmp_path / "c", ["correlations"])
    release(course, "correlations")
    folder = course.submitted / "alice" / "correlations"
    folder.mkdir(parents=True)
    shutil.copy(course.release / "correlations" / "correlations.ipynb", folder)
    with pytest.raises(GradingError, match="reference solution"):
        grade(course, "correlations", limits=Limits(memory_mb=40, cell_timeout=20, notebook_timeout=60),
              progress=False)
    with Gradebook(course.db_url) as gradebook:
        assert gradebook.assignment_submissions("correlations") == []
    assert not (course.autograded / "alice").exists()


@pytest.mark.grading
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_helpers_hidden_from_the_sandbox_is_caught_by_the_self_check(tmp_path, monkeypatch):
    # The MEI tests rebuild toy models in the kernel from helpers: without helpers there, they fail.
    from course.grading import check_grader

    course = copy_course(tmp_path / "c", ["mei_vs_gabor"])
    monkeypatch.setattr("course.grading._allow_paths", lambda: [])
    with pytest.raises(GradingError, match="reference solution of mei_vs_gabor"):
        check_grader(course, "mei_vs_gabor", Limits(cell_timeout=60, notebook_timeout=300))


def test_the_reference_notebook_has_answers_and_hidden_tests():
    from conftest import REPO

    notebook = reference_notebook(nbtools.read(REPO / "source" / "correlations" / "correlations.ipynb"))
    sources = "".join(c.source for c in notebook.cells)
    assert "### BEGIN SOLUTION" not in sources and "### BEGIN HIDDEN TESTS" in sources
    assert "np.corrcoef" in sources


def test_a_pasted_copy_of_a_test_does_not_take_the_label_from_the_original():
    release_nb = _release()
    notebook = nbformat.from_dict(release_nb)
    index = next(i for i, c in enumerate(notebook.cells) if nbtools.is_test(c))
    pasted = nbformat.from_dict(notebook.cells[index])
    pasted["id"] = "pasted01"
    notebook.cells.insert(index - 1, pasted)            # above the answer, as a student might
    normalize_structure(notebook, release_nb)
    assert "nbgrader" not in notebook.cells[index - 1].metadata
    assert nbtools.is_test(notebook.cells[index + 1])


def test_a_test_cell_the_worker_did_not_run_scores_zero():
    from course.nbgrader_ext import ReplayOutputs

    notebook = nbformat.from_dict(_release())
    tests = [c for c in notebook.cells if nbtools.is_test(c)]
    with tempfile.TemporaryDirectory() as work:
        paths = Paths(work, "correlations")
        path = paths.result("s", "correlations.ipynb")
        path.parent.mkdir(parents=True)
        Result("correlations.ipynb", notebook=nbformat.from_dict(notebook),
               tests_run=[nbtools.grade_id(tests[0])]).write(path)
        replay = ReplayOutputs(work_dir=str(work))
        resources = {"nbgrader": {"assignment": "correlations", "student": "s", "notebook": "correlations"}}
        replay.preprocess(notebook, resources)
    assert not tests[0].outputs
    assert tests[1].outputs[-1]["ename"] == "SubmissionNotGraded"


def _metadata_variants():
    """The released correlations notebook, and copies with one kind of broken nbgrader metadata each."""
    import copy

    from conftest import REPO

    good = nbtools.read(REPO / "release" / "correlations" / "correlations.ipynb")
    graded = next(i for i, c in enumerate(good.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    breakages = {
        "fine": lambda meta: None,
        "points as text": lambda meta: meta.update(points="two"),
        "no points": lambda meta: meta.pop("points"),
        "old schema": lambda meta: meta.update(schema_version=2),
        "new schema": lambda meta: meta.update(schema_version=4),
        "empty grade_id": lambda meta: meta.update(grade_id=""),
        "grade as text": lambda meta: meta.update(grade="yes"),
        "unknown key type": lambda meta: meta.update(locked=None),
    }
    for name, breaks in breakages.items():
        notebook = copy.deepcopy(good)
        breaks(notebook.cells[graded].metadata["nbgrader"])
        yield name, notebook
    duplicate = copy.deepcopy(good)
    duplicate.cells.append(copy.deepcopy(duplicate.cells[graded]))
    yield "duplicate grade_id", duplicate


@pytest.mark.parametrize("name,notebook", list(_metadata_variants()))
def test_the_faster_metadata_check_decides_like_nbgraders_own(name, notebook):
    import copy

    from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheck

    from course.nbgrader_ext import CheckCellMetadata as CourseCheck

    verdicts = []
    for check in (NbgraderCheck(), CourseCheck()):
        try:
            check.preprocess(copy.deepcopy(notebook), {})
            verdicts.append("valid")
        except Exception as error:   # both raise nbgrader's ValidationError (or a schema-version error)
            verdicts.append(type(error).__name__)
    assert verdicts[0] == verdicts[1], (name, verdicts)
    assert (verdicts[0] == "valid") == (name == "fine"), (name, verdicts)


def test_grading_runs_the_faster_metadata_check_in_both_passes():
    from course.grading import RECORD, SANITIZE_STEPS

    assert "course.nbgrader_ext.CheckCellMetadata" in RECORD and "course.nbgrader_ext.CheckCellMetadata" in SANITIZE_STEPS
    assert not [step for step in RECORD + SANITIZE_STEPS if step.endswith("preprocessors.CheckCellMetadata")
                and step.startswith("nbgrader")]
