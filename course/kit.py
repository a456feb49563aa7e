"""Student kits: everything a student needs for an assignment, and nothing else.

``python -m course kit [ASSIGNMENT ...] --out DIR`` builds, from ``release/``
(never from ``source/``), one folder per assignment, one for all of them
together (when there are several), and a zip of each::

    DIR/correlations/
        README.md                       set up, open in JupyterLab, validate, hand in
        requirements.txt                pip: the course's pins (torch only if a notebook needs it)
        environment.yml                 conda: the same pins
        nda_helpers-0.1.0-py3-none-any.whl   the course's helpers library, built from helpers/ alone
        correlations/correlations.ipynb the released notebook(s) and data files
    DIR/correlations.zip
    ...
    DIR/all/, DIR/all.zip

A kit has no ``course`` package, no source notebook, no demo-class variant,
no hidden test and no model answer: :func:`course.check.check_kit` verifies
that (``python -m course check --kit DIR``).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from course import notebooks as nbtools
from course.layout import PACKAGE_ROOT, CourseError

DIST_NAME = "nda-helpers"
WHEEL_PREFIX = "nda_helpers-"
ALL_KIT = "all"
KIT_FILES = ("README.md", "requirements.txt", "environment.yml")
# Imports that need PyTorch: a kit pins torch only for notebooks that have one.
TORCH_IMPORT = re.compile(r"^\s*(import torch\b|from torch\b|import helpers\.mei\b|from helpers\.mei\b)", re.M)
# Fixed time stamp in zips and wheels, so that a rebuilt kit is byte-identical.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SOURCE_DATE_EPOCH = "315532800"   # 1980-01-01
IGNORED = {"__pycache__", ".ipynb_checkpoints", ".DS_Store"}


@dataclass(frozen=True)
class Kit:
    """One built kit: its folder, its zip and the assignments it holds."""

    name: str
    folder: Path
    zip: Path
    assignments: tuple


# -- what the course pins ------------------------------------------------------------

def _pyproject():
    path = PACKAGE_ROOT / "pyproject.toml"
    if not path.is_file():
        raise CourseError(f"{path} not found: kits are built from the instructor's repository")
    return tomllib.loads(path.read_text())


def pin_name(pin):
    """``'numpy==2.4.6'`` -> ``'numpy'`` (lower case, ``_`` as ``-``)."""
    return re.split(r"[=<>!~\[; ]", pin.strip(), maxsplit=1)[0].lower().replace("_", "-")


def course_pins():
    """The course's runtime pins (``pyproject.toml`` dependencies), name -> pin."""
    return {pin_name(pin): pin.strip() for pin in _pyproject()["project"]["dependencies"]}


def helpers_version():
    return _pyproject()["project"]["version"]


def needs_torch(notebook):
    """True if a code cell of ``notebook`` imports torch (or the torch-based helpers)."""
    return any(cell.cell_type == "code" and TORCH_IMPORT.search(cell.source) for cell in notebook.cells)


# Instructor-side only (grading on Dask workers, MathML feedback): students never need them.
INSTRUCTOR_ONLY = ("dask", "distributed", "latex2mathml")


def student_pins(notebooks):
    """The pins a student needs for these notebooks: the course's, torch only if one needs it."""
    pins = course_pins()
    for name in INSTRUCTOR_ONLY:
        pins.pop(name, None)
    if not any(needs_torch(nb) for nb in notebooks):
        pins.pop("torch", None)
    return list(pins.values())


# -- the helpers wheel ---------------------------------------------------------------------

def helpers_folder():
    """The ``helpers`` package the course grades with (this repository's ``helpers/``)."""
    import helpers

    return Path(helpers.__file__).resolve().parent


def _wheel_pyproject(version):
    return (
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        f'name = "{DIST_NAME}"\n'
        f'version = "{version}"\n'
        'description = "helpers library of the neural data analysis course (student notebooks)"\n'
        'requires-python = ">=3.11,<3.12"\n'
        'license = { text = "BSD-3-Clause" }\n'
        "# No dependencies here: the kit's requirements.txt pins them.\n\n"
        "[tool.setuptools.packages.find]\n"
        'include = ["helpers*"]\n\n'
        "[tool.setuptools.package-data]\n"
        '"*" = ["*"]\n'
    )


def build_helpers_wheel(destination):
    """Build the ``helpers`` wheel into ``destination`` from a copy of ``helpers/`` alone.

    The build directory holds only ``helpers/`` (without caches) and a
    minimal ``pyproject.toml``, so nothing else of the repository (``course``,
    ``source/``) can end up in the wheel; the wheel's members are checked
    afterwards all the same.
    """
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    version = helpers_version()
    with tempfile.TemporaryDirectory(prefix="helpers-wheel-") as workdir:
        build = Path(workdir) / "src"
        shutil.copytree(helpers_folder(), build / "helpers", symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".*"))
        (build / "pyproject.toml").write_text(_wheel_pyproject(version))
        out = Path(workdir) / "dist"
        env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, PIP_NO_INPUT="1")
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
             "--quiet", "--wheel-dir", str(out), str(build)],
            cwd=workdir, env=env, capture_output=True, text=True)
        wheels = sorted(out.glob("*.whl"))
        if result.returncode != 0 or len(wheels) != 1:
            raise CourseError(f"building the helpers wheel failed:\n{(result.stderr or result.stdout)[-2000:]}")
        problems = wheel_problems(wheels[0])
        if problems:
            raise CourseError("the helpers wheel is wrong: " + "; ".join(problems))
        target = destination / wheels[0].name
        shutil.copyfile(wheels[0], target)
    return target


def wheel_problems(path, helpers_dir=None):
    """What is wrong with a helpers wheel: members outside ``helpers/``, a ``course`` package...

    With ``helpers_dir``, its Python files must also be exactly those of that folder.
    """
    path = Path(path)
    problems = []
    if not path.name.startswith(WHEEL_PREFIX) or not path.name.endswith("-py3-none-any.whl"):
        problems.append(f"{path.name}: not a pure-Python {DIST_NAME} wheel")
    try:
        with zipfile.ZipFile(path) as wheel:
            members = {info.filename: info for info in wheel.infolist()}
            contents = {name: wheel.read(name) for name in members if name.endswith(".py")}
    except (OSError, zipfile.BadZipFile) as error:
        return problems + [f"{path.name}: not a readable wheel ({error})"]
    dist_info = re.compile(r"^nda_helpers-[^/]+\.dist-info/[^/]+$")
    for name in members:
        if not (name.startswith("helpers/") or dist_info.match(name)):
            problems.append(f"{path.name}: unexpected member {name} (only helpers/ belongs in it)")
        if name.startswith("course/") or "/course/" in name or "classroom" in name:
            problems.append(f"{path.name}: contains the instructor's {name}")
    if "helpers/__init__.py" not in members:
        problems.append(f"{path.name}: helpers/__init__.py is missing")
    if helpers_dir is not None:
        helpers_dir = Path(helpers_dir)
        expected = {f"helpers/{p.relative_to(helpers_dir).as_posix()}": p.read_bytes()
                    for p in helpers_dir.rglob("*.py") if "__pycache__" not in p.parts}
        for name in sorted(set(expected) - set(contents)):
            problems.append(f"{path.name}: {name} is missing")
        for name in sorted(set(contents) - set(expected)):
            problems.append(f"{path.name}: {name} is not in the course's helpers/")
        for name in sorted(set(contents) & set(expected)):
            if contents[name] != expected[name]:
                problems.append(f"{path.name}: {name} differs from the course's helpers/ (rebuild the kit)")
    return problems


# -- the kit's text files -----------------------------------------------------------------

def notebook_title(notebook, default):
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def _requirements(pins, wheel_name, title):
    lines = [f"# Python packages for {title} (Python 3.11): the versions the course is graded with.",
             "# Install them from this folder: python -m pip install -r requirements.txt",
             *pins,
             "# the course's helpers library (no other dependencies)",
             f"./{wheel_name}"]
    return "\n".join(lines) + "\n"


def _environment(pins, wheel_name, env_name):
    lines = [f"# conda env create -f environment.yml && conda activate {env_name}",
             "# The same versions as requirements.txt, all from pip (run it from this folder).",
             f"name: {env_name}",
             "channels:",
             "  - conda-forge",
             "dependencies:",
             "  - python=3.11",
             "  - pip",
             "  - pip:",
             *(f"      - {pin}" for pin in pins),
             f"      - ./{wheel_name}"]
    return "\n".join(lines) + "\n"


def _readme(kit_name, entries, env_name, has_torch):
    """The student README: set up, open in JupyterLab, validate, hand in."""
    several = len(entries) > 1
    title = "all assignments" if kit_name == ALL_KIT else entries[0][2]
    table = "\n".join(f"| `{assignment}/{notebook}` | {heading} |" for assignment, notebook, heading in entries)
    first_assignment, first_notebook, _ = entries[0]
    torch_note = (
        "\n**PyTorch on Linux.** `pip` installs PyTorch with CUDA by default (several GB). The course runs on\n"
        "the CPU: install the CPU build first, then the rest:\n\n"
        "```bash\n"
        "python -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu\n"
        "python -m pip install -r requirements.txt\n"
        "```\n"
        "(On macOS and Windows the plain `pip install -r requirements.txt` gets the CPU build.)\n"
    ) if has_torch else ""
    return f"""# Neural data analysis: {title}

Everything you need to work on {"these assignments" if several else "this assignment"} on your own computer:
the notebook{"s" if several else ""} you fill in, {"their" if several else "its"} data, the course's `helpers`
library and the exact versions of the Python packages the course is graded with.

| notebook | assignment |
| --- | --- |
{table}

If your course runs on JupyterHub, you do not need this kit: fetch the assignment in the
*Assignments* tab of the hub, work there and submit it there.

## 1. Set up (once)

You need Python 3.11 (python.org, your package manager, or conda). In a terminal, in this folder:

```bash
python3.11 -m venv .venv
source .venv/bin/activate              # Windows: .venv\\Scripts\\activate
python -m pip install -r requirements.txt
```

or, with conda:

```bash
conda env create -f environment.yml
conda activate {env_name}
```
{torch_note}
## 2. Work in JupyterLab

```bash
jupyter lab
```

Open `{first_assignment}/{first_notebook}`. Replace each `raise NotImplementedError()` with your code and
write your answers where a cell says `YOUR ANSWER HERE`. Run the checks below each exercise:
they tell you what they expected. Keep each notebook in its folder (it reads its data files
from there), do not rename it, and do not delete, copy or re-type the cells you did not
write: the grader relies on them.

## 3. Validate

When you are done: *Kernel > Restart Kernel and Run All Cells*, then validate, either with the
**Validate** button in the notebook's toolbar or in the terminal:

```bash
nbgrader validate {first_assignment}/{first_notebook}
```

Validation runs the notebook from top to bottom in a fresh kernel and lists the visible checks
that fail. When your notebook is graded, hidden tests call your functions on other inputs, so
passing the visible checks is necessary, not sufficient.

## 4. Hand in

Upload the notebook file itself (`{first_assignment}/{first_notebook}`{", and the others" if several else ""}), not a
copy with another name or a PDF, to your course's page in the learning platform, as your
instructor tells you. Your grade and a feedback page come back there.
"""


def _copy_release_files(course, assignment, destination):
    """Copy the released notebook(s) and data files (regular files only, no links, no caches)."""
    source = course.release / assignment
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise CourseError(f"release/{assignment} has no notebook: run python -m course release {assignment}")
    destination.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.name in IGNORED or item.name.startswith(".") or item.is_symlink() or not item.is_file():
            continue
        shutil.copyfile(item, destination / item.name)
    return notebooks


def _zip_folder(folder, path):
    """Zip ``folder`` as ``path`` with ``folder``'s name on top; fixed dates, sorted members."""
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(folder.rglob("*")):
            if item.is_symlink() or not item.is_file():
                continue
            info = zipfile.ZipInfo(f"{folder.name}/{item.relative_to(folder).as_posix()}", ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, item.read_bytes())
    tmp.replace(path)
    return path


def is_kit(folder):
    folder = Path(folder)
    return folder.is_dir() and all((folder / name).is_file() for name in ("README.md", "requirements.txt"))


def _clear(folder):
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise CourseError(f"{folder} exists and is not a kit folder: choose another --out")
    if folder.exists():
        if any(folder.iterdir()) and not is_kit(folder):
            raise CourseError(f"{folder} exists and is not a kit: choose another --out")
        shutil.rmtree(folder)


def build_kit(course, name, assignments, out, wheel):
    """One kit folder and its zip; ``wheel`` is the helpers wheel to put in it."""
    folder = Path(out) / name
    _clear(folder)
    folder.mkdir(parents=True)
    entries, notebooks = [], []
    for assignment in assignments:
        for path in _copy_release_files(course, assignment, folder / assignment):
            notebook = nbtools.read(path)
            notebooks.append(notebook)
            entries.append((assignment, path.name, notebook_title(notebook, assignment)))
    pins = student_pins(notebooks)
    has_torch = any(pin_name(pin) == "torch" for pin in pins)
    shutil.copyfile(wheel, folder / wheel.name)
    env_name = f"nda-{name}".replace("_", "-")
    title = "all assignments of the course" if name == ALL_KIT else f"the assignment {entries[0][2]!r}"
    (folder / "requirements.txt").write_text(_requirements(pins, wheel.name, title))
    (folder / "environment.yml").write_text(_environment(pins, wheel.name, env_name))
    (folder / "README.md").write_text(_readme(name, entries, env_name, has_torch))
    archive = _zip_folder(folder, Path(out) / f"{name}.zip")
    return Kit(name, folder, archive, tuple(assignments))


def build_kits(course, assignments=None, out=None):
    """Build a kit per assignment (and one for all of them, if several), from ``release/``.

    Parameters
    ----------
    course : course.layout.Course
    assignments : list of str, optional
        Default: every assignment.
    out : path, optional
        Default: ``kits/`` in the course directory.

    Returns
    -------
    list of Kit
    """
    assignments = list(assignments or course.assignments())
    if not assignments:
        raise CourseError("no assignment to put in a kit")
    for assignment in assignments:
        course.check_assignment(assignment)
    out = Path(out) if out else course.root / "kits"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kit-wheel-") as workdir:
        wheel = build_helpers_wheel(workdir)
        kits = [build_kit(course, assignment, [assignment], out, wheel) for assignment in assignments]
        if len(assignments) > 1:
            kits.append(build_kit(course, ALL_KIT, assignments, out, wheel))
    return kits
