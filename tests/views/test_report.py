"""The report: written in the autograded folder the course config names."""


from nnkit.collect import paths

ASSIGNMENT = "activations"


def test_the_report_is_written_in_the_autograded_folder_the_course_config_names(tmp_path, monkeypatch):
    from nnkit.views import report

    (tmp_path / paths.CONFIG_FILE).write_text("c = get_config()\nc.CourseDirectory.autograded_directory = 'graded'\n")
    monkeypatch.setattr(report, "build", lambda *args: "<p>report</p>")
    written = report.write(tmp_path, [ASSIGNMENT], [])
    assert written == tmp_path / "graded" / paths.REPORT_FILE and written.read_text() == "<p>report</p>"
    assert not (tmp_path / "autograded").exists()
