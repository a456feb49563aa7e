"""Bring student submissions into ``submitted/`` from a folder or a zip file.

Two layouts are understood:

* nbgrader's exchange layout: ``<student>/<assignment>/<notebook>.ipynb``
  (plus any extra files), as ``nbgrader collect`` or a shared drive produces;
* one notebook per student: ``<student>.ipynb`` (or ``<student>_<anything>.ipynb``,
  as LMS downloads name them), for single-notebook assignments.
"""

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def student_id(raw):
    cleaned = SAFE_ID.sub("_", raw).strip("._")
    if not cleaned:
        raise ValueError(f"cannot make a student id from {raw!r}")
    return cleaned


def collect(course, source, assignment):
    """Copy submissions for ``assignment`` from ``source``; returns the student ids.

    Re-running replaces a student's previous copy, so it is safe to collect
    again after late submissions arrive.
    """
    course.check_assignment(assignment)
    source = Path(source)
    if not source.exists():
        raise SystemExit(f"{source} does not exist")
    with tempfile.TemporaryDirectory() as workdir:
        if source.is_file() and zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as archive:
                for member in archive.namelist():
                    target = (Path(workdir) / member).resolve()
                    if not str(target).startswith(str(Path(workdir).resolve())):
                        raise SystemExit(f"refusing zip entry outside the archive root: {member}")
                archive.extractall(workdir)
            source = Path(workdir)
            entries = [p for p in source.iterdir() if not p.name.startswith(("__MACOSX", "."))]
            if len(entries) == 1 and entries[0].is_dir() and not (entries[0] / assignment).is_dir():
                source = entries[0]  # a zip of one top folder
        elif not source.is_dir():
            raise SystemExit(f"{source} is neither a folder nor a zip file")
        return _collect_folder(course, source, assignment)


def _collect_folder(course, source, assignment):
    released = [p.name for p in course.source_notebooks(assignment)]
    collected = []
    for entry in sorted(source.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and (entry / assignment).is_dir():
            student = student_id(entry.name)
            target = course.submitted / student / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(entry / assignment, target)
            collected.append(student)
        elif entry.is_file() and entry.suffix == ".ipynb":
            if len(released) != 1:
                raise SystemExit(f"{entry.name}: one-file-per-student needs a single-notebook assignment")
            stem = entry.stem
            for name in released:
                stem = stem.replace(Path(name).stem, "")
            student = student_id(stem.split("_")[0] if "_" in stem.strip("_") else stem)
            target = course.submitted / student / assignment
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            shutil.copy(entry, target / released[0])
            collected.append(student)
    if not collected:
        raise SystemExit(f"no submissions for {assignment!r} found in {source}")
    return collected
