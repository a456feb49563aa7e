"""Bring student submissions into ``submitted/`` from a folder or a zip file.

Two layouts are understood:

* nbgrader's exchange layout: ``<student>/<assignment>/<notebook>.ipynb``
  (plus any extra files), as ``nbgrader collect`` or a shared drive produces;
* one notebook per student: ``<student>.ipynb`` (or ``<student>_<anything>.ipynb``,
  as LMS downloads name them), for single-notebook assignments.

Submissions are hostile input. Collecting:

* copies regular files only and never follows a symbolic link (a link to
  ``source/`` would hand a student the solutions, a link to another
  student's folder their work); links are skipped with a reason;
* extracts a zip member by member, with size limits, and skips members
  that are links, absolute paths, ``..`` paths or over-long names;
* refuses two entries that map to one student id (neither replaces the other);
* refuses student ids that could collide with the grader's own files;
* replaces a student's previous copy only once the new one is complete;
* never modifies the student's files in the source.

A bad entry is skipped with a reason; the others are still collected.
"""

import errno
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from course.layout import CourseError

SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_ID_LENGTH = 100
# Names the grader keeps next to students' folders (see course.contract.Paths
# and course.grading): a student id must never be one of them.
RESERVED_IDS = frozenset({"outcomes.json", "staged", "gradebook.db"})
RESERVED_SUFFIXES = (".json", ".db", ".py", ".log")

MAX_FILE_BYTES = 100 * 2**20     # one file, uncompressed
MAX_TOTAL_BYTES = 2 * 2**30      # everything extracted from one zip
MAX_ZIP_MEMBERS = 100_000        # past this a zip is a bomb of inodes, not a class
MAX_NAME_BYTES = 255             # one path component (NAME_MAX on Linux)
MAX_PATH_BYTES = 4096            # a whole member name (PATH_MAX on Linux)
MAX_DEPTH = 32                   # folders inside one submission; bounds the recursion
CHUNK_BYTES = 2**20

# Operating-system clutter that zips and shared drives carry; ignored silently.
OS_CLUTTER = frozenset({"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"})

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# O_NOFOLLOW: opening a link fails (ELOOP) instead of reaching its target.
# O_NONBLOCK: a FIFO swapped in after the check cannot hang the collect.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC


@dataclass
class CollectResult:
    """What :func:`collect` brought in and what it left out.

    Attributes
    ----------
    students : list of str
        Student ids collected, sorted.
    skipped : list of (str, str)
        ``(entry, reason)`` for every entry of the source that was not
        collected; ``entry`` is its path relative to the folder or zip.
    """

    students: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


class _Skip(Exception):
    """An entry is left out; ``reason`` says why (for the instructor)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Entry:
    """One submission found in the source, before it is copied."""

    label: str    # path relative to the source, as the instructor sees it
    path: Path    # the student's folder (exchange layout) or notebook
    kind: str     # "folder" or "notebook"


# -- student ids ---------------------------------------------------------------

def student_id(raw):
    """A safe student id made from a folder or file name.

    Characters other than letters, digits, ``_``, ``.`` and ``-`` become
    ``_``; leading and trailing dots and underscores are dropped.

    Parameters
    ----------
    raw : str
        Name as found in the source.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If nothing is left, or the id could collide with the grader's files.
    """
    cleaned = SAFE_ID.sub("_", raw).strip("._")
    if not cleaned:
        raise ValueError(f"cannot make a student id from {raw!r}")
    problem = _id_problem(cleaned)
    if problem:
        raise ValueError(f"student id {cleaned!r} (from {raw!r}) {problem}")
    return cleaned


def _id_problem(student):
    """Why ``student`` cannot be a student id, or ``""``."""
    lowered = student.lower()  # case-insensitive file systems (macOS) too
    if student.startswith((".", "_")):
        return "starts with a dot or an underscore (hidden or grader names)"
    if len(student) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    if lowered in RESERVED_IDS or lowered.endswith(RESERVED_SUFFIXES):
        return "is reserved for the grader's own files"
    return ""


def _notebook_student(name, released):
    """Student id of a one-file submission such as ``grace_hopper_correlations.ipynb``."""
    stem = Path(name).stem
    for notebook in released:
        stem = stem.replace(Path(notebook).stem, "")
    return student_id(stem.split("_")[0] if "_" in stem.strip("_") else stem)


# -- entry point ---------------------------------------------------------------

def collect(course, source, assignment, max_file_bytes=MAX_FILE_BYTES,
            max_total_bytes=MAX_TOTAL_BYTES):
    """Copy the submissions of ``assignment`` from ``source`` into ``submitted/``.

    Re-running replaces a student's previous copy, so it is safe to collect
    again after late submissions arrive; the previous copy is replaced only
    once the new one is complete.

    Parameters
    ----------
    course : course.layout.Course
    source : str or Path
        A folder or a zip file, in either layout (see the module docstring).
    assignment : str
    max_file_bytes : int
        Largest file copied or extracted; larger ones are skipped.
    max_total_bytes : int
        Most bytes extracted from one zip; members past it are skipped.

    Returns
    -------
    CollectResult
        The students collected and the entries skipped, with reasons.

    Raises
    ------
    course.layout.CourseError
        Unknown assignment, unusable source, or no submission at all
        (the message then lists what was skipped).
    """
    course.check_assignment(assignment)
    source = Path(source)
    if not source.exists():
        raise CourseError(f"{source} does not exist")
    skipped = []
    with tempfile.TemporaryDirectory(prefix="collect-") as workdir:
        if source.is_file() and zipfile.is_zipfile(source):
            root = Path(workdir)
            _extract_zip(source, root, skipped, max_file_bytes, max_total_bytes)
            folder = _unwrap_top_folder(root, assignment)
        elif source.is_dir():
            root = folder = source
        else:
            raise CourseError(f"{source} is neither a folder nor a zip file")
        students = _collect_folder(course, folder, root, assignment, skipped, max_file_bytes)
    if not students:
        raise CourseError(f"no submissions for {assignment!r} found in {source}"
                         + "".join(f"\n  skipped {entry}: {reason}" for entry, reason in skipped))
    return CollectResult(sorted(students), skipped)


def _unwrap_top_folder(root, assignment):
    """The folder to collect from in an extracted zip: its one top folder, if so made."""
    entries = [p for p in root.iterdir() if p.name not in OS_CLUTTER and not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not (entries[0] / assignment).is_dir():
        return entries[0]
    return root


def _collect_folder(course, folder, root, assignment, skipped, max_file_bytes):
    """Find the submissions in ``folder``, then install them one student at a time."""
    released = [p.name for p in course.source_notebooks(assignment)]
    found = _find_entries(folder, root, assignment, released, skipped)
    collected = []
    for student, entry in sorted(_refuse_duplicates(found, skipped).items()):
        try:
            _install(course, student, assignment, entry, released, skipped, max_file_bytes)
        except _Skip as skip:
            skipped.append((entry.label, skip.reason))
        except OSError as error:
            skipped.append((entry.label, f"could not be copied ({error.strerror or error})"))
        else:
            collected.append(student)
    return collected


# -- finding the submissions ---------------------------------------------------

def _find_entries(folder, root, assignment, released, skipped):
    """student id -> entries mapping to it (more than one is refused later)."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.name in OS_CLUTTER:
            continue
        label = path.relative_to(root).as_posix()
        try:
            entry = _classify(path, label, assignment, released)
            student = (student_id(path.name) if entry.kind == "folder"
                       else _notebook_student(path.name, released))
        except _Skip as skip:
            skipped.append((label, skip.reason))
        except ValueError as error:
            skipped.append((label, str(error)))
        else:
            found.setdefault(student, []).append(entry)
    return found


def _classify(path, label, assignment, released):
    """The submission at ``path``, judged from ``lstat`` only (links are never followed)."""
    if path.name.startswith("."):
        raise _Skip("hidden file or folder")
    mode = _lstat_mode(path)
    if stat.S_ISLNK(mode):
        raise _Skip("symbolic link; not followed")
    if stat.S_ISDIR(mode):
        inner_mode = _lstat_mode(path / assignment)
        if stat.S_ISLNK(inner_mode):
            raise _Skip(f"{assignment}/ is a symbolic link; not followed")
        if not stat.S_ISDIR(inner_mode):
            raise _Skip(f"folder without a {assignment}/ folder inside")
        return _Entry(label, path, "folder")
    if not stat.S_ISREG(mode):
        raise _Skip("not a regular file or folder")
    if path.suffix.lower() != ".ipynb":
        raise _Skip(f"not a notebook (.ipynb) nor a <student>/{assignment}/ folder")
    if len(released) != 1:
        raise _Skip("one notebook per student needs a single-notebook assignment")
    return _Entry(label, path, "notebook")


def _lstat_mode(path):
    """``st_mode`` of ``path`` itself (0 when it is absent or unreadable)."""
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


def _refuse_duplicates(found, skipped):
    """student -> its one entry; students claimed by several entries are skipped.

    Taking one of them silently would let ``victim_late.ipynb`` replace
    ``victim.ipynb`` (or the reverse) depending on sort order. Ids are
    compared without case, since ``Ada`` and ``ada`` are one folder on a
    case-insensitive file system.
    """
    by_key = {}
    for student, entries in found.items():
        by_key.setdefault(student.casefold(), []).extend((student, e) for e in entries)
    chosen = {}
    for claims in by_key.values():
        if len(claims) == 1:
            student, entry = claims[0]
            chosen[student] = entry
            continue
        names = ", ".join(repr(entry.label) for _, entry in claims)
        ids = " / ".join(sorted({student for student, _ in claims}))
        for _, entry in claims:
            skipped.append((entry.label, f"{names} all map to student {ids}; none collected "
                                         "(keep one of them and collect again)"))
    return chosen


# -- copying one submission ----------------------------------------------------

def _install(course, student, assignment, entry, released, skipped, max_file_bytes):
    """Copy ``entry`` next to ``submitted/<student>/<assignment>``, then swap it in.

    Raises
    ------
    _Skip, OSError
        The previous copy, if any, is then left as it was.
    """
    parent = course.submitted / student
    if parent.is_symlink():
        raise _Skip(f"{parent} is a symbolic link; not written through")
    created = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    # Next to the target, so the final rename stays on one file system.
    staging = Path(tempfile.mkdtemp(prefix=f".collect-{assignment}-", dir=parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the copy should not be
        if entry.kind == "folder":
            copied = _copy_submission_folder(entry, assignment, staging, skipped, max_file_bytes)
        else:
            _copy_file(entry.path, staging / released[0], max_file_bytes)
            copied = 1
        if not copied:
            raise _Skip("no regular file to collect")
        _swap_in(staging, parent / assignment)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(parent, ignore_errors=True)
        raise


def _copy_submission_folder(entry, assignment, staging, skipped, max_file_bytes):
    """Copy ``<student>/<assignment>/`` into ``staging``; returns the number of files."""
    try:
        top = os.open(entry.path, _DIR_FLAGS)
    except OSError as error:
        raise _Skip(_open_failure(error)) from None
    try:
        inner = os.open(assignment, _DIR_FLAGS, dir_fd=top)
    except OSError as error:
        raise _Skip(f"{assignment}/: {_open_failure(error)}") from None
    finally:
        os.close(top)
    try:
        return _copy_tree(inner, staging, f"{entry.label}/{assignment}", skipped, max_file_bytes, 0)
    finally:
        os.close(inner)


def _copy_tree(dir_fd, target, label, skipped, max_file_bytes, depth):
    """Copy the regular files under the open folder ``dir_fd``; returns how many.

    Everything is opened relative to ``dir_fd`` with ``O_NOFOLLOW``, so a
    link put in place after the listing is refused, not followed.
    """
    copied = 0
    with os.scandir(dir_fd) as listing:
        items = sorted(listing, key=lambda item: item.name)
    for item in items:
        item_label = f"{label}/{item.name}"
        try:
            if item.is_symlink():
                raise _Skip("symbolic link; not followed")
            if item.is_dir(follow_symlinks=False):
                copied += _copy_subfolder(dir_fd, item.name, target, item_label,
                                          skipped, max_file_bytes, depth + 1)
            elif item.is_file(follow_symlinks=False):
                _copy_file(item.name, target / item.name, max_file_bytes, dir_fd=dir_fd)
                copied += 1
            else:
                raise _Skip("not a regular file")
        except _Skip as skip:
            skipped.append((item_label, skip.reason))
    return copied


def _copy_subfolder(dir_fd, name, target, label, skipped, max_file_bytes, depth):
    """Copy the folder ``name`` of ``dir_fd`` to ``target/name``; returns the file count."""
    if depth > MAX_DEPTH:
        raise _Skip(f"folders nested more than {MAX_DEPTH} deep")
    try:
        sub_fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError as error:
        raise _Skip(_open_failure(error)) from None
    try:
        (target / name).mkdir()
        return _copy_tree(sub_fd, target / name, label, skipped, max_file_bytes, depth)
    finally:
        os.close(sub_fd)


def _copy_file(source, target, max_file_bytes, dir_fd=None):
    """Copy one regular file (never through a link) to the new file ``target``.

    The source is only read; its times are carried over to the copy.

    Raises
    ------
    _Skip
        The source is a link, not a regular file, unreadable or too large.
    OSError
        Writing the copy failed.
    """
    try:
        fd = os.open(source, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as error:
        raise _Skip(_open_failure(error)) from None
    with os.fdopen(fd, "rb") as reader:
        info = os.fstat(reader.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Skip("not a regular file")
        if info.st_size > max_file_bytes:
            raise _Skip(f"larger than the {max_file_bytes:,}-byte limit per file")
        # An OSError here (disk full, I/O error) is not the student's doing: it
        # propagates and fails the whole submission, so no partial copy is kept.
        _write_limited(reader, target, max_file_bytes,
                       f"larger than the {max_file_bytes:,}-byte limit per file")
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))


def _open_failure(error):
    """The reason to give when opening a student's file or folder failed."""
    if error.errno == errno.ELOOP:
        return "symbolic link; not followed"
    if error.errno == errno.ENOTDIR:
        return "not a folder"
    return f"unreadable ({error.strerror or error})"


def _write_limited(reader, target, limit, too_big):
    """Stream ``reader`` into the new file ``target``, at most ``limit`` bytes.

    ``target`` must not exist yet (``x`` mode), so nothing already there,
    link or file, is written through. A partial file is removed on any failure.

    Returns
    -------
    int
        Bytes written.
    """
    written = 0
    try:
        with open(target, "xb") as writer:
            while chunk := reader.read(CHUNK_BYTES):
                written += len(chunk)
                if written > limit:
                    raise _Skip(too_big)
                writer.write(chunk)
    except BaseException:
        Path(target).unlink(missing_ok=True)
        raise
    return written


def _swap_in(new, target):
    """Replace ``target`` (if any) with the complete copy ``new``.

    The old copy is moved aside first and put back if the swap fails, so
    the student is never left with a half copy.
    """
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    holder = Path(tempfile.mkdtemp(prefix=".collect-old-", dir=target.parent))
    try:
        os.rename(target, holder / "previous")
        try:
            os.rename(new, target)
        except BaseException:
            os.rename(holder / "previous", target)
            raise
    finally:
        shutil.rmtree(holder, ignore_errors=True)


# -- zip files -----------------------------------------------------------------

def _extract_zip(archive_path, workdir, skipped, max_file_bytes, max_total_bytes):
    """Extract the acceptable members of a zip into ``workdir``, one by one.

    ``extractall`` is not used: it would write members that are links as
    files and gives no per-member size limits nor a way to go on after a
    bad member.
    """
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise CourseError(f"{archive_path} is not a readable zip file ({error})") from None
    budget = max_total_bytes
    with archive:
        members = archive.infolist()
        for index, info in enumerate(members):
            if index >= MAX_ZIP_MEMBERS:
                skipped.append((f"{len(members) - index} more entries",
                                f"the zip has more than {MAX_ZIP_MEMBERS:,} entries"))
                break
            try:
                parts = _member_parts(info)
                if parts:
                    budget -= _extract_member(archive, info, workdir.joinpath(*parts),
                                              max_file_bytes, max_total_bytes, budget)
            except _Skip as skip:
                skipped.append((info.filename, skip.reason))


def _member_parts(info):
    """The path components to extract ``info`` to, or ``None`` for OS clutter.

    Raises
    ------
    _Skip
        A link or special file, an absolute path, ``..``, or an over-long name.
    """
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise _Skip("symbolic link in the zip; not extracted")
    # Zips made on Windows leave the Unix mode at 0: a plain file.
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise _Skip("not a regular file")
    name = info.filename.replace("\\", "/")  # some zippers write Windows separators
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        raise _Skip("absolute path; not extracted")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _Skip("'..' in the path; not extracted")
    if not parts:
        raise _Skip("empty name")
    try:
        too_long = (len(os.fsencode(name)) > MAX_PATH_BYTES
                    or any(len(os.fsencode(part)) > MAX_NAME_BYTES for part in parts))
    except UnicodeError:
        raise _Skip("name is not a valid file name") from None
    if too_long:
        raise _Skip(f"name too long (over {MAX_NAME_BYTES} bytes a part or {MAX_PATH_BYTES} in all)")
    if parts[0] in OS_CLUTTER or parts[-1] in OS_CLUTTER:
        return None
    return parts


def _extract_member(archive, info, target, max_file_bytes, max_total_bytes, budget):
    """Write one member to ``target``; returns the bytes written."""
    try:
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            return 0
        if info.file_size > max_file_bytes:
            raise _Skip(f"larger than the {max_file_bytes:,}-byte limit per file")
        if info.file_size > budget:
            raise _Skip(f"past the {max_total_bytes:,}-byte limit for the whole zip")
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(target):
            raise _Skip("duplicate entry in the zip")
        # The declared size can lie: the stream itself is cut at the limit.
        with archive.open(info) as reader:
            return _write_limited(reader, target, min(max_file_bytes, budget),
                                  "larger than its size limit once uncompressed")
    except (OSError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
            EOFError) as error:
        raise _Skip(f"could not be extracted ({type(error).__name__}: {error})") from None
