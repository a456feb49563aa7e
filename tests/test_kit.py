"""Student kits (course.kit): built from release/, clean, runnable outside the course directory.

* the kits are built from ``release/`` and ``course check --kit`` finds them clean, and
  finds every kind of leak planted in a copy;
* the helpers wheel, installed with ``--no-deps`` into a folder outside the course, runs
  every released notebook with the reference answers filled in: every visible check
  passes, ``import course`` fails, and no code of the course directory is importable;
* (slow) the kit's requirements install into a fresh virtual environment exactly as the
  student README says, and ``nbgrader validate`` passes there for the reference answers.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from course import notebooks as nbtools
from course.check import check_kit
from course.kit import ALL_KIT, build_kits
from course.layout import Course

COURSE = Course(REPO)
ASSIGNMENTS = COURSE.assignments()
# The course's own environment (third-party packages only; its editable install of
# `course` and `helpers` works through a .pth file that a plain path entry does not run).
VENV_SITE = Path(sysconfig.get_path("purelib"))
PROBE = """
import json, os, sys
import helpers
try:
    import course
    course_file = getattr(course, "__file__", None) or repr(course)
except ImportError:
    course_file = None
# paths as the kernel sees them (relative ones from its own working folder); a module's
# __file__ that is not a path at all (torch's "_classes.py") is left out
modules = sorted({m.__file__ for m in list(sys.modules.values())
                  if isinstance(getattr(m, "__file__", None), str) and os.path.isabs(m.__file__)})
sys_path = [os.path.abspath(entry or os.getcwd()) for entry in sys.path]
print("KIT-PROBE " + json.dumps({"sys_path": sys_path, "helpers": helpers.__file__, "course": course_file,
                                 "executable": sys.executable, "modules": modules,
                                 "meta_path": [type(f).__module__ for f in sys.meta_path]}))
"""


def under(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    out = tmp_path_factory.mktemp("kits")
    return out, {kit.name: kit for kit in build_kits(COURSE, out=out)}


def reference_notebook(kit_notebook):
    """The kit's notebook with the model answers of source/ filled in (the test knows them)."""
    assignment = kit_notebook.parent.name
    source = nbtools.read(REPO / "source" / assignment / kit_notebook.name)
    return nbtools.fill_answers(nbtools.read(kit_notebook), nbtools.reference_answers(source))


# -- building and checking ---------------------------------------------------------------------

def test_kits_are_built_from_the_release_and_check_clean(kits):
    out, built = kits
    assert sorted(built) == sorted([*ASSIGNMENTS, ALL_KIT])
    assert check_kit(out, COURSE) == []
    for name, kit in built.items():
        assert kit.zip.is_file() and check_kit(kit.zip, COURSE) == [], name
        files = sorted(p.relative_to(kit.folder).as_posix() for p in kit.folder.rglob("*") if p.is_file())
        wheel = [f for f in files if f.endswith(".whl")]
        assert len(wheel) == 1 and wheel[0].startswith("nda_helpers-")
        expected = {"README.md", "requirements.txt", "environment.yml", wheel[0]}
        for assignment in kit.assignments:
            expected |= {f"{assignment}/{p.name}" for p in (REPO / "release" / assignment).iterdir() if p.is_file()}
        assert set(files) == expected, name
        for path in kit.folder.rglob("*.ipynb"):
            assert path.read_bytes() == (REPO / "release" / path.parent.name / path.name).read_bytes()
        with zipfile.ZipFile(kit.folder / wheel[0]) as archive:
            names = archive.namelist()
        assert "helpers/correlations/estimation.py" in names
        assert not [n for n in names if not (n.startswith("helpers/") or n.startswith("nda_helpers-"))]
        requirements = (kit.folder / "requirements.txt").read_text()
        assert ("torch==2.13.0" in requirements) == ("mei_vs_gabor" in kit.assignments), name
        assert "numpy==2.4.6" in requirements and "nbgrader==0.9.6" in requirements
        readme = (kit.folder / "README.md").read_text()
        assert "nbgrader validate" in readme and "pip install -r requirements.txt" in readme
        assert ("download.pytorch.org/whl/cpu" in readme) == ("mei_vs_gabor" in kit.assignments)
    with zipfile.ZipFile(built["correlations"].zip) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"correlations/{p.relative_to(built['correlations'].folder).as_posix()}"
            for p in built["correlations"].folder.rglob("*") if p.is_file())


def test_kit_build_is_reproducible(kits, tmp_path):
    _, built = kits
    again = {kit.name: kit for kit in build_kits(COURSE, ["correlations"], out=tmp_path)}
    assert again["correlations"].zip.read_bytes() == built["correlations"].zip.read_bytes()


def _planted(kit_folder, tmp_path, plant):
    copy = tmp_path / "planted" / kit_folder.name
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(kit_folder, copy)
    plant(copy)
    return check_kit(copy, COURSE)


def _rewrite_wheel(kit, extra_name, extra_text):
    wheel = next(kit.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[extra_name] = extra_text.encode()
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _answer_in_readme(kit):
    source = nbtools.read(REPO / "source" / "correlations" / "correlations.ipynb")
    answer = nbtools.reference_answers(source)["compute_connectivity_from_single_neuron"]
    with (kit / "README.md").open("a") as handle:
        handle.write("\n" + answer)


def _hidden_test_in_notebook(kit):
    path = kit / "correlations" / "correlations.ipynb"
    source = nbtools.read(REPO / "source" / "correlations" / "correlations.ipynb")
    hidden = nbtools.HIDDEN_BLOCK.search(nbtools.cells_by_id(source)["test_get_coarse_corr"].source).group(0)
    body = "\n".join(hidden.splitlines()[1:-1])
    notebook = nbtools.read(path)
    notebook.cells[-1].source += "\n" + body
    nbtools.write(notebook, path)


PLANTS = {
    "source notebook": (lambda kit: shutil.copy(REPO / "source" / "correlations" / "correlations.ipynb",
                                                kit / "correlations" / "correlations.ipynb"), "BEGIN SOLUTION"),
    "course package": (lambda kit: shutil.copytree(REPO / "course" / "classroom", kit / "course"),
                       "instructor"),
    "classroom variant in the wheel": (
        lambda kit: _rewrite_wheel(kit, "course/classroom/correlations.py", "VARIANTS = {}\n"), "course/"),
    "model answer in the README": (_answer_in_readme, "model answer of compute_connectivity_from_single_neuron"),
    "hidden test in a notebook": (_hidden_test_in_notebook, "hidden test of test_get_coarse_corr"),
    "other pin": (lambda kit: (kit / "requirements.txt").write_text(
        (kit / "requirements.txt").read_text().replace("numpy==2.4.6", "numpy==2.0.0")), "numpy==2.0.0"),
    "torch where no notebook needs it": (lambda kit: (kit / "requirements.txt").write_text(
        (kit / "requirements.txt").read_text() + "torch==2.13.0\n"), "environment.yml and requirements.txt"),
    "gradebook": (lambda kit: (kit / "correlations" / "gradebook.db").write_bytes(b""), "gradebook.db"),
    "link to the sources": (lambda kit: (kit / "correlations" / "solutions").symlink_to(REPO / "source"),
                            "symbolic link"),
    "instructor README": (lambda kit: (kit / "README.md").write_text(
        (kit / "README.md").read_text() + "\nRun ./run lab in the course repository.\n"), "instructor"),
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_check_kit_finds_what_does_not_belong_in_a_kit(kits, tmp_path, plant):
    _, built = kits
    action, message = PLANTS[plant]
    problems = _planted(built["correlations"].folder, tmp_path, action)
    assert any(message in problem for problem in problems), problems


def test_kit_and_check_commands(tmp_path, capsys):
    from course.cli import main

    assert main(["--root", str(REPO), "kit", "correlations", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["correlations", "correlations.zip"]
    assert main(["--root", str(REPO), "check", "--kit", str(tmp_path)]) == 0
    assert "kit is clean" in capsys.readouterr().out
    (tmp_path / "correlations" / "correlations" / "notes.py").write_text("print('hi')\n")
    assert main(["--root", str(REPO), "check", "--kit", str(tmp_path / "correlations")]) == 1
    # a folder that is not a kit is never deleted to make room for one
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    from course.kit import build_kit
    from course.layout import CourseError

    with pytest.raises(CourseError, match="not a kit"):
        build_kit(COURSE, "mine", ["correlations"], tmp_path, next((tmp_path / "correlations").glob("*.whl")))
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


# -- the kit outside the course directory ------------------------------------------------------

@pytest.fixture(scope="module")
def kit_kernel(kits, tmp_path_factory):
    """The helpers wheel installed with --no-deps into a folder outside the course, and a kernel for it.

    The kernel's Python is a new virtual environment (outside the course) that sees the
    third-party packages of the course's environment through a plain path entry: their
    versions are the pinned ones, but the editable install of `course` and `helpers`
    (a .pth hook) does not run, so `helpers` can only come from the wheel.
    """
    _, built = kits
    base = tmp_path_factory.mktemp("kit-student")
    assert not under(base, REPO)
    wheel = next(built[ALL_KIT].folder.glob("*.whl"))
    site = base / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                    "--target", str(site), str(wheel)], cwd=base, check=True)
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info")) == ["helpers"]
    env_dir = base / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=base, check=True)
    python = env_dir / "bin" / "python"
    env_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   capture_output=True, text=True, check=True, cwd=base).stdout.strip())
    (env_site / "course_environment_packages.pth").write_text(f"{VENV_SITE}\n")
    kernels = base / "jupyter" / "kernels" / "kit"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student kit", "language": "python",
        "env": {"PYTHONPATH": str(site), "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg",
                "HOME": str(base), "PYTHONSAFEPATH": "1"}}))
    return base, site, built[ALL_KIT].folder


def _execute_in_kit_kernel(notebook, folder, jupyter_path, monkeypatch):
    from course.execute import robust_execute_class

    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "JUPYTER_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    executor = robust_execute_class()(timeout=600, kernel_name="kit", allow_errors=True)
    executor.preprocess(notebook, {"metadata": {"path": str(folder)}})
    return notebook


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_runs_from_the_kit_outside_the_course(kit_kernel, tmp_path, monkeypatch, assignment):
    import nbformat

    base, site, kit = kit_kernel
    work = tmp_path / "student"
    shutil.copytree(kit / assignment, work / assignment)
    assert not under(work, REPO)
    for path in sorted((work / assignment).glob("*.ipynb")):
        notebook = reference_notebook(path)
        probe = nbformat.v4.new_code_cell(PROBE)
        notebook.cells.append(probe)
        executed = _execute_in_kit_kernel(notebook, work / assignment, base / "jupyter", monkeypatch)
        errors = [(nbtools.grade_id(c), o.get("ename"), o.get("evalue")) for c in executed.cells
                  if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
        assert errors == []
        tests = [c for c in executed.cells if nbtools.is_test(c)]
        assert tests
        for cell in tests:
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "Visible checks passed." in printed, nbtools.grade_id(cell)
        text = "".join(o.get("text", "") for o in executed.cells[-1].outputs if o.output_type == "stream")
        facts = json.loads(re.search(r"KIT-PROBE (.*)", text).group(1))
        assert facts["course"] is None, f"import course worked: {facts['course']}"
        assert under(facts["helpers"], site), facts["helpers"]
        assert not under(facts["executable"], REPO)
        # Only the environment's third-party packages may come from inside the course
        # directory (the course's .venv lives there); no path or module of the course itself.
        environment = VENV_SITE
        for entry in facts["sys_path"]:
            if under(entry, REPO):
                assert under(entry, environment), f"{entry} (on sys.path) is in the course directory"
        for module in facts["modules"]:
            if under(module, REPO):
                assert under(module, environment), f"{module} was imported from the course directory"
        assert not [m for m in facts["meta_path"] if "editable" in m]


# -- a fresh environment, as the student README says ----------------------------------------------

def _readme_setup_commands(readme):
    section = readme.split("## 1. Set up", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_kit_requirements_install_in_a_fresh_venv_as_the_readme_says(tmp_path):
    # The correlations kit needs no torch: nothing here can pull a CUDA build from PyPI.
    out = tmp_path / "kits"
    kit = build_kits(COURSE, ["correlations"], out=out)[0]
    student = tmp_path / "student"
    shutil.copytree(kit.folder, student)
    assert "torch" not in (student / "requirements.txt").read_text()
    commands = _readme_setup_commands((student / "README.md").read_text())
    assert commands[0].startswith("python3.11 -m venv .venv")
    assert any("pip install -r requirements.txt" in c for c in commands)

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "CONDA", "PIP_REQUIRE"))}
    # a PATH without the course's environment: the README's commands find python3.11 elsewhere
    course_bin = os.path.dirname(sys.executable)
    base_bin = os.path.dirname(os.path.realpath(sys.executable))
    env["PATH"] = os.pathsep.join([base_bin] + [p for p in env.get("PATH", "").split(os.pathsep)
                                                if p and p != course_bin])
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")
    script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
    result = subprocess.run(["bash", "-c", script], cwd=student, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    python = student / ".venv" / "bin" / "python"
    assert python.exists()

    def run(*args, check=True):
        done = subprocess.run(["bash", "-c", "source .venv/bin/activate && " + " ".join(args)],
                              cwd=student, env=env, capture_output=True, text=True)
        if check:
            assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        return done

    installed = {entry["name"].lower().replace("_", "-"): entry["version"]
                 for entry in json.loads(run("python -m pip list --format=json").stdout)}
    for pin in re.findall(r"^([A-Za-z0-9_.-]+==\S+)$", (student / "requirements.txt").read_text(), re.M):
        name, version = pin.split("==")
        assert installed.get(name.lower().replace("_", "-")) == version, pin
    assert "torch" not in installed and "nda-course" not in installed
    assert installed.get("nda-helpers") == "0.1.0"
    run("python -m pip check")
    where = run("cd / && python -c 'import helpers; print(helpers.__file__); import course'", check=False)
    assert str(student / ".venv") in where.stdout.splitlines()[0]
    assert where.returncode != 0 and "No module named 'course'" in where.stderr

    notebook = student / "correlations" / "correlations.ipynb"
    blank = run("nbgrader validate correlations/correlations.ipynb", check=False)
    assert "NotImplementedError" in blank.stdout + blank.stderr
    nbtools.write(reference_notebook(notebook), notebook)
    validated = run("nbgrader validate correlations/correlations.ipynb")
    assert "Success! Your notebook passes all the tests." in validated.stdout, validated.stdout[-2000:]
