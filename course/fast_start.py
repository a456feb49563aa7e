"""Shorter start-up for the grader's short-lived processes.

``jsonschema`` imports the optional ``rfc3987_syntax`` package (pulled in by
jupyter-events) and that package compiles a lark grammar at import time:
about 0.8 s in every process that imports ``nbformat``, which is every
nbgrader run and every grading worker. Neither nbformat nor nbgrader checks
IRI formats, so these processes mark the module as absent; jsonschema then
simply leaves that format unchecked.

    python -m course.fast_start nbgrader autograde ...   # nbgrader, minus 0.8 s
    python -m course.fast_start execute ...              # a grading worker (course.execute)
    python -m course.fast_start forkserver               # forks grading workers (course.forkserver)
"""

import sys


def skip_slow_optional_imports():
    """Make ``import rfc3987_syntax`` fail fast (call before importing nbformat)."""
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("nbgrader", "execute", "forkserver"):
        raise SystemExit("usage: python -m course.fast_start {nbgrader,execute,forkserver} [arguments]")
    skip_slow_optional_imports()
    if argv[0] == "forkserver":
        from course.forkserver import serve

        return serve()
    if argv[0] == "execute":
        from course.execute import main as execute_main

        return execute_main(argv[1:])
    from nbgrader.apps.nbgraderapp import main as nbgrader_main

    sys.argv = ["nbgrader", *argv[1:]]
    return nbgrader_main()


if __name__ == "__main__":
    raise SystemExit(main())
