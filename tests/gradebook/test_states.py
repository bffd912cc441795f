"""The states: the review list is one rule over them."""


from nnkit.gradebook import states
from nnkit.gradebook.states import State
from nnkit.judging import review

ASSIGNMENT = "activations"


def test_the_review_list_is_one_rule_over_the_states():
    entries = [
        states.Submission(
            "a", ASSIGNMENT, State.NOT_GRADABLE, reviews=[review.Review(review.Kind.NOT_GRADABLE, None, "x")]
        ),
        states.Submission("b", ASSIGNMENT, State.REVIEW, reviews=[review.Review(review.Kind.FLAG, None, "y")]),
        states.Submission("c", ASSIGNMENT, State.MISSING),
        states.Submission(
            "d", ASSIGNMENT, State.MISSING, reviews=[review.Review(review.Kind.MANUAL_GRADES_KEPT, None, "z")]
        ),
        states.Submission("e", ASSIGNMENT, State.UNGRADED, reviews=[review.Review(review.Kind.CHANGED, None, "w")]),
        states.Submission("f", ASSIGNMENT, State.GRADED),
    ]
    chosen = states.to_review(entries)
    assert {state: [e.student for e in group] for state, group in chosen.items()} == \
        {State.NOT_GRADABLE: ["a"], State.REVIEW: ["b"], State.MISSING: ["d"]}
    assert list(chosen) == [s for s in states.REVIEW_HEADINGS if s in chosen]
