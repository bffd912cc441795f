"""The grader's side of `gradients`: never shown to a grading kernel, never released."""
