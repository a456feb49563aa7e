"""The grading contract: what a grading worker receives and what it returns.

One module owns it, so that the coordinator (:mod:`course.grading`), the
worker (:mod:`course.execute`) and nbgrader's record step
(:mod:`course.nbgrader_ext`) agree on the fields, the defaults and the
paths. A job and its result are plain data (JSON), so the same worker can
run in another process or on another machine::

    job = Job(...); job.write(path)          # coordinator
    result = execute(Job.read(path))         # worker (python -m course.fast_start execute JOB RESULT)
    result.write(result_path)                # worker
    Result.read(result_path)                 # coordinator

Data files travel inside the job (base64), so a worker needs no shared
file system with the coordinator.
"""

import base64
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

STATUSES = ("ok", "timeout", "crashed", "limit", "missing", "invalid", "not-executed")


@dataclass
class Limits:
    """Resource limits for one submission (all of its processes together)."""

    cell_timeout: int = 120       # seconds per cell (kernel cells and test cells)
    notebook_timeout: int = 900   # seconds for the whole notebook
    memory_mb: int = 4096         # resident memory of all the submission's processes
    max_procs: int = 64           # processes of the submission at the same time
    max_threads: int = 1024       # threads of all its processes together
    disk_mb: int = 512            # private /tmp and working folder, each
    output_mb: int = 20           # total size of the notebook's outputs
    isolation: str = "auto"       # "bwrap", "none", or "auto" (bwrap if installed)
    skip_demo_cells: bool = True  # leave out source cells tagged skip-when-grading (course.skipping)

    def __post_init__(self):
        if self.isolation not in ("auto", "bwrap", "none"):
            raise ValueError(f"isolation must be 'auto', 'bwrap' or 'none', got {self.isolation!r}")
        for name in ("cell_timeout", "notebook_timeout", "memory_mb", "max_procs", "max_threads", "disk_mb",
                     "output_mb"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _from_dict(cls, data):
    known = {f.name for f in fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in known})


class _JsonFile:
    """JSON in and out for a dataclass (``_decode`` fixes nested fields after loading)."""

    def to_json(self):
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text):
        return _from_dict(cls, cls._decode(json.loads(text)))

    @staticmethod
    def _decode(data):
        return data

    def write(self, path):
        Path(path).write_text(self.to_json())

    @classmethod
    def read(cls, path):
        return cls.from_json(Path(path).read_text())


@dataclass
class Job(_JsonFile):
    """One notebook of one submission, and everything needed to grade it.

    ``notebook`` is the sanitized notebook (nbgrader restored the locked
    cells and hidden tests). Which cells are tests, which names are the
    student's functions and which imports the tests may use come from the
    instructor's ``source/``, never from the submission.
    """

    assignment: str
    student: str
    notebook_name: str
    notebook: dict
    test_ids: list               # grade_ids of the test cells: run by the grader, never in the kernel
    student_names: list         # functions the tests may call in the student's kernel
    prelude: str = ""            # imports of the instructor's cells, run in the grader's namespace
    skip_ids: list = field(default_factory=list)
    data_files: dict = field(default_factory=dict)   # file name -> base64 content
    allow_paths: list = field(default_factory=list)  # host paths the kernel may read (helpers, Python)
    limits: Limits = field(default_factory=Limits)

    @staticmethod
    def pack_files(paths):
        return {Path(p).name: base64.b64encode(Path(p).read_bytes()).decode() for p in paths}

    @staticmethod
    def _decode(data):
        return dict(data, limits=_from_dict(Limits, data.get("limits", {})))


@dataclass
class Result(_JsonFile):
    """What the worker returns for one notebook."""

    notebook_name: str
    status: str = "ok"
    message: str = ""
    notebook: dict = None        # the executed notebook (outputs capped), or None
    review: list = field(default_factory=list)    # reasons for a human to read the code
    notes: list = field(default_factory=list)     # limits hit, outputs cut...
    skipped: list = field(default_factory=list)   # grade_ids of demo cells left out
    tests_run: list = field(default_factory=list)  # grade_ids of the test cells the grader ran
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)   # seconds per part (see course.execute.execute)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")


@dataclass
class Outcome:
    """What happened to one student's submission (all its notebooks)."""

    student: str
    status: str = "ok"
    message: str = ""
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)   # seconds per part, summed over the notebooks


class Paths:
    """Where the grader keeps its working files for one assignment.

    Everything lives under ``.grading/<assignment>/``; students' folders
    are under ``students/`` so that no student id can collide with the
    grader's own files (``outcomes.json``, configs, logs).
    """

    def __init__(self, work, assignment):
        self.work = Path(work)
        self.assignment = assignment
        self.root = self.work / assignment

    @property
    def staged(self):
        """nbgrader's ``submitted_directory`` during grading (copies of the submissions)."""
        return self.work / "staged"

    def staged_submission(self, student):
        return self.staged / student / self.assignment

    def student(self, student):
        return self.root / "students" / student

    def sanitized(self, student, notebook_name):
        return self.student(student) / "sanitized" / notebook_name

    def job(self, student, notebook_name):
        return self.student(student) / "jobs" / (Path(notebook_name).stem + ".json")

    def result(self, student, notebook_name):
        return self.student(student) / "results" / (Path(notebook_name).stem + ".json")

    def log(self, student):
        return self.student(student) / "worker.log"

    @property
    def outcomes(self):
        return self.root / "outcomes.json"

    def nbgrader_log(self, name):
        return self.root / f"nbgrader_{name}.log"
