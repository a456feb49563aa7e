"""Batch autograding: nbgrader sanitizes and records, sandboxed workers execute.

See :mod:`course.nbgrader_ext` for how the work is split. The gradebook is
written by nbgrader alone, from one process at a time, so SQLite stays
consistent however many workers execute in parallel.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from course import notebooks as nbtools
from course.nbgrader_run import nbgrader_env, run_nbgrader


@dataclass
class Limits:
    """Resource limits for one submission."""

    cell_timeout: int = 120       # seconds per cell (nbgrader's Execute.timeout)
    notebook_timeout: int = 900   # seconds for the whole notebook
    memory_mb: int = 4096         # address-space limit of the kernel
    isolation: str = "auto"       # "bwrap", "none", or "auto" (bwrap if installed)
    skip_demo_cells: bool = True  # leave out source cells tagged skip-when-grading (course.skipping)


@dataclass
class Outcome:
    """What happened to one student's submission."""

    student: str
    status: str = "ok"            # ok, timeout, crashed, tampered, missing, invalid
    message: str = ""
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)
    seconds: float = 0.0


def _phase_config(course, assignment, preprocessors):
    """A config file for one nbgrader run: the course's config plus our pipeline."""
    path = course.work / assignment / f"config_{preprocessors[0].rsplit('.', 1)[-1]}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "c = get_config()\n"
        f"load_subconfig({str(course.root / 'nbgrader_config.py')!r})\n"
        f"c.Autograde.autograde_preprocessors = {preprocessors!r}\n"
        f"c.ExportForExecution.work_dir = {str(course.work)!r}\n"
        f"c.ReplayOutputs.work_dir = {str(course.work)!r}\n"
        f"c.CourseDirectory.submitted_directory = {str(Path(course.work.name) / STAGED)!r}\n"
        "c.OverwriteCells.add_missing_cells = True\n"
        "c.LimitOutput.max_lines = 1000\n"
        "c.LimitOutput.max_traceback = 100\n"
    )
    return path


def _autograde(course, assignment, preprocessors, student=None):
    config = _phase_config(course, assignment, preprocessors)
    # nbgrader appends ".py" to NbGrader.config_file itself
    args = ["autograde", assignment, "--force", f"--NbGrader.config_file={config.with_suffix('')}"]
    if student:
        args.append(f"--student={student}")
    # nbgrader exits non-zero when some submissions fail; those are handled per student.
    result = run_nbgrader(course, *args, check=False)
    log = course.work / assignment / f"nbgrader_{preprocessors[0].rsplit('.', 1)[-1]}.log"
    log.write_text(result.stderr or "")
    return result


def ensure_assignment_in_gradebook(course, assignment):
    """nbgrader needs the assignment (cells, hidden tests) in the gradebook."""
    with Gradebook(course.db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    run_nbgrader(course, "generate_assignment", assignment, "--force")


STAGED = "staged"


def _restore_locked_cells(notebook, release):
    """Put back locked and graded cells the student deleted or re-labelled.

    nbgrader restores the *content* of locked cells, and can re-insert a
    deleted test cell (``add_missing_cells``), but 0.9.6 fails on a notebook
    whose deleted cell does not follow an answer cell, and on a test cell
    whose ``grade_id`` was changed. We restore such cells first, at their
    released position, so nbgrader always sees the released structure.
    """
    notes = []
    released = {nbtools.grade_id(c): c for c in release.cells if nbtools.grade_id(c)}
    for cell in notebook.cells:
        meta = nbtools.nbgrader_meta(cell)
        if meta and nbtools.grade_id(cell) not in released:
            notes.append(f"cell labelled {nbtools.grade_id(cell)!r} is not part of the assignment: graded as plain code")
            del cell.metadata["nbgrader"]
    present = {nbtools.grade_id(c) for c in notebook.cells if nbtools.grade_id(c)}
    previous = None
    for cell in release.cells:
        gid = nbtools.grade_id(cell)
        if not gid:
            continue
        meta = nbtools.nbgrader_meta(cell)
        if gid not in present and (meta.get("locked") or meta.get("grade")):
            ids = [nbtools.grade_id(c) for c in notebook.cells]
            position = ids.index(previous) + 1 if previous in ids else 0
            restored = nbformat.from_dict(cell)
            if "id" in restored:
                restored["id"] = uuid.uuid4().hex[:8]  # the student's notebook may reuse the old id
            notebook.cells.insert(position, restored)
            present.add(gid)
            notes.append(f"restored the deleted cell {gid!r}")
        if gid in present:
            previous = gid
    return notes


def stage_submission(course, assignment, student):
    """Copy a submission to the staging area and make it gradable there.

    The student's files in ``submitted/`` are never modified. In the copy:

    * a notebook that is not valid JSON is set aside (nbgrader then scores it 0);
    * a single notebook under another name than the released one is graded
      under the released name;
    * locked and test cells that were deleted or re-labelled are restored.

    Returns
    -------
    list of str
        What was done, for the report.
    """
    original = course.submitted / student / assignment
    folder = course.work / STAGED / student / assignment
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(original, folder)
    expected = [p.name for p in course.source_notebooks(assignment)]
    notes = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nbtools.read(path)
        except Exception as error:
            path.rename(path.with_suffix(".ipynb.invalid"))
            notes.append(f"{path.name} is not a valid notebook ({type(error).__name__}); scored 0")
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [name for name in expected if name not in present]
    extra = [name for name in present if name not in expected]
    if len(missing) == 1 and len(extra) == 1:
        (folder / extra[0]).rename(folder / missing[0])
        notes.append(f"notebook {extra[0]} graded as {missing[0]}")
    elif missing:
        notes.append("missing notebook(s): " + ", ".join(missing) + "; scored 0")
    for name in expected:
        path, release_path = folder / name, course.release / assignment / name
        if path.exists() and release_path.exists():
            notebook = nbtools.read(path)
            restored = _restore_locked_cells(notebook, nbtools.read(release_path))
            if restored:
                nbtools.write(notebook, path)
                notes += restored
    return notes


def _sandbox_paths(course):
    """Hide the course (sources, gradebook, other students) and this checkout;
    keep the installed helpers and the Python environment readable."""
    import helpers

    from course.layout import PACKAGE_ROOT

    hidden = sorted({str(course.root), str(PACKAGE_ROOT)})
    allowed = sorted({str(Path(helpers.__file__).resolve().parent), str(Path(sys.prefix).resolve()),
                      str(Path(sys.prefix))})
    return [arg for path in hidden for arg in ("--hide", path)] + \
           [arg for path in allowed for arg in ("--allow", path)]


def skippable_cells(course, assignment):
    """notebook name -> grade_ids of the source cells tagged ``skip-when-grading``.

    Read from ``source/``, never from the submission: a student cannot add
    the tag to a test cell.
    """
    from course.skipping import tagged

    return {path.name: [nbtools.grade_id(cell) for cell in nbtools.read(path).cells
                        if tagged(cell) and nbtools.grade_id(cell)]
            for path in course.source_notebooks(assignment)}


def _run_worker(course, assignment, student, limits, workdir_files, skip_ids=None):
    base = course.work / assignment / student
    outcome = Outcome(student)
    sanitized = sorted((base / "sanitized").glob("*.ipynb"))
    if not sanitized:
        outcome.status, outcome.message = "missing", "no gradable notebook"
        return outcome
    started = time.monotonic()
    for notebook in sanitized:
        workdir = base / "run"
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        for item in workdir_files:
            target = workdir / item.name
            (shutil.copytree if item.is_dir() else shutil.copy)(item, target)
        executed = base / "executed" / notebook.name
        command = [sys.executable, "-m", "course.fast_start", "execute", str(notebook), str(executed),
                   "--workdir", str(workdir), "--cell-timeout", str(limits.cell_timeout),
                   "--memory-mb", str(limits.memory_mb), "--isolation", limits.isolation,
                   *_sandbox_paths(course)]
        command += [arg for gid in (skip_ids or {}).get(notebook.name, []) for arg in ("--skip", gid)]
        with (base / "worker.log").open("w") as log:
            worker = subprocess.Popen(command, cwd=workdir, env=nbgrader_env(), stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
            try:
                worker.wait(timeout=limits.notebook_timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                # The worker leads its own process group: take its kernel down with it.
                try:
                    os.killpg(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                worker.wait()
        if timed_out:
            status = {"status": "timeout",
                      "message": f"the notebook did not finish within {limits.notebook_timeout} s"}
            executed.parent.mkdir(parents=True, exist_ok=True)
            (executed.parent / "status.json").write_text(json.dumps(status))
        status_path = executed.parent / "status.json"
        status = json.loads(status_path.read_text()) if status_path.exists() else {
            "status": "crashed", "message": "the grading worker died"}
        if not status_path.exists():
            status_path.write_text(json.dumps(status))
        if status["status"] != "ok" and outcome.status == "ok":
            outcome.status, outcome.message = status["status"], status["message"]
        outcome.review += status.get("review", [])
        outcome.notes += status.get("limits", [])
        if status.get("truncated"):
            outcome.notes.append("very long output was truncated")
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


def _record_zero(course, assignment, student):
    """Give every graded cell 0 where nbgrader could not record anything."""
    import warnings

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings(), Gradebook(course.db_url) as gradebook:
        # nbgrader's add_submission triggers a harmless autoflush warning on SQLAlchemy 2
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.auto_score is None and grade.manual_score is None:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
        gradebook.db.commit()


def _has_grades(course, assignment, student):
    with Gradebook(course.db_url) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return False
        return any(g.auto_score is not None for nb in submission.notebooks for g in nb.grades)


def _flag(course, assignment, outcome):
    """Set nbgrader's 'flagged' on submissions a human should look at (and clear it otherwise)."""
    attention = outcome.status != "ok" or bool(outcome.review)
    with Gradebook(course.db_url) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, outcome.student)
        except MissingEntry:
            return
        for notebook in submission.notebooks:
            notebook.flagged = attention
        gradebook.db.commit()


def grade(course, assignment, students=None, workers=1, limits=None, progress=True):
    """Autograde every submission of ``assignment`` (or the given students).

    Returns
    -------
    list of Outcome
        One per student; also written to ``.grading/<assignment>/outcomes.json``.
    """
    from tqdm import tqdm

    limits = limits or Limits()
    course.check_assignment(assignment)
    ensure_assignment_in_gradebook(course, assignment)
    students = students or course.students(assignment)
    if not students:
        raise SystemExit(f"no submissions for {assignment!r} in {course.submitted}")
    work = course.work / assignment
    for student in students:
        shutil.rmtree(work / student, ignore_errors=True)
    notes = {student: stage_submission(course, assignment, student) for student in students}

    single = students[0] if len(students) == 1 else None
    # 1. nbgrader sanitizes every submission and hands it to the workers
    _autograde(course, assignment, ["course.nbgrader_ext.ExportForExecution"], student=single)
    # 2. workers execute in parallel, each in its own sandboxed kernel
    release_dir = course.release / assignment
    workdir_files = [p for p in sorted(release_dir.iterdir()) if p.suffix != ".ipynb"] if release_dir.is_dir() else []
    skip_ids = skippable_cells(course, assignment) if limits.skip_demo_cells else {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        jobs = pool.map(lambda s: _run_worker(course, assignment, s, limits, workdir_files, skip_ids), students)
        outcomes = list(tqdm(jobs, total=len(students), desc=f"grading {assignment}", unit="student",
                             disable=not progress, file=sys.stderr))
    # 3. one nbgrader process records every grade from the workers' outputs
    _autograde(course, assignment, ["course.nbgrader_ext.ReplayOutputs",
                                    "nbgrader.preprocessors.IgnorePattern",
                                    "nbconvert.preprocessors.ClearMetadataPreprocessor",
                                    "nbgrader.preprocessors.LimitOutput",
                                    "nbgrader.preprocessors.SaveAutoGrades",
                                    "nbgrader.preprocessors.AssignLatePenalties",
                                    "nbgrader.preprocessors.CheckCellMetadata"], student=single)
    for outcome in outcomes:
        outcome.notes = notes[outcome.student] + outcome.notes
        if outcome.status == "missing" and any("not a valid notebook" in n for n in outcome.notes):
            outcome.status, outcome.message = "invalid", "the notebook file is not valid JSON"
        if not _has_grades(course, assignment, outcome.student):
            _record_zero(course, assignment, outcome.student)
            if outcome.status == "ok":
                outcome.status, outcome.message = "invalid", "nbgrader could not grade this submission"
        _flag(course, assignment, outcome)
    record = work / "outcomes.json"
    previous = json.loads(record.read_text()) if record.exists() else {}
    previous.update({o.student: asdict(o) for o in outcomes})
    record.write_text(json.dumps(previous, indent=1, sort_keys=True))
    return outcomes


def load_outcomes(course, assignment):
    record = course.work / assignment / "outcomes.json"
    return json.loads(record.read_text()) if record.exists() else {}
