"""Grading a synthetic class: serial vs parallel workers, in the same run.

Builds a class of N students per assignment (the demo class's reference,
blank and variant submissions, cycled), grades it with ``--workers 1`` and
with ``--workers K`` in two private copies of the course, checks that the
grades are identical, and prints the speed-up and students per minute.

    python benchmarks/bench_grading.py [--students 40] [--workers 4] [assignment ...]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from conftest import copy_course, scores_by_student  # noqa: E402
from course import classroom  # noqa: E402
from course import notebooks as nbtools  # noqa: E402
from course.grading import Limits, grade  # noqa: E402
from course.layout import Course  # noqa: E402
from course.release import release  # noqa: E402


def build_class(course, assignment, n_students):
    base = classroom.class_submissions(course, assignment)
    kinds = sorted(base)
    for index in range(n_students):
        kind = kinds[index % len(kinds)]
        folder = course.submitted / f"s{index:03d}_{kind}" / assignment
        folder.mkdir(parents=True)
        for name, notebook in base[kind].items():
            nbtools.write(notebook, folder / name)


def timed_grading(root, assignments, n_students, workers):
    """Seconds per assignment and the grades, for one way of grading."""
    course = copy_course(root, assignments)
    elapsed, scores = {}, {}
    for assignment in assignments:
        release(course, assignment)
        build_class(course, assignment, n_students)
        start = time.perf_counter()
        grade(course, assignment, workers=workers, limits=Limits(), progress=False)
        elapsed[assignment] = time.perf_counter() - start
        scores[assignment] = scores_by_student(course, assignment)
    return elapsed, scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--parallel-only", action="store_true",
                        help="skip the serial baseline (the per-class times only)")
    args = parser.parse_args()
    assignments = args.assignments or Course(REPO).assignments()
    total = args.students * len(assignments)
    with tempfile.TemporaryDirectory() as workdir:
        parallel_time, parallel = timed_grading(Path(workdir) / "parallel", assignments, args.students,
                                                args.workers)
        if args.parallel_only:
            serial_time, serial = parallel_time, parallel
        else:
            serial_time, serial = timed_grading(Path(workdir) / "serial", assignments, args.students, 1)
    print(f"{args.students} students x {len(assignments)} assignment(s), {os.cpu_count()} cores, "
          f"sandbox: {'bwrap' if shutil.which('bwrap') else 'none'}")
    print(f"{'assignment':24} {'serial s':>9} {'--workers ' + str(args.workers):>12} {'speed-up':>9} "
          f"{'students/min':>13}")
    for assignment in assignments + ["TOTAL"]:
        one = sum(serial_time.values()) if assignment == "TOTAL" else serial_time[assignment]
        many = sum(parallel_time.values()) if assignment == "TOTAL" else parallel_time[assignment]
        count = total if assignment == "TOTAL" else args.students
        print(f"{assignment:24} {one:9.1f} {many:12.1f} {one / many:8.2f}x {count / many * 60:13.1f}")
    print("targets: speed-up >= 1.8x on 2 cores; a class graded in <= 5 minutes")
    print(f"grades identical serial and parallel: {serial == parallel}"
          + (" (serial not run: --parallel-only)" if args.parallel_only else ""))
    shutil.rmtree(Path(workdir), ignore_errors=True)


if __name__ == "__main__":
    main()
