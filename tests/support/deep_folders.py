"""A submission nested deeper than Python's recursion limit, made and removed by descriptor (no
full path: it is longer than the kernel takes in one)."""
import os
from pathlib import Path


def deep_folder(top: Path, levels: int) -> Path:
    """`top` with folders nested `levels` deep (a notebook at the top), made by descriptor: the
    path of the deepest is longer than the kernel takes in one path."""
    (top).mkdir(parents=True)
    (top / "activations.ipynb").write_text("{}")
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(levels):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return top


def remove_deep(top: Path) -> None:
    """Remove what deep_folder made (shutil.rmtree recurses too), innermost first, by descriptor."""
    fds = [os.open(top, os.O_RDONLY | os.O_DIRECTORY)]
    while "d" in os.listdir(fds[-1]):
        fds.append(os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
    os.close(fds.pop())
    while fds:
        os.rmdir("d", dir_fd=fds[-1])
        os.close(fds.pop())


DEEP = 1100  # deeper than Python's recursion limit (1000)
