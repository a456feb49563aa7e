"""Batch autograding: nbgrader sanitizes and records, sandboxed workers execute.

See :mod:`course.nbgrader_ext` for how the work is split. The gradebook is
written by nbgrader alone, from one process at a time, so SQLite stays
consistent however many workers execute in parallel.
"""

import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

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
    return run_nbgrader(course, *args, check=False)


def ensure_assignment_in_gradebook(course, assignment):
    """nbgrader needs the assignment (cells, hidden tests) in the gradebook."""
    with Gradebook(course.db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    run_nbgrader(course, "generate_assignment", assignment, "--force")


def normalize_submission(course, assignment, student):
    """Make a submission folder gradable where a human would: returns notes.

    * a notebook with invalid JSON is kept as ``<name>.invalid`` (nbgrader then
      sees it as missing and scores it 0);
    * a single notebook with another name than the released one is graded
      under the released name (the original is kept).
    """
    expected = [p.name for p in course.source_notebooks(assignment)]
    folder = course.submitted / student / assignment
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
        shutil.copy(folder / extra[0], folder / missing[0])
        notes.append(f"notebook {extra[0]} graded as {missing[0]}")
    elif missing:
        notes.append("missing notebook(s): " + ", ".join(missing) + "; scored 0")
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


def _run_worker(course, assignment, student, limits, workdir_files):
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
        command = [sys.executable, "-m", "course.execute", str(notebook), str(executed),
                   "--workdir", str(workdir), "--cell-timeout", str(limits.cell_timeout),
                   "--memory-mb", str(limits.memory_mb), "--isolation", limits.isolation,
                   *_sandbox_paths(course)]
        try:
            with (base / "worker.log").open("w") as log:
                subprocess.run(command, cwd=workdir, env=nbgrader_env(), stdout=log, stderr=subprocess.STDOUT,
                               timeout=limits.notebook_timeout, start_new_session=True)
        except subprocess.TimeoutExpired:
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
        if status.get("truncated"):
            outcome.notes.append("very long output was truncated")
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


def _record_zero(course, assignment, student):
    """Give every graded cell 0 where nbgrader could not record anything."""
    with Gradebook(course.db_url) as gradebook:
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
    notes = {student: normalize_submission(course, assignment, student) for student in students}

    single = students[0] if len(students) == 1 else None
    # 1. nbgrader sanitizes every submission and hands it to the workers
    _autograde(course, assignment, ["course.nbgrader_ext.ExportForExecution"], student=single)
    # 2. workers execute in parallel, each in its own sandboxed kernel
    release_dir = course.release / assignment
    workdir_files = [p for p in sorted(release_dir.iterdir()) if p.suffix != ".ipynb"] if release_dir.is_dir() else []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        jobs = pool.map(lambda s: _run_worker(course, assignment, s, limits, workdir_files), students)
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
