"""Views of a graded class: the grade table, grades.csv, the report, the feedback's formulas and the
sanitizer of every page that shows student work."""
