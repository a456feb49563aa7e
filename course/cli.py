"""python -m course: the instructor's commands."""

import argparse
import sys

from course.layout import Course


def _limits(args):
    from course.contract import Limits

    return Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                  memory_mb=args.memory_mb, max_procs=args.max_procs, max_threads=args.max_threads,
                  disk_mb=args.disk_mb,
                  output_mb=args.output_mb, isolation=args.isolation, skip_demo_cells=not args.run_all_cells)


def _add_limits(parser):
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes of the local Dask cluster: submissions executed in parallel "
                             "(default 2; ignored with --scheduler)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="a running Dask scheduler (tcp://HOST:8786) whose workers execute the submissions "
                             "(README, 'Grading a large class on a cluster')")
    parser.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    parser.add_argument("--notebook-timeout", type=int, default=900, help="seconds per notebook (default 900)")
    parser.add_argument("--memory-mb", type=int, default=4096,
                        help="memory of all a submission's processes together, MB (default 4096)")
    parser.add_argument("--max-procs", type=int, default=64, help="processes per submission (default 64)")
    parser.add_argument("--max-threads", type=int, default=1024,
                        help="threads of all a submission's processes together (default 1024)")
    parser.add_argument("--disk-mb", type=int, default=512,
                        help="size of a submission's private /tmp and working folder, MB each (default 512)")
    parser.add_argument("--output-mb", type=int, default=20,
                        help="total size of a notebook's outputs kept, MB (default 20)")
    parser.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto",
                        help="sandbox: bwrap (bubblewrap), none, or auto = bwrap when installed")
    parser.add_argument("--run-all-cells", action="store_true",
                        help="also run the instructor demo cells tagged skip-when-grading (slower)")


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m course", description=(
        "Instructor tools for the course (nbgrader underneath). Typical cycle: "
        "release -> collect -> grade -> feedback -> report."))
    parser.add_argument("--root", help="course directory (default: found from the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="generate the student versions into release/")
    p.add_argument("assignments", nargs="*", help="default: all")

    p = commands.add_parser("collect", help="copy submissions from a folder or zip into submitted/")
    p.add_argument("source", help="folder or .zip: <student>/<assignment>/*.ipynb or <student>.ipynb")
    p.add_argument("assignment")

    p = commands.add_parser("grade", help="autograde submissions (sandboxed, in parallel)")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="only these students (repeatable)")
    _add_limits(p)

    p = commands.add_parser("feedback", help="HTML feedback per student (hidden tests not shown)")
    p.add_argument("assignment")
    p.add_argument("--student")
    p.add_argument("--show-hidden", action="store_true", help="include hidden tests (instructor copy)")

    p = commands.add_parser("report", help="grades.csv and an HTML report, from the gradebook")
    p.add_argument("assignments", nargs="*", help="default: all")
    p.add_argument("--csv", help="default: grades.csv in the course root")
    p.add_argument("--html", help="default: reports/grades.html")

    p = commands.add_parser("answers", help="model answers of the written questions, for TAs beside formgrader")
    p.add_argument("assignments", nargs="*", help="default: all")
    p.add_argument("--out", help="folder for answers_<assignment>.html (default: reports/)")

    p = commands.add_parser("check", help="metadata, clean sources, release in sync, no leaks")
    p.add_argument("assignments", nargs="*", help="default: all")
    p.add_argument("--no-sync", action="store_true", help="skip regenerating the release to compare")
    p.add_argument("--kit", metavar="DIR", help="check a built student kit (folder, zip or --out folder of "
                   "`kit`) instead of the course")

    p = commands.add_parser("kit", help="student kits from release/: notebooks, data, helpers wheel, "
                            "pinned requirements, README (a folder and a zip each)")
    p.add_argument("assignments", nargs="*", help="default: all (one kit each, plus one for all of them)")
    p.add_argument("--out", help="default: kits/ in the course root")

    p = commands.add_parser("export", help="LMS grade export: one row per student, one column per assignment")
    p.add_argument("assignments", nargs="*", help="default: every assignment in the gradebook")
    p.add_argument("--out", help="default: grades_lms.csv in the course root")

    p = commands.add_parser("demo", help="release, grade a demo class, feedback and report")
    p.add_argument("assignments", nargs="*", help="default: all")
    _add_limits(p)
    return parser


def main(argv=None):
    from course.layout import CourseError

    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args):
    course = Course.here(args.root)
    if args.command == "release":
        from course.release import release

        for assignment in args.assignments or course.assignments():
            for path in release(course, assignment):
                print(f"released {path.relative_to(course.root)}")
    elif args.command == "collect":
        from course.collect import collect

        result = collect(course, args.source, args.assignment)
        print(f"collected {len(result.students)} submission(s): {', '.join(result.students)}")
        for entry, reason in result.skipped:
            print(f"skipped {entry}: {reason}")
    elif args.command == "grade":
        from course.grading import grade

        outcomes = grade(course, args.assignment, students=args.student, workers=args.workers,
                         limits=_limits(args), scheduler=args.scheduler)
        for outcome in outcomes:
            extra = f": {outcome.message}" if outcome.message else ""
            print(f"{outcome.student:>24}  {outcome.status}{extra}")
    elif args.command == "feedback":
        from course.feedback import generate_feedback

        paths = generate_feedback(course, args.assignment, args.student, args.show_hidden)
        print(f"{len(paths)} feedback file(s) in {course.feedback}")
    elif args.command == "report":
        from course.report import report

        _, table = report(course, args.assignments or None, args.csv, args.html)
        print(table)
    elif args.command == "answers":
        from course.answers import write_answers

        for path in write_answers(course, args.assignments or None, args.out):
            print(f"model answers: {path}")
    elif args.command == "check":
        from course.check import check_course, check_kit

        if args.kit:
            problems = check_kit(args.kit, course)
            for problem in problems:
                print(problem)
            print("kit is clean" if not problems else f"{len(problems)} problem(s)")
            return 1 if problems else 0
        problems = check_course(course, args.assignments or None, sync=not args.no_sync)
        for problem in problems:
            print(problem)
        print("course is consistent" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    elif args.command == "kit":
        from course.kit import build_kits

        for kit in build_kits(course, args.assignments or None, args.out):
            print(f"{kit.name}: {kit.folder} and {kit.zip.name} ({', '.join(kit.assignments)})")
    elif args.command == "export":
        from course.export import export_grades

        path, rows, max_scores = export_grades(course, args.assignments or None, args.out)
        pending = sum(1 for row in rows if row["pending_manual"])
        print("maximum points: " + ", ".join(f"{name} {points:g}" for name, points in max_scores.items()))
        print(f"{len(rows)} student(s) -> {path}" + (f"; {pending} with written answers still to grade "
                                                    "(pending_manual)" if pending else ""))
    elif args.command == "demo":
        from course.demo import demo

        demo(course, args.assignments or None, workers=args.workers, limits=_limits(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
