"""Where things live in the course directory (the repository root)."""

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class CourseError(Exception):
    """Something the instructor asked for cannot be done (the CLI prints it and exits 2)."""


def find_root(start=None):
    """Return the nearest directory at or above ``start`` holding ``nbgrader_config.py``.

    Falls back to the directory this package was installed from.
    """
    here = Path(start or os.getcwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "nbgrader_config.py").is_file() and (candidate / "source").is_dir():
            return candidate
    return PACKAGE_ROOT


@dataclass(frozen=True)
class Course:
    """Paths of an nbgrader course directory."""

    root: Path

    @classmethod
    def here(cls, root=None):
        return cls(Path(root).resolve() if root else find_root())

    @property
    def source(self):
        return self.root / "source"

    @property
    def release(self):
        return self.root / "release"

    @property
    def submitted(self):
        return self.root / "submitted"

    @property
    def autograded(self):
        return self.root / "autograded"

    @property
    def feedback(self):
        return self.root / "feedback"

    @property
    def work(self):
        """Scratch space of the grading tools (not committed)."""
        return self.root / ".grading"

    @property
    def db_url(self):
        return os.environ.get("COURSE_DB_URL", f"sqlite:///{self.root / 'gradebook.db'}")

    def assignments(self):
        """Assignment names: the folders of ``source/`` that hold notebooks."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir()
                      if p.is_dir() and any(p.glob("*.ipynb")))

    def source_notebooks(self, assignment):
        return sorted((self.source / assignment).glob("*.ipynb"))

    def students(self, assignment):
        """Students with a submission folder for ``assignment``."""
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir() if (p / assignment).is_dir())

    def check_assignment(self, assignment):
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none"
            raise CourseError(f"unknown assignment {assignment!r} (known: {known})")
        return assignment
