"""The course as course.toml states it (nnkit.kernel.config): its assignments in order, and one being
added (LISTED, not yet in ASSIGNMENTS) named with what it still lacks."""
import tomllib

from nnkit.kernel import config


def test_the_course_is_read_from_course_toml_in_its_order():
    stated = tomllib.loads(config.COURSE_FILE.read_text())
    assert config.COURSE_FILE == config.COURSE_ROOT / "course.toml" and (config.COURSE_ROOT / "nnkit").is_dir()
    assert config.LISTED == tuple(stated["assignments"]) and config.COURSE_ID == stated["id"]
    assert config.ASSIGNMENTS == tuple(a for a in config.LISTED if not config.missing_parts(a))


def test_an_assignment_is_missing_each_part_it_does_not_have_yet(tmp_path):
    assert config.missing_parts("newone", tmp_path) == [p.format(name="newone") for p in config.PARTS]
    (tmp_path / "assignments" / "newone").mkdir(parents=True)
    (tmp_path / "assignments" / "newone" / "cases.py").write_text("")
    assert "assignments/newone/cases.py" not in config.missing_parts("newone", tmp_path)
    assert len(config.missing_parts("newone", tmp_path)) == len(config.PARTS) - 1
