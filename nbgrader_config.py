"""nbgrader configuration: the repository root is the course directory."""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = root
c.CourseDirectory.course_id = "neural-data-analysis"
# SQLite by default; point COURSE_DB_URL at PostgreSQL for several TAs grading at once
# (e.g. postgresql://grader@dbhost/nda), see README.
c.CourseDirectory.db_url = os.environ.get("COURSE_DB_URL", f"sqlite:///{os.path.join(root, 'gradebook.db')}")

# nbgrader's exchange (the JupyterHub path, README): COURSE_EXCHANGE (e.g. /srv/nbgrader/exchange),
# or a line `c.Exchange.root = ...` added at the end of this file. Without either, a folder inside
# the course: formgrader's Manage Assignments page then shows no warning that release and collect
# are unavailable (the LMS path releases and collects with `course`, not through an exchange).
c.Exchange.root = os.environ.get("COURSE_EXCHANGE") or os.path.join(root, "exchange")
try:
    os.makedirs(c.Exchange.root, exist_ok=True)
except OSError:     # a shared exchange the hub's administrator creates (README)
    pass

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Per-cell time limit while autograding (seconds); the course CLI adds per-notebook
# and memory limits on top.
c.Execute.timeout = 120
c.Execute.allow_errors = True
