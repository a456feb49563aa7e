"""The gradebook on PostgreSQL, as several TAs would share it (COURSE_DB_URL).

A throwaway PostgreSQL cluster listens on a Unix socket only; a class is
graded into it and must get exactly the grades it gets with SQLite.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile

import pytest

from conftest import copy_course, scores_by_student


def _postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or ([shutil.which("initdb")] if shutil.which("initdb") else [])
    return os.path.dirname(found[-1]) if found else None


PG_BIN = _postgres_bin()
pytestmark = [pytest.mark.skipif(PG_BIN is None, reason="needs PostgreSQL (apt-get install postgresql)"),
              pytest.mark.grading]


@pytest.fixture(scope="module")
def postgres_url():
    base = tempfile.mkdtemp(prefix="course-pg-")
    run_as = []
    if os.geteuid() == 0:      # initdb and postgres refuse to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a 'postgres' user")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, log = os.path.join(base, "data"), os.path.join(base, "server.log")

    def pg(tool, *args):
        return subprocess.run([*run_as, os.path.join(PG_BIN, tool), *args], check=True, capture_output=True, text=True)

    pg("initdb", "-D", data, "-U", "grader", "--auth=trust", "-E", "UTF8")
    pg("pg_ctl", "-D", data, "-w", "-l", log, "-o", f"-k {base} -p 5433 -c listen_addresses=''", "start")
    try:
        pg("createdb", "-h", base, "-p", "5433", "-U", "grader", "nda")
        yield f"postgresql+psycopg://grader@/nda?host={base}&port=5433"
    finally:
        subprocess.run([*run_as, os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_a_class_graded_into_postgresql_gets_the_same_grades_as_with_sqlite(postgres_url, graded_class, tmp_path,
                                                                            monkeypatch):
    from nbgrader.api import Gradebook

    from course.grading import Limits, grade
    from course.release import release
    from course.report import report

    from oracle_keeper import STUDENT

    sqlite_course, sqlite_scores, _, members = graded_class("correlations")
    sqlite_scores = {student: scores for student, scores in sqlite_scores.items() if student != STUDENT}
    monkeypatch.setenv("COURSE_DB_URL", postgres_url)

    # TA 1 releases and grades the whole class from their copy of the course
    first = copy_course(tmp_path / "ta1", ["correlations"])
    release(first, "correlations")
    shutil.copytree(sqlite_course.submitted, first.submitted)
    grade(first, "correlations", students=sorted(members), workers=2, limits=Limits(), progress=False)
    assert not (first.root / "gradebook.db").exists()
    assert scores_by_student(first, "correlations") == sqlite_scores

    # TA 2, on another machine (another copy), regrades one student into the same database
    second = copy_course(tmp_path / "ta2", ["correlations"])
    student = sorted(members)[0]
    shutil.copytree(sqlite_course.submitted / student, second.submitted / student)
    grade(second, "correlations", students=[student], workers=1, limits=Limits(), progress=False)
    assert scores_by_student(second, "correlations") == sqlite_scores
    with Gradebook(postgres_url) as gradebook:
        assert gradebook.db.bind.dialect.name == "postgresql"
        assert sorted(s.id for s in gradebook.students) == sorted(members)

    # the report (checked against `nbgrader export`) reads PostgreSQL
    results, _ = report(first, ["correlations"], csv_path=tmp_path / "grades.csv", html_path=tmp_path / "grades.html")
    assert {r.student for r in results} == set(members)
    assert all(student in (tmp_path / "grades.csv").read_text() for student in members)
