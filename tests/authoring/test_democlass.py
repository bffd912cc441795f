"""The demo class (nnkit.authoring.democlass): three students' notebooks written from the release,
rewritten only when they change, and the score each must get. The committed class is what this
writes: tests/course/test_course_notebooks.py; graded: tests/e2e/test_autograde_catalogue.py; its
feedback released from formgrader: tests/e2e/test_hub.py."""
import shutil

from nnkit.authoring import democlass
from nnkit.collect.notebooks import is_answer_cell, notebook_path, read, total_points
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ID


def test_the_class_is_written_once_and_a_second_write_changes_nothing(tmp_path):
    written = democlass.write_class(tmp_path)
    assert sorted(written) == sorted(tmp_path / s / a / name for s in democlass.DEMO_STUDENTS for a in ASSIGNMENTS
                                     for name in democlass.submission_files(s, a))
    assert democlass.write_class(tmp_path) == []
    (tmp_path / "seed" / ASSIGNMENTS[0] / f"{ASSIGNMENTS[0]}.ipynb").write_text("{}")
    assert democlass.write_class(tmp_path) == [tmp_path / "seed" / ASSIGNMENTS[0] / f"{ASSIGNMENTS[0]}.ipynb"]


def test_blank_is_the_release_and_correct_answers_with_the_reference_code():
    assignment = ASSIGNMENTS[0]
    release = read(notebook_path("release", assignment))
    assert democlass.demo_notebook("blank", assignment) == release
    correct = "\n".join(c.source for c in democlass.demo_notebook("correct", assignment).cells if is_answer_cell(c))
    assert all(code in correct for code in democlass.implementations("correct", assignment).values())


def test_each_student_must_score_zero_full_marks_or_the_stated_seed_score():
    for assignment in ASSIGNMENTS:
        assert democlass.demo_score("blank", assignment) == 0
        assert democlass.demo_score("correct", assignment) == total_points(assignment)
        assert democlass.demo_score("seed", assignment) == democlass.stated_scores(assignment)["seed"]


def test_the_stated_score_is_read_from_the_assignments_demo_file(tmp_path):
    demo = democlass.demo_file("newone", tmp_path)
    demo.parent.mkdir(parents=True)
    demo.write_text(democlass.DEMO_TEMPLATE.format(seed=7.5))
    assert democlass.stated_scores("newone", tmp_path) == {"seed": 7.5}
    assert democlass.demo_last_line(12.345).startswith("done in 12.3 s")


def test_nbgraders_feedback_release_reaches_every_demo_student(tmp_path):
    """nbgrader's release_feedback reads, beside each student's feedback page, the timestamp and the
    secret its collect left in the submission (generate_feedback copies a submission's other files
    there): formgrader's "release all feedback" stopped at the demo class, which had neither."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

    assignment, course = ASSIGNMENTS[0], tmp_path / "course"
    democlass.write_class(course / "submitted", [assignment])
    for student in democlass.DEMO_STUDENTS:  # what generate_feedback writes: the page, the submission's other files
        feedback = course / "feedback" / student / assignment
        shutil.copytree(course / "submitted" / student / assignment, feedback, ignore=shutil.ignore_patterns("*.ipynb"))
        (feedback / f"{assignment}.html").write_text(f"<p>{student}'s feedback</p>")
    coursedir = CourseDirectory(root=str(course), course_id=COURSE_ID, assignment_id=assignment)
    (tmp_path / "exchange").mkdir()
    ExchangeReleaseFeedback(coursedir=coursedir, authenticator=Authenticator(), root=str(tmp_path / "exchange")).start()
    released = sorted(p.read_text() for p in (tmp_path / "exchange" / COURSE_ID / "feedback").glob("*.html"))
    assert released == sorted(f"<p>{student}'s feedback</p>" for student in democlass.DEMO_STUDENTS)
