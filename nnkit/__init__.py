"""nnkit, the grading kit. A submission's path, package by package: collect -> sandbox (the kernel
side runs inside it) -> execution -> judging -> gradebook -> batch -> views; authoring builds the
course (docs/contributors.md draws it)."""
