"""The course's assignments, one folder each (course.toml lists them in order; docs/authoring.md
says how to add one):

- `<name>/cases.py`, the kernel side: the hidden-test cases (inputs, descriptions, hints), the only
  part a grading kernel sees;
- `<name>/key/`, the grader side: `solution.py` (the reference answers), `reference.py` (which
  reference grades which function, the torch cross-check, the views the mutation report plays the
  student with), `torch_results.npz` (torch's stored results), `equivalent_mutants.toml`.

The source notebook stays in source/<name>/ (nbgrader's layout; every other file there would be
copied into the release and into each graded copy).
"""
