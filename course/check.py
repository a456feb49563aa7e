"""Course consistency checks: metadata, release in sync, no solution leaks."""

import re
import tempfile
from pathlib import Path

from course import notebooks as nbtools
from course.layout import Course
from course.nbgrader_run import run_nbgrader
from course.skipping import TAG as SKIP_TAG, tagged

GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def check_metadata(notebook, label):
    """Problems with the nbgrader metadata of one source notebook."""
    problems, seen = [], set()
    answer_ids = set()
    for index, cell in enumerate(notebook.cells):
        meta = nbtools.nbgrader_meta(cell)
        where = f"{label} cell {index}"
        if tagged(cell) and (cell.cell_type != "code" or not meta.get("locked") or meta.get("grade")
                             or meta.get("solution")):
            problems.append(f"{where}: only locked, ungraded code cells can be tagged {SKIP_TAG!r}")
        if not meta:
            continue
        gid = meta.get("grade_id")
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: schema_version should be 3")
        if not gid or not GRADE_ID.match(gid):
            problems.append(f"{where}: grade_id {gid!r} must be letters, digits, _ or -")
        elif gid in seen:
            problems.append(f"{where}: duplicate grade_id {gid!r}")
        seen.add(gid)
        grade, solution, locked = meta.get("grade"), meta.get("solution"), meta.get("locked")
        if grade and not isinstance(meta.get("points"), (int, float)):
            problems.append(f"{where}: graded cell {gid!r} needs points")
        if solution and locked:
            problems.append(f"{where}: answer cell {gid!r} must not be locked")
        if grade and not solution and not locked:
            problems.append(f"{where}: test cell {gid!r} must be locked")
        if solution and cell.cell_type == "code":
            answer_ids.add(gid)
            if "### BEGIN SOLUTION" not in cell.source:
                problems.append(f"{where}: answer cell {gid!r} has no ### BEGIN SOLUTION block")
        if grade and not solution and cell.cell_type == "code":
            if not gid.startswith("test_"):
                problems.append(f"{where}: test cell {gid!r} should be named test_<function>")
    for gid in answer_ids:
        if f"test_{gid}" not in seen:
            problems.append(f"{label}: answer cell {gid!r} has no test cell 'test_{gid}'")
        else:
            test = next(c for c in notebook.cells if nbtools.grade_id(c) == f"test_{gid}")
            if "### BEGIN HIDDEN TESTS" not in test.source:
                problems.append(f"{label}: test_{gid} has no hidden tests")
    if notebook.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append(f"{label}: kernelspec should be python3")
    return problems + check_test_names(notebook, label)


def check_test_names(notebook, label):
    """Test cells run in the grader, not in the student's kernel (course.bridge).

    They may use the instructor cells' imports, what they define themselves
    and the functions of answer cells, but not variables computed in the
    notebook: those live only in the student's kernel.
    """
    import ast
    import builtins

    from course.grading import grading_plan
    from course.skipping import _python_source, names_defined

    _, student_names, prelude = grading_plan(notebook)
    available = set(dir(builtins)) | set(student_names) | names_defined(ast.parse(prelude))
    problems = []
    for cell in notebook.cells:
        if not nbtools.is_test(cell):
            continue
        try:
            tree = ast.parse(_python_source(cell.source))
        except SyntaxError as error:
            problems.append(f"{label}: {nbtools.grade_id(cell)} is not valid Python ({error.msg})")
            continue
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        unknown = sorted(used - names_defined(tree) - available)
        if unknown:
            problems.append(f"{label}: {nbtools.grade_id(cell)} uses {', '.join(unknown)}, which only the "
                            "student's kernel knows: tests run in the grader, so build such values in the test")
    return problems


RAISES_EXCEPTION = "raises-exception"


def check_run_all(notebook, label):
    """Test cells carry Jupyter's ``raises-exception`` tag: a failing check must not stop Run All."""
    return [f"{label}: {nbtools.grade_id(cell)} lacks the {RAISES_EXCEPTION!r} tag (Run All would stop at it "
            "while the exercise is unsolved; docs/adding-an-assignment.md)"
            for cell in notebook.cells
            if nbtools.is_test(cell) and RAISES_EXCEPTION not in cell.get("metadata", {}).get("tags", [])]


def check_clean(notebook, label):
    return [f"{label}: cell {i} has outputs (commit source notebooks clean)"
            for i, c in enumerate(notebook.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]


def check_release_free_of_solutions(notebook, label):
    problems = []
    for index, cell in enumerate(notebook.cells):
        for marker in LEAK_MARKERS:
            if marker in cell.source:
                problems.append(f"{label} cell {index}: contains {marker!r}")
    return problems


def comparable(notebook):
    """Cell types, sources and nbgrader metadata: what must match a fresh release."""
    return [(c.cell_type, c.source, {k: v for k, v in nbtools.nbgrader_meta(c).items() if k != "checksum"},
             c.metadata.get("tags", [])) for c in notebook.cells]


def fresh_release(course, assignment, workdir):
    """Generate ``assignment`` from ``source/`` in a throwaway copy of the course."""
    import shutil

    copy = Path(workdir) / "course"
    copy.mkdir()
    shutil.copy(course.root / "nbgrader_config.py", copy)
    shutil.copytree(course.source / assignment, copy / "source" / assignment)
    temp = Course(copy)
    run_nbgrader(temp, "generate_assignment", assignment, "--force",
                 env={"COURSE_DB_URL": f"sqlite:///{copy / 'gradebook.db'}"})
    return copy / "release" / assignment


def check_release_in_sync(course, assignment):
    problems = []
    with tempfile.TemporaryDirectory() as workdir:
        fresh_dir = fresh_release(course, assignment, workdir)
        for source_path in course.source_notebooks(assignment):
            committed = course.release / assignment / source_path.name
            if not committed.exists():
                problems.append(f"{committed} is missing: run python -m course release {assignment}")
                continue
            if comparable(nbtools.read(committed)) != comparable(nbtools.read(fresh_dir / source_path.name)):
                problems.append(f"{committed} is out of date: run python -m course release {assignment}")
    return problems


def check_course(course, assignments=None, sync=True):
    """All problems found (an empty list means the course is consistent)."""
    problems = []
    for assignment in assignments or course.assignments():
        for path in course.source_notebooks(assignment):
            notebook = nbtools.read(path)
            label = str(path.relative_to(course.root))
            problems += check_metadata(notebook, label)
            problems += check_clean(notebook, label)
            problems += check_run_all(notebook, label)
        for path in sorted((course.release / assignment).glob("*.ipynb")):
            problems += check_release_free_of_solutions(nbtools.read(path), str(path.relative_to(course.root)))
        if sync:
            problems += check_release_in_sync(course, assignment)
    return problems


# -- student kits (course.kit) ------------------------------------------------------------

def _normalized(text):
    return " ".join(text.split())


def _answer_and_hidden_blocks(course, assignments):
    """Model answers and hidden tests of the source notebooks, whitespace-normalized."""
    from course.notebooks import HIDDEN_BLOCK, SOLUTION_BLOCK

    blocks = []
    for assignment in assignments:
        for path in course.source_notebooks(assignment):
            for cell in nbtools.read(path).cells:
                for match in SOLUTION_BLOCK.finditer(cell.source):
                    blocks.append((f"model answer of {nbtools.grade_id(cell)}", _normalized(match.group(1))))
                for match in HIDDEN_BLOCK.finditer(cell.source):
                    body = "\n".join(match.group(0).splitlines()[1:-1])
                    blocks.append((f"hidden test of {nbtools.grade_id(cell)}", _normalized(body)))
    return [(label, text) for label, text in blocks if len(text) >= 12]


def _kit_texts(kit):
    """Every text a student gets: notebook cells, README, requirements, the wheel's files."""
    import zipfile

    texts = {}
    for path in sorted(kit.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        label = str(path.relative_to(kit))
        if path.suffix == ".ipynb":
            try:
                texts[label] = "\n".join(cell.source for cell in nbtools.read(path).cells)
            except Exception:                      # unreadable: reported by check_kit
                texts[label] = path.read_text(errors="replace")
        elif path.suffix == ".whl":
            try:
                with zipfile.ZipFile(path) as wheel:
                    for name in wheel.namelist():
                        texts[f"{label}:{name}"] = wheel.read(name).decode("utf-8", "replace")
            except (OSError, zipfile.BadZipFile):
                pass
        elif path.suffix in (".md", ".txt", ".yml", ".py", ".json"):
            texts[label] = path.read_text(errors="replace")
    return texts


def _pins_in(text, pattern):
    return sorted(m.group(1) for m in re.finditer(pattern, text, re.M))


def _check_kit_folder(kit, course, label):
    from course import kit as kits

    problems = []
    kit = Path(kit)
    links = [p for p in kit.rglob("*") if p.is_symlink()]
    problems += [f"{label}: {p.relative_to(kit)} is a symbolic link" for p in links]
    wheels = sorted(kit.glob("*.whl"))
    folders = sorted(p for p in kit.iterdir() if p.is_dir() and not p.is_symlink())
    allowed = set(kits.KIT_FILES) | {w.name for w in wheels} | {f.name for f in folders}
    problems += [f"{label}: unexpected file {p.name} (a kit holds {', '.join(kits.KIT_FILES)}, the helpers "
                 "wheel and one folder per assignment)" for p in sorted(kit.iterdir()) if p.name not in allowed]
    problems += [f"{label}: {name} is missing" for name in kits.KIT_FILES if not (kit / name).is_file()]
    for path in sorted(kit.rglob("*")):
        rel = path.relative_to(kit)
        if any(part in ("course", "source", "classroom", "autograded", "submitted", "feedback")
               for part in rel.parts):
            problems.append(f"{label}: {rel} belongs to the instructor's course directory")
        if path.is_file() and (path.suffix in (".py", ".db") or path.name == "nbgrader_config.py"):
            problems.append(f"{label}: {rel} is instructor material ({path.suffix} file)")
    if len(wheels) != 1:
        problems.append(f"{label}: expected one helpers wheel, found {len(wheels)}")
    for wheel in wheels:
        problems += [f"{label}: {p}" for p in kits.wheel_problems(
            wheel, helpers_dir=kits.helpers_folder() if course is not None else None)]

    notebooks = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_dir():
                problems.append(f"{label}: {path.relative_to(kit)}: assignment folders hold files only")
        for path in sorted(folder.glob("*.ipynb")):
            rel = str(path.relative_to(kit))
            try:
                notebook = nbtools.read(path)
            except Exception as error:
                problems.append(f"{label}: {rel} is not a readable notebook ({type(error).__name__})")
                continue
            notebooks.append(notebook)
            problems += [f"{label}: {p}" for p in check_release_free_of_solutions(notebook, rel)]
        if course is None:
            continue
        if folder.name not in course.assignments():
            problems.append(f"{label}: {folder.name}/ is not an assignment of the course")
            continue
        released = {p.name: p for p in (course.release / folder.name).iterdir()
                    if p.is_file() and not p.name.startswith(".")}
        present = {p.name: p for p in folder.iterdir() if p.is_file()}
        for name in sorted(set(present) - set(released)):
            problems.append(f"{label}: {folder.name}/{name} is not part of release/{folder.name}")
        for name in sorted(set(released) - set(present)):
            problems.append(f"{label}: {folder.name}/{name} of the release is missing")
        for name in sorted(set(released) & set(present)):
            if released[name].read_bytes() != present[name].read_bytes():
                problems.append(f"{label}: {folder.name}/{name} differs from release/ (rebuild the kit)")
    if not notebooks:
        problems.append(f"{label}: no notebook")

    requirements = (kit / "requirements.txt").read_text() if (kit / "requirements.txt").is_file() else ""
    environment = (kit / "environment.yml").read_text() if (kit / "environment.yml").is_file() else ""
    pins = _pins_in(requirements, r"^([A-Za-z0-9_.-]+==\S+)\s*$")
    conda_pins = _pins_in(environment, r"^\s+- ([A-Za-z0-9_.-]+==\S+)\s*$")
    if pins != conda_pins:
        problems.append(f"{label}: environment.yml and requirements.txt pin different versions")
    course_pins = kits.course_pins()
    for pin in pins:
        expected = course_pins.get(kits.pin_name(pin))
        if expected != pin:
            problems.append(f"{label}: requirements.txt pins {pin}, the course {expected or 'does not use it'}")
    wanted = set(kits.student_pins(notebooks)) if notebooks else set()
    for pin in sorted(wanted - set(pins)):
        problems.append(f"{label}: requirements.txt lacks {pin}")
    for pin in sorted(set(pins) - wanted):
        if kits.pin_name(pin) == "torch":
            problems.append(f"{label}: requirements.txt pins {pin}, which no notebook of this kit needs")
    for wheel in wheels:
        for name, text in (("requirements.txt", requirements), ("environment.yml", environment)):
            if f"./{wheel.name}" not in text:
                problems.append(f"{label}: {name} does not install ./{wheel.name}")
    readme = (kit / "README.md").read_text() if (kit / "README.md").is_file() else ""
    for needed in ("requirements.txt", "jupyter lab", "nbgrader validate"):
        if readme and needed not in readme:
            problems.append(f"{label}: README.md does not say how to use {needed!r}")
    for instructor in ("./run ", "python -m course", "source/"):
        if instructor in readme:
            problems.append(f"{label}: README.md refers to the instructor's repository ({instructor.strip()!r})")

    if course is not None:
        texts = {name: _normalized(text) for name, text in _kit_texts(kit).items()}
        for what, block in _answer_and_hidden_blocks(course, [f.name for f in folders
                                                               if f.name in course.assignments()]):
            for name, text in texts.items():
                if block in text:
                    problems.append(f"{label}: {name} contains the {what}")
    return problems


def _check_kit_zip(path, course):
    import zipfile

    problems = []
    label = path.name
    with tempfile.TemporaryDirectory(prefix="kit-check-") as workdir:
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.infolist()
                tops = set()
                for info in members:
                    parts = Path(info.filename).parts
                    mode = info.external_attr >> 16
                    if info.filename.startswith("/") or ".." in parts or not parts:
                        problems.append(f"{label}: unsafe member {info.filename!r}")
                        continue
                    if (mode & 0o170000) == 0o120000:
                        problems.append(f"{label}: {info.filename} is a symbolic link")
                        continue
                    tops.add(parts[0])
                    archive.extract(info, workdir)
        except (OSError, zipfile.BadZipFile) as error:
            return [f"{label}: not a readable zip ({error})"]
        if len(tops) != 1:
            return problems + [f"{label}: expected one top folder, found {sorted(tops)}"]
        top = Path(workdir) / tops.pop()
        problems += _check_kit_folder(top, course, f"{label}:{top.name}")
        folder = path.with_suffix("")
        if folder.is_dir():
            inside = {p.relative_to(top).as_posix(): p.read_bytes() for p in top.rglob("*") if p.is_file()}
            beside = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
            if inside != beside:
                problems.append(f"{label}: differs from the folder {folder.name}/ (rebuild the kits)")
    return problems


def check_kit(path, course=None):
    """Problems of a built student kit (an empty list means it is fine).

    ``path`` is a kit folder, a kit zip, or a folder of kits (``course kit
    --out``), whose kit folders and zips are all checked. A kit holds the
    README, requirements.txt, environment.yml, one helpers wheel (only
    ``helpers/``) and one folder per assignment. With ``course``, its
    notebooks and data files must be exactly those of ``release/``, its pins
    those of the course, its wheel the course's ``helpers/``, and no model
    answer or hidden test of ``source/`` may appear anywhere in it.
    """
    from course.kit import is_kit

    path = Path(path)
    if path.is_file() and path.suffix == ".zip":
        return _check_kit_zip(path, course)
    if is_kit(path):
        return _check_kit_folder(path, course, path.name)
    if not path.is_dir():
        return [f"{path}: no such kit folder or zip"]
    problems = []
    kits = [p for p in sorted(path.iterdir()) if p.is_dir() and not p.is_symlink() and is_kit(p)]
    zips = sorted(p for p in path.glob("*.zip") if p.is_file())
    if not kits and not zips:
        problems.append(f"{path}: no kit found (a kit folder has README.md and requirements.txt)")
    for kit in kits:
        problems += _check_kit_folder(kit, course, kit.name)
    for archive in zips:
        problems += _check_kit_zip(archive, course)
    return problems
