"""Review events (nnkit.judging.review): made with a Kind, carried in nbconvert's resources, written as
data and read back from a graded notebook; an unknown kind (a newer kit's) is kept as it is."""
from nnkit.judging.review import METADATA_KEY, Kind, Review, add_event, events_of, review_of


def test_an_event_made_with_a_kind_is_written_and_read_back_as_its_value():
    made = Review(Kind.TIMEOUT, "test_relu", "cut off at 60 s")
    assert made.kind == "timeout" and made.text() == "test_relu: cut off at 60 s"
    assert Review(Kind.FLAG, None, "imports torch").text() == "imports torch"
    written = [made.as_data(), {"kind": "from_a_newer_kit", "detail": 3}, "junk"]
    notebook = {"metadata": {METADATA_KEY: {"review": written}}}
    assert review_of(notebook) == [made, Review("from_a_newer_kit", None, "3")]


def test_events_gather_in_the_resources_in_order_and_reading_them_changes_nothing():
    resources = {}
    assert events_of(resources) == []
    first, second = Review(Kind.OUTPUT, "c1", "dropped"), Review(Kind.KERNEL_DIED, None, "died")
    add_event(resources, first)
    add_event(resources, second)
    events_of(resources).clear()
    assert events_of(resources) == [first, second]


def test_a_notebook_without_the_kits_metadata_has_nothing_to_review():
    assert review_of({}) == [] and review_of({"metadata": {"other": 1}}) == []
