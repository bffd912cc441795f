"""Every limit once (nnkit.kernel.limits): each a positive number with its comment, listed by as_dict,
and the kernel's start-up line imports the recorder and applies the memory limit."""
import ast
import inspect
import subprocess
import sys

from nnkit.kernel import limits
from nnkit.kernel.config import COURSE_ROOT


def test_every_limit_is_a_positive_number_with_a_comment_beside_it():
    source = inspect.getsource(limits).splitlines()
    names = {node.targets[0].id: node.lineno for node in ast.parse("\n".join(source)).body
             if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    numbers = limits.as_dict()
    assert numbers and set(numbers) <= set(names) and all(value > 0 for value in numbers.values())
    uncommented = [name for name in numbers if "#" not in source[names[name] - 1]]
    assert not uncommented, f"limits without a comment beside their value: {uncommented}"


def test_the_kernels_start_up_binds_the_recorder_and_caps_its_memory():
    code = (f"{limits.KERNEL_STARTUP}\nimport resource, sys\n"
            "print(resource.getrlimit(resource.RLIMIT_DATA)[0], 'nnkit.kernel.record' in sys.modules, dir())")
    out = subprocess.run([sys.executable, "-c", code], cwd=COURSE_ROOT, capture_output=True, text=True, check=True)
    data, imported, names = out.stdout.split(" ", 2)
    assert int(data) == limits.KERNEL_MEMORY_BYTES and imported == "True"
    assert "'nnkit'" not in names and "'limits'" not in names  # it binds no name a student sees
