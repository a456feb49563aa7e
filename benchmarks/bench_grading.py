"""Grading a synthetic class: serial vs a local Dask cluster, in the same run.

Builds a class of N students per assignment (the demo class's reference,
blank and variant submissions, cycled), grades it with ``--workers 1`` and
with ``--workers K`` (local Dask clusters of 1 and K processes) in two private
copies of the course, checks that the grades are identical, and prints the
speed-up, submissions per minute (and per core), where a submission's time
goes, and a projection for larger classes.

    python benchmarks/bench_grading.py [--students 40] [--workers 4] [assignment ...]
"""

import argparse
import os
import statistics
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
    """Seconds per assignment, the grades, and each submission's time split, for one way of grading."""
    course = copy_course(root, assignments)
    elapsed, scores, timings = {}, {}, {}
    for assignment in assignments:
        release(course, assignment)
        build_class(course, assignment, n_students)
        start = time.perf_counter()
        outcomes = grade(course, assignment, workers=workers, limits=Limits(), progress=False)
        elapsed[assignment] = time.perf_counter() - start
        scores[assignment] = scores_by_student(course, assignment)
        timings[assignment] = [o.timings for o in outcomes]
    return elapsed, scores, timings


# Parts of a submission's time (course.execute / course.grading timings), in pipeline order.
PARTS = [("worker_process", "worker start (fork)"), ("kernel_start", "kernel start"),
         ("grader_setup", "grader imports"), ("student_cells", "notebook's own cells"),
         ("test_cells", "test cells (grader)"), ("kernel_stop", "kernel stop"), ("other", "other"),
         ("self_check", "self-check (share)"), ("nbgrader_sanitize", "nbgrader sanitize (share)"),
         ("nbgrader_record", "nbgrader record (share)")]


def print_split(timings, run):
    """Mean seconds per submission, by part, per assignment."""
    assignments = list(timings)
    print(f"\nwhere a submission's time goes (mean seconds, {run}; 'share' = once-per-batch step / N):")
    print(f"{'part':28}" + "".join(f"{a[:14]:>15}" for a in assignments))
    totals = dict.fromkeys(assignments, 0.0)
    for key, label in PARTS:
        row = []
        for assignment in assignments:
            value = statistics.mean(t.get(key, 0.0) for t in timings[assignment])
            totals[assignment] += value
            row.append(value)
        print(f"{label:28}" + "".join(f"{v:15.2f}" for v in row))
    print(f"{'total':28}" + "".join(f"{totals[a]:15.2f}" for a in assignments))
    return totals


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
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as workdir:
        parallel_time, parallel, parallel_split = timed_grading(Path(workdir) / "parallel", assignments,
                                                                args.students, args.workers)
        if args.parallel_only:
            serial_time, serial, serial_split = parallel_time, parallel, parallel_split
        else:
            serial_time, serial, serial_split = timed_grading(Path(workdir) / "serial", assignments,
                                                              args.students, 1)
    print(f"{args.students} students x {len(assignments)} assignment(s), {cores} cores, "
          f"sandbox: {'bwrap' if shutil.which('bwrap') else 'none'}")
    print(f"{'assignment':24} {'serial s':>9} {'--workers ' + str(args.workers):>12} {'speed-up':>9} "
          f"{'subm./min':>10} {'/min/core':>10}")
    for assignment in assignments + ["TOTAL"]:
        one = sum(serial_time.values()) if assignment == "TOTAL" else serial_time[assignment]
        many = sum(parallel_time.values()) if assignment == "TOTAL" else parallel_time[assignment]
        count = total if assignment == "TOTAL" else args.students
        rate = count / many * 60
        print(f"{assignment:24} {one:9.1f} {many:12.1f} {one / many:8.2f}x {rate:10.1f} {rate / cores:10.1f}")
    print("targets: a class of 40 in <= 3.1 min with --workers 4 on 2 cores; 160 submissions in <= 5 min")
    print(f"grades identical serial and parallel: {serial == parallel}"
          + (" (serial not run: --parallel-only)" if args.parallel_only else ""))
    print_split(serial_split, "parallel run" if args.parallel_only else "serial run")
    seconds_per_core = sum(parallel_time.values()) * cores / total
    print(f"\nmeasured: {seconds_per_core:.1f} core-seconds per submission with --workers {args.workers} "
          f"(all assignments together)")
    print("projection, wall time = submissions x core-seconds / worker cores (+ one self-check per batch):")
    for students, worker_cores in ((1500, 8), (1500, 64), (6000, 64), (6000, 256)):
        print(f"  {students:>5} submissions on {worker_cores:>3} worker cores: "
              f"{students * seconds_per_core / worker_cores / 60:6.1f} min")
    shutil.rmtree(Path(workdir), ignore_errors=True)


if __name__ == "__main__":   # Dask's worker processes import this module: keep the guard
    main()
