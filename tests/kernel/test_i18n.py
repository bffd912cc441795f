"""A Chinese edition (or any other) from the same source: every text a student reads from the grader
is marked for translation and extracted by Babel, and a compiled catalog translates the verdicts."""
import gettext
import subprocess
import sys
from pathlib import Path

import numpy as np
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from nnkit.judging.judge import judge
from nnkit.kernel import i18n
from nnkit.kernel.config import COURSE_ROOT
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.record import run_case

PYBABEL = Path(sys.executable).parent / "pybabel"


def extracted(tmp_path) -> Catalog:
    template = tmp_path / "nnkit.pot"
    result = subprocess.run([str(PYBABEL), "extract", "-F", "babel.cfg", "-o", str(template), "."],
                            cwd=COURSE_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with open(template, "rb") as f:
        return read_po(f)


def test_every_case_s_description_and_hint_and_the_judge_s_messages_are_extracted(tmp_path):
    ids = {message.id for message in extracted(tmp_path) if message.id}
    texts = {c.what for c in CASES.values()} | {h for c in CASES.values() for h in c.hints.values()}
    assert texts <= ids, sorted(texts - ids)[:5]
    assert {"passed", "your function raised {kind}: {message}", "{label}: wrong shape: expected {want}, got {got}",
            "Hint: {hint}"} <= ids


def test_a_compiled_catalog_translates_what_a_student_reads(tmp_path, monkeypatch):
    case = CASES["relu_mnist"]
    catalog = Catalog(locale="zh_CN", domain=i18n.DOMAIN)
    catalog.add("passed", "通过")
    catalog.add(case.what, "一批平移到 [-0.5, 0.5] 的 MNIST 数字，形状 (6, 1, 28, 28)")
    catalog.add("{label}: wrong shape: expected {want}, got {got}", "{label}：形状错误：应为 {want}，实为 {got}")
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / f"{i18n.DOMAIN}.mo", "wb") as f:
        write_mo(f, catalog)
    zh = gettext.translation(i18n.DOMAIN, localedir=str(tmp_path), languages=["zh_CN"])
    monkeypatch.setattr(i18n, "translation", lambda language="zh_CN": zh)

    right = judge(run_case("relu_mnist", lambda x: np.maximum(x, 0)))
    assert right.passed and right.message.startswith("relu: 一批平移到") and "通过" in right.message, right.message
    wrong = judge(run_case("relu_mnist", lambda x: np.maximum(x, 0)[:1]))
    assert not wrong.passed and "形状错误" in wrong.message, wrong.message


def test_without_a_catalog_the_texts_stay_as_written():
    assert i18n.translation("xx").gettext("passed") == "passed"
