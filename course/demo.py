"""The instructor demo: release, grade a small class, feedback, grades."""

from course import classroom
from course.feedback import generate_feedback
from course.grading import grade
from course.release import release
from course.report import report


def demo(course, assignments=None, workers=2, limits=None, log=print):
    """Run the whole cycle on the demo class of each assignment."""
    assignments = assignments or course.assignments()
    for assignment in assignments:
        log(f"==> {assignment}: releasing the student version")
        release(course, assignment)
        students = classroom.write_class(course, assignment)
        log(f"==> {assignment}: grading {len(students)} submissions "
            "(reference, blank, and one per plausible mistake)")
        grade(course, assignment, students=students, workers=workers, limits=limits)
        log(f"==> {assignment}: writing feedback")
        generate_feedback(course, assignment)
    results, table = report(course, assignments)
    log(table)
    log(f"\ngrades.csv: {course.root / 'grades.csv'}")
    log(f"report:     {course.root / 'reports' / 'grades.html'}")
    log(f"feedback:   {course.feedback}/<student>/<assignment>/*.html")
    return results
