"""Batch autograding: nbgrader sanitizes and records; sandboxed workers execute.

See :mod:`course.nbgrader_ext` for how the work is split and
:mod:`course.contract` for what a worker receives and returns. The
gradebook is written by nbgrader alone, from one process at a time, so
SQLite stays consistent however many workers execute in parallel.

Library functions raise :class:`GradingError`; the CLI turns it into a
message and an exit code.
"""

import ast
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from course import notebooks as nbtools
from course.layout import CourseError
from course.contract import Job, Limits, Outcome, Paths, Result  # noqa: F401 (re-exported)
from course.engine import Engine
from course.forkserver import ForkServerError
from course.skipping import skippable_cells
from course.nbgrader_run import nbgrader_env, run_nbgrader

STAGED = "staged"
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


class GradingError(CourseError):
    """Grading cannot start or go on (bad assignment, broken grading environment)."""


# -- nbgrader phases ---------------------------------------------------------

SANITIZE = ["course.nbgrader_ext.ExportForExecution"]
RECORD = ["course.nbgrader_ext.ReplayOutputs", "nbgrader.preprocessors.IgnorePattern",
          "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
          "course.sanitize.SanitizeStudentContent", "nbgrader.preprocessors.SaveAutoGrades",
          "nbgrader.preprocessors.AssignLatePenalties", "course.nbgrader_ext.CheckCellMetadata"]
# nbgrader's own sanitize steps, run before either pass (its metadata check swapped for a faster one)
SANITIZE_STEPS = ["nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
                  "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
                  "course.nbgrader_ext.CheckCellMetadata"]


def _quiet_nbgrader_warnings():
    """nbgrader's autograde warns about its own SQLAlchemy use; those warnings are not ours to show.

    (As a subprocess, nbgrader wrote them into a log nobody read; in this
    process they would reach the instructor's terminal, or fail a test run
    that turns warnings into errors.)
    """
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning,
                            module=r"(nbgrader|nbconvert|nbformat|traitlets|jupyter_client|sqlalchemy)")


class NbgraderPhase:
    """One of nbgrader's two autograde passes, run in this process one student at a time.

    nbgrader's own Python API (what formgrader calls) with the course's
    ``nbgrader_config.py`` and our preprocessors. In this process a student
    costs about 0.1-0.2 s; an ``nbgrader autograde`` process would first
    spend 1.6 s importing, so running nbgrader per student in a thread is
    what lets sanitizing and recording overlap the workers' execution. Only
    one thread may use the phases of a batch: the gradebook keeps one writer.

    Parameters
    ----------
    course : course.layout.Course
    assignment : str
    preprocessors : list of str
        ``Autograde.autograde_preprocessors`` for this pass (:data:`SANITIZE` or :data:`RECORD`).
    """

    def __init__(self, course, assignment, preprocessors):
        import logging

        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        from course.fast_start import skip_slow_optional_imports

        skip_slow_optional_imports()
        _quiet_nbgrader_warnings()
        self.assignment = assignment
        self.name = preprocessors[0].rsplit(".", 1)[-1]
        self.log_path = Paths(course.work, assignment).nbgrader_log(self.name)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text("")
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
        config.merge(Config({
            "Autograde": {"autograde_preprocessors": preprocessors, "sanitize_preprocessors": SANITIZE_STEPS},
            "ExportForExecution": {"work_dir": str(course.work)},
            "ReplayOutputs": {"work_dir": str(course.work)},
            "CourseDirectory": {"root": str(course.root),
                                "submitted_directory": str(Path(course.work.name) / STAGED)},
            "OverwriteCells": {"add_missing_cells": True},
            "LimitOutput": {"max_lines": 1000, "max_traceback": 100},
        }))
        self.config = config
        self.coursedir = CourseDirectory(config=config)
        # nbgrader's log goes to the phase's log file only, never to the grader's terminal
        self.log = logging.getLogger(f"course.nbgrader.{self.name}")
        self.log.propagate = False
        self.log.setLevel(logging.WARNING)

    def run(self, student):
        """Autograde ``student``'s staged submission with this pass; returns True if nbgrader succeeded."""
        from nbgrader.converters import Autograde
        from nbgrader.utils import capture_log

        self.coursedir.assignment_id = self.assignment
        self.coursedir.student_id = student
        app = Autograde(coursedir=self.coursedir, config=self.config, log=self.log)
        app.force = True
        app.create_student = True
        outcome = capture_log(app)
        text = "".join(outcome.get(key) or "" for key in ("log", "error"))
        if text:
            with self.log_path.open("a") as handle:
                handle.write(f"--- {student}\n{text}")
        return bool(outcome.get("success"))


def ensure_assignment_in_gradebook(course, assignment):
    """nbgrader needs the assignment (cells, hidden tests) in the gradebook."""
    with Gradebook(course.db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    run_nbgrader(course, "generate_assignment", assignment, "--force")


# -- staging: make every submission gradable by the released structure ------------

def normalize_structure(notebook, release):
    """Give a submission the released nbgrader structure, whatever the student did to it.

    * ``metadata.nbgrader`` that is not a dict, or names a cell that is not
      part of the assignment, is removed (the cell is graded as plain code);
    * a known cell keeps its content but gets the released metadata and
      cell type (points, flags, grade_id cannot be changed);
    * a second cell with the same grade_id (a copy-pasted test) loses its label;
    * locked and test cells that were deleted are restored at their place.

    Returns
    -------
    list of str
        What was changed, for the report.
    """
    notes = []
    released = {}
    for cell in release.cells:
        gid = nbtools.grade_id(cell)
        if gid:
            released.setdefault(gid, cell)
    keepers = _label_keepers(notebook, release, released)
    for index, cell in enumerate(notebook.cells):
        metadata = cell.get("metadata")
        if not isinstance(metadata, dict):
            cell["metadata"] = nbformat.NotebookNode()
            continue
        if "nbgrader" not in metadata:
            continue
        meta = metadata["nbgrader"]
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(gid, str) or gid not in released:
            notes.append(f"cell {index}: nbgrader label {str(gid)[:40]!r} is not part of the assignment; "
                         "graded as plain code")
            del metadata["nbgrader"]
            continue
        if keepers[gid] != index:
            notes.append(f"cell {index}: a second cell labelled {gid!r}; graded as plain code")
            del metadata["nbgrader"]
            continue
        original = released[gid]
        if meta != original.metadata["nbgrader"]:
            metadata["nbgrader"] = nbformat.from_dict(dict(original.metadata["nbgrader"]))
            if {k: v for k, v in meta.items() if k != "checksum"} != \
                    {k: v for k, v in original.metadata["nbgrader"].items() if k != "checksum"}:
                notes.append(f"{gid}: changed nbgrader metadata restored")
        if cell.cell_type != original.cell_type:
            replacement = nbformat.from_dict(dict(original))
            if not original.metadata["nbgrader"].get("locked"):
                replacement.source = cell.get("source", "")
            notebook.cells[index] = replacement
            notes.append(f"{gid}: cell type restored to {original.cell_type}")
    return notes + _restore_locked_cells(notebook, release)


def _label_keepers(notebook, release, released):
    """grade_id -> index of the one cell that keeps the label when a student duplicated it.

    The copy with the released cell's id wins (a pasted copy gets a new id);
    otherwise the last copy, so that a copy pasted above the answer does not
    run the test before the function exists.
    """
    candidates = {}
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if isinstance(gid, str) and gid in released:
            candidates.setdefault(gid, []).append(index)
    keepers = {}
    for gid, indices in candidates.items():
        same_id = [i for i in indices if released[gid].get("id") and notebook.cells[i].get("id") == released[gid].get("id")]
        keepers[gid] = same_id[0] if same_id else indices[-1]
    return keepers


def _restore_locked_cells(notebook, release):
    """Put back locked and graded cells the student deleted, at their released position.

    nbgrader can re-insert a deleted test cell (``add_missing_cells``), but
    0.9.6 fails on a notebook whose deleted cell does not follow an answer
    cell, so we restore such cells first.
    """
    notes = []
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

    The student's files in ``submitted/`` are never modified. Only regular
    files are copied (no links). In the copy:

    * a notebook that is not valid JSON is set aside (nbgrader then scores it 0);
    * a single notebook under another name than the released one is graded
      under the released name;
    * the released nbgrader structure is restored (:func:`normalize_structure`).

    Returns
    -------
    list of str
        What was done, for the report.
    """
    paths = Paths(course.work, assignment)
    original = course.submitted / student / assignment
    folder = paths.staged_submission(student)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    notes = []
    for item in sorted(original.iterdir()):
        if item.is_symlink() or not item.is_file():
            notes.append(f"{item.name}: not a regular file; ignored")
        elif item.suffix == ".ipynb" or (item.name in EXCHANGE_FILES and item.stat().st_size < 1024):
            # nbgrader's exchange files: the submission time (late penalties) and its secret (feedback)
            shutil.copyfile(item, folder / item.name, follow_symlinks=False)
    expected = [p.name for p in course.source_notebooks(assignment)]
    for path in sorted(folder.glob("*.ipynb")):
        try:
            too_big = _too_big(path)
            if too_big:
                path.rename(path.with_suffix(".ipynb.invalid"))
                notes.append(f"{path.name} is not a valid notebook ({too_big}); scored 0")
                continue
            notebook = nbtools.read(path)
            nbformat.validate(notebook)
            if _has_lone_surrogates(notebook):
                # valid JSON (``\ud800``) that no UTF-8 file can hold: every later write would fail
                notebook = nbformat.from_dict(_without_lone_surrogates(notebook))
                nbtools.write(notebook, path)
                notes.append(f"{path.name}: characters that cannot be saved (lone surrogates) replaced by '?'")
        except Exception as error:
            path.rename(path.with_suffix(".ipynb.invalid"))
            notes.append(f"{path.name} is not a valid notebook ({type(error).__name__}); scored 0")
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [name for name in expected if name not in present]
    extra = [name for name in present if name not in expected]
    if len(missing) == 1 and len(extra) == 1:
        (folder / extra[0]).rename(folder / missing[0])
        notes.append(f"notebook {extra[0]} graded as {missing[0]}")
    else:
        if missing:
            notes.append("missing notebook(s): " + ", ".join(missing) + "; scored 0")
        for name in extra:   # not the assignment's: nbgrader must not grade them
            (folder / name).unlink()
    for name in expected:
        path, release_path = folder / name, course.release / assignment / name
        if path.exists() and release_path.exists():
            notebook = nbtools.read(path)
            release_notebook = nbtools.read(release_path)
            changed = normalize_structure(notebook, release_notebook)
            slim(notebook, release_notebook)
            nbtools.write(notebook, path)
            notes += changed
    return notes


# A submission is read whole by the grader's own process (here and in nbgrader): its size, and the
# number of JSON objects in it (each a Python dict or list, copied several times by nbgrader), are
# capped. Real notebooks: well under 10 MB with all their figures, a few thousand objects.
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_JSON_CONTAINERS = 200_000


def _too_big(path):
    """Why the notebook at ``path`` is too big to grade, or None."""
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return f"{size / 2**20:.0f} MB; the limit is {MAX_NOTEBOOK_BYTES // 2**20} MB"
    raw = path.read_bytes()
    containers = raw.count(b"{") + raw.count(b"[")      # an upper bound: braces in strings count too
    if containers > MAX_JSON_CONTAINERS:
        return f"{containers} JSON objects and lists at most; the limit is {MAX_JSON_CONTAINERS}"
    return None


def slim(notebook, release):
    """Keep only what grading needs, in place (after :func:`normalize_structure`).

    The student's outputs go (grading runs the notebook again), the notebook's
    metadata is the release's, and cell metadata keeps only what the sanitizer
    allows (nbgrader's, tags, a few display flags): red team, round 7, a 6 MB
    notebook of two million empty dicts in a cell's metadata cost the grader
    5 GB of memory and four minutes in nbgrader.
    """
    from course.sanitize import sanitize_cell_metadata

    notebook.metadata = nbformat.from_dict(json.loads(json.dumps(release.metadata)))
    for cell in notebook.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["metadata"] = nbformat.from_dict(sanitize_cell_metadata(cell.get("metadata")))


def _has_lone_surrogates(value):
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _without_lone_surrogates(value):
    """A copy of a JSON value with every lone surrogate replaced by '?'."""
    text = json.dumps(value, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
    return json.loads(text)


def _stage_or_set_aside(course, assignment, student):
    """:func:`stage_submission`, and if it fails, that student's notebooks set aside (scored 0) with a note."""
    try:
        return stage_submission(course, assignment, student)
    except Exception as error:      # one submission must not stop the batch
        folder = Paths(course.work, assignment).staged_submission(student)
        for path in folder.glob("*.ipynb") if folder.is_dir() else []:
            path.rename(path.with_suffix(".ipynb.invalid"))
        return [f"the submission could not be prepared for grading ({type(error).__name__}); scored 0"]


# -- what the worker needs from the instructor's source --------------------------

def _top_level(cell):
    from course.skipping import _python_source

    try:
        return ast.parse(_python_source(cell.source)).body
    except SyntaxError:
        return []


def grading_plan(source_notebook):
    """``(test_ids, student_names, prelude)`` of an instructor notebook.

    The test cells run in the grader; they may call the functions defined in
    answer cells (run in the student's kernel) and use the imports of the
    instructor's own cells (run in the grader).
    """
    test_ids, names, imports = [], [], []
    for cell in source_notebook.cells:
        if cell.cell_type != "code":
            continue
        meta = nbtools.nbgrader_meta(cell)
        if nbtools.is_test(cell):
            test_ids.append(nbtools.grade_id(cell))
        elif meta.get("solution"):
            names += [node.name for node in _top_level(cell)
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        else:
            imports += [ast.unparse(node) for node in _top_level(cell)
                        if isinstance(node, (ast.Import, ast.ImportFrom))]
    return test_ids, sorted(set(names)), "\n".join(dict.fromkeys(imports))


def _allow_paths():
    """Host paths the sandboxed kernel may read besides the Python environment: helpers."""
    import helpers

    return [str(Path(helpers.__file__).resolve().parent)]


def _data_files(course, assignment):
    folder = course.release / assignment
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"]


def make_job(course, assignment, student, notebook_name, notebook, limits, skip_ids, plan, data):
    test_ids, student_names, prelude = plan
    return Job(assignment=assignment, student=student, notebook_name=notebook_name, notebook=notebook,
               test_ids=test_ids, student_names=student_names, prelude=prelude, skip_ids=skip_ids,
               data_files=data, allow_paths=_allow_paths(), limits=limits)


def run_job(job, job_path, result_path, log_path, timeout, server=None):
    """Run one job in a worker process; returns its :class:`Result` (never raises for the student's sake).

    With a :class:`course.forkserver.ForkServer` the worker is forked from it
    (the grader's imports already done); if the server fails, or without one,
    it is a fresh ``python -m course.fast_start execute`` process.
    """
    for path in (job_path, result_path, log_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    job.write(job_path)
    result_path.unlink(missing_ok=True)
    timed_out = None
    if server is not None:
        try:
            timed_out = server.run(job_path, result_path, log_path, timeout)
        except ForkServerError:
            timed_out = None
    if timed_out is None:
        timed_out = _run_worker_process(job_path, result_path, log_path, timeout)
    job_path.unlink(missing_ok=True)
    if timed_out:
        return Result(job.notebook_name, status="timeout",
                      message=f"the notebook did not finish within {timeout} s")
    try:
        result = Result.read(result_path)
    except (OSError, ValueError, TypeError):
        return Result(job.notebook_name, status="crashed", message="the grading worker died")
    # the worker process's own start (Python, nbclient, nbformat) and the job's files
    result.timings["worker_process"] = round(max(0.0, time.monotonic() - started - result.seconds), 2)
    return result


def _run_worker_process(job_path, result_path, log_path, timeout):
    """A fresh worker process for one job; returns True if it hit ``timeout``."""
    command = [sys.executable, "-m", "course.fast_start", "execute", str(job_path), str(result_path)]
    with log_path.open("a") as log:
        worker = subprocess.Popen(command, env=nbgrader_env(), stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True, cwd=str(job_path.parent))
        try:
            worker.wait(timeout=timeout)
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
    return timed_out


# -- checking the grader itself ------------------------------------------------

def reference_notebook(source_notebook):
    """The instructor's notebook as a student with the model answers would hand it in (tests included)."""
    notebook = nbformat.from_dict(source_notebook)
    for cell in notebook.cells:
        if nbtools.is_answer(cell):
            cell.source = nbtools.reference_answer(cell)
    return nbtools.strip_outputs(notebook)


def failed_tests(notebook, test_ids):
    """grade_id -> first line of the error, for test cells that would score 0."""
    failed = {}
    for cell in notebook.cells:
        gid = nbtools.grade_id(cell)
        if gid not in test_ids:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                failed[gid] = f"{output.get('ename')}: {str(output.get('evalue', '')).splitlines()[0:1]}"
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                failed.setdefault(gid, "wrote to stderr: " + output.get("text", "")[:200])
    return failed


def _self_check_key(course, assignment, limits, data):
    import helpers

    digest = hashlib.sha256()
    for path in course.source_notebooks(assignment):
        digest.update(path.read_bytes())
    for name, content in sorted(data.items()):
        digest.update(name.encode() + content.encode())
    helpers_dir = Path(helpers.__file__).resolve().parent
    stamps = sorted((str(p), p.stat().st_mtime_ns) for p in helpers_dir.rglob("*.py"))
    digest.update(json.dumps([stamps, sys.executable, limits.isolation, _allow_paths()]).encode())
    return digest.hexdigest()


def check_grader(course, assignment, limits, data=None, engine=None):
    """Grade the reference solution in the same sandbox; raise :class:`GradingError` if it loses points.

    A broken grading environment (``helpers`` not importable inside the
    sandbox, a missing data file) would otherwise score a whole class 0.
    With an ``engine`` the reference runs where the students' submissions
    will (a Dask worker), else in a local worker process. The result is
    remembered until the source, ``helpers`` or the environment change.
    """
    from course.engine import results_from

    paths = Paths(course.work, assignment)
    data = _data_files_packed(course, assignment) if data is None else data
    key = _self_check_key(course, assignment, limits, data)
    stamp = paths.root / "self-check.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("key") == key:
        return
    skip = skippable_cells(course, assignment) if limits.skip_demo_cells else {}
    for path in course.source_notebooks(assignment):
        source = nbtools.read(path)
        plan = grading_plan(source)
        if engine is not None:
            job = make_job(course, assignment, "reference", path.name, reference_notebook(source), limits,
                           skip.get(path.name, []), plan, {})
            returned = next(iter(engine.run({"reference": [job.to_json()]}, data, label="self-check")))[1]
            result, log = results_from(returned, [path.name])[0]
        else:
            job = make_job(course, assignment, "reference", path.name, reference_notebook(source), limits,
                           skip.get(path.name, []), plan, data)
            work = paths.root / "self-check"
            result = run_job(job, work / "job.json", work / "result.json", work / "worker.log",
                             limits.notebook_timeout)
            log = (work / "worker.log").read_text()[-1500:] if (work / "worker.log").exists() else ""
            shutil.rmtree(work, ignore_errors=True)
        failed = failed_tests(nbformat.from_dict(result.notebook), plan[0]) if result.notebook else {}
        if result.status != "ok" or failed or result.notebook is None:
            details = "; ".join(f"{gid}: {why}" for gid, why in failed.items()) or result.message
            raise GradingError(
                f"the grader is broken: the reference solution of {assignment}/{path.name} does not get full "
                f"marks in the sandbox ({result.status}: {details}). Nothing was graded. Check that `helpers` "
                f"and the data files are importable inside the sandbox (isolation={limits.isolation}).\n"
                f"{log[-1500:]}")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"key": key}))


def _data_files_packed(course, assignment):
    return Job.pack_files(_data_files(course, assignment))


# -- recording ------------------------------------------------------------------

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


# -- the batch --------------------------------------------------------------------

def _student_jobs(course, assignment, student, limits, skip, plans):
    """The jobs of one student's sanitized submission (data files travel separately)."""
    paths = Paths(course.work, assignment)
    jobs = []
    for path in sorted((paths.student(student) / "sanitized").glob("*.ipynb")):
        plan = plans.get(path.name)
        if plan is not None:
            jobs.append(make_job(course, assignment, student, path.name, nbformat.read(str(path), as_version=4),
                                 limits, skip.get(path.name, []), plan, {}))
    return jobs


def _record_results(course, assignment, student, jobs, returned):
    """Write each notebook's result where nbgrader's record step reads it; returns the Outcome."""
    from course.engine import results_from

    paths = Paths(course.work, assignment)
    outcome = Outcome(student)
    if not jobs:
        outcome.status, outcome.message = "missing", "no gradable notebook"
        return outcome
    for job, (result, log) in zip(jobs, results_from(returned, [job.notebook_name for job in jobs])):
        paths.result(student, job.notebook_name).parent.mkdir(parents=True, exist_ok=True)
        result.write(paths.result(student, job.notebook_name))
        if log:
            with paths.log(student).open("a") as handle:
                handle.write(log)
        if result.status != "ok" and outcome.status == "ok":
            outcome.status, outcome.message = result.status, result.message
        outcome.review += result.review
        outcome.notes += result.notes
        outcome.seconds = round(outcome.seconds + result.seconds + result.timings.get("worker_process", 0), 2)
        for part, seconds in result.timings.items():
            outcome.timings[part] = round(outcome.timings.get(part, 0.0) + seconds, 2)
    return outcome


class _NbgraderPipeline:
    """The batch's one nbgrader thread: sanitize every student, then record each as results come back.

    Sanitized submissions go to ``submissions`` (a :class:`course.engine.Batch`)
    one by one, so workers start on the first while nbgrader prepares the
    rest. One thread does all of it: the gradebook has a single writer.
    """

    def __init__(self, course, assignment, students, submissions, timings, student_jobs):
        self.course, self.assignment, self.students = course, assignment, students
        self.submissions, self.timings, self.student_jobs = submissions, timings, student_jobs
        self.jobs = {}
        self._records = queue.Queue()
        self._stop = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._work, name=f"nbgrader-{assignment}", daemon=True)

    def start(self):
        self._thread.start()

    def record(self, student):
        """Queue ``student`` for recording (its results are written)."""
        self._records.put(student)

    def finish(self):
        """Wait until every queued student is recorded; re-raise what went wrong in the thread."""
        self._records.put(None)
        self._thread.join()
        if self._error is not None:
            raise GradingError(f"nbgrader failed while grading {self.assignment}: {self._error!r}") from self._error

    def abandon(self):
        self._stop.set()
        self._records.put(None)
        self._thread.join(timeout=60)

    def _timed(self, part, phase, student):
        mark = time.monotonic()
        try:
            return phase.run(student)
        finally:
            self.timings[part] += time.monotonic() - mark

    def _work(self):
        try:
            sanitize = NbgraderPhase(self.course, self.assignment, SANITIZE)
            record = NbgraderPhase(self.course, self.assignment, RECORD)
            for student in self.students:
                if self._stop.is_set():
                    return
                self._timed("nbgrader_sanitize", sanitize, student)
                self.jobs[student] = jobs = self.student_jobs(student)
                if jobs:
                    self.submissions.submit(student, [job.to_json() for job in jobs])
                else:
                    self.submissions.put(student, None)
        except BaseException as error:
            self._error = error
            self._stop.set()
            return
        finally:
            self.submissions.close()
        while True:
            student = self._records.get()
            if student is None or self._stop.is_set():
                return
            try:
                self._timed("nbgrader_record", record, student)
            except Exception as error:   # a student nbgrader cannot record is scored 0 later (_has_grades)
                with record.log_path.open("a") as handle:
                    handle.write(f"--- {student}\n{error!r}\n")


def grade(course, assignment, students=None, workers=1, limits=None, progress=True, scheduler=None):
    """Autograde every submission of ``assignment`` (or the given students).

    Submissions execute on Dask workers (:mod:`course.engine`): a local
    cluster of ``workers`` processes, or the cluster of ``scheduler``
    (``tcp://host:8786``). Grades are recorded here, in one process.

    Returns
    -------
    list of Outcome
        One per student; also written to ``.grading/<assignment>/outcomes.json``.

    Raises
    ------
    GradingError
        Unknown assignment, no submissions, or a grading environment in which
        the reference solution does not get full marks (nothing is graded then).
    """
    from tqdm import tqdm

    limits = limits or Limits()
    if assignment not in course.assignments():
        raise GradingError(f"unknown assignment {assignment!r} (known: {', '.join(course.assignments()) or 'none'})")
    present = set(course.students(assignment))
    students = sorted(set(students or present))
    absent = [s for s in students if s not in present]
    if absent:
        raise GradingError(f"no submission of {assignment!r} in {course.submitted} for: {', '.join(absent)}")
    if not students:
        raise GradingError(f"no submissions for {assignment!r} in {course.submitted}")
    if limits.isolation == "auto" and shutil.which("bwrap") is None:
        raise GradingError("bubblewrap is not installed, so student code would run with the grader's rights: "
                           "install it (apt-get install bubblewrap) or choose --isolation none explicitly")
    paths = Paths(course.work, assignment)
    data = _data_files_packed(course, assignment)
    skip = skippable_cells(course, assignment) if limits.skip_demo_cells else {}
    plans = {path.name: grading_plan(nbtools.read(path)) for path in course.source_notebooks(assignment)}
    preload = "\n".join(dict.fromkeys(plan[2] for plan in plans.values()))
    batch = {"nbgrader_sanitize": 0.0, "nbgrader_record": 0.0}   # seconds of the steps done once per batch
    with Engine(workers=workers, scheduler=scheduler, preload=preload) as engine:
        # The reference solution first: nbgrader's sanitize step below already writes to the
        # gradebook and autograded/, which a broken grading environment must leave as they were.
        mark = time.monotonic()
        check_grader(course, assignment, limits, data, engine=engine)
        batch["self_check"] = time.monotonic() - mark
        ensure_assignment_in_gradebook(course, assignment)
        # Stale copies of students no longer in submitted/ must not be graded again.
        shutil.rmtree(paths.staged, ignore_errors=True)
        for student in students:
            shutil.rmtree(paths.student(student), ignore_errors=True)
        notes = {student: _stage_or_set_aside(course, assignment, student) for student in students}
        submissions = engine.batch(data)
        pipeline = _NbgraderPipeline(course, assignment, students, submissions, batch,
                                     lambda student: _student_jobs(course, assignment, student, limits, skip, plans))
        try:
            # 1. nbgrader sanitizes one submission after the other (a thread) and hands each to the workers
            #    as soon as it is ready
            pipeline.start()
            # 2. Dask workers execute the submissions, each notebook in a fresh sandboxed kernel;
            # 3. the same thread records each student's grades as the results come back
            outcomes = {}
            with tqdm(total=len(students), desc=f"grading {assignment}", unit="student",
                      disable=not progress, file=sys.stderr) as bar:
                for student, returned in submissions:
                    student_jobs = pipeline.jobs[student]
                    outcomes[student] = _record_results(course, assignment, student, student_jobs,
                                                        returned if student_jobs else None)
                    pipeline.record(student)
                    bar.update(1)
            pipeline.finish()
            outcomes = [outcomes[student] for student in students]
        except BaseException:
            submissions.cancel()
            pipeline.abandon()
            raise
        finally:
            # The grader's working copies are removed once the grades are recorded.
            shutil.rmtree(paths.staged, ignore_errors=True)
            for student in students:
                shutil.rmtree(paths.student(student), ignore_errors=True)
    for outcome in outcomes:
        outcome.notes = notes[outcome.student] + outcome.notes
        # each submission's share of the once-per-batch steps
        outcome.timings.update({part: round(seconds / len(outcomes), 2) for part, seconds in batch.items()})
        if outcome.status == "missing" and any("not a valid notebook" in n for n in outcome.notes):
            outcome.status, outcome.message = "invalid", "the notebook file is not valid JSON"
        if not _has_grades(course, assignment, outcome.student):
            _record_zero(course, assignment, outcome.student)
            if outcome.status == "ok":
                outcome.status, outcome.message = "invalid", "nbgrader could not grade this submission"
        _flag(course, assignment, outcome)
    previous = load_outcomes(course, assignment)
    previous.update({o.student: asdict(o) for o in outcomes})
    paths.outcomes.parent.mkdir(parents=True, exist_ok=True)
    paths.outcomes.write_text(json.dumps(previous, indent=1, sort_keys=True))
    return outcomes


def load_outcomes(course, assignment):
    record = Paths(course.work, assignment).outcomes
    return json.loads(record.read_text()) if record.exists() else {}
