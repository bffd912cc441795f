"""`python -m nnkit ARGS` is `nnkit ARGS`, for an interpreter that has the kit's packages but not the
kit installed (it imports nnkit/ from the course folder): the tests' shared grading environment.
A person types `nnkit` (.venv/bin/nnkit)."""
from nnkit import cli

if __name__ == "__main__":
    cli.main()
