"""The batch (`make grade`): the class prepared, its submissions graded by supervised workers, the
summary; and the self-check, a learner's notebook graded the same way."""
