"""The PDF documents (customer brief, handover pack) print the Persian thousands separator as
Persian readers expect: the shipped Vazirmatn draws U+066C (٬) as a Latin comma, below the
line, so the PDF takes that one character from CKMSeparator, as the app's pages do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from ckm.i18n import format_money
from ckm.services.documents import Block, render_pdf


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("poppler-utils is not installed; .ci/run installs it")
        pytest.skip("poppler-utils is not installed")
    return found


def _pdf(folder: Path, name: str, text: str, language: str = "fa") -> Path:
    path = folder / f"{name}.pdf"
    path.write_bytes(render_pdf([Block("title", text)], title=name, language=language))
    return path


def _ink(path: Path) -> tuple[int, int]:
    """The top and bottom (pixel rows, downwards) of what is printed on the first page, as
    poppler renders it."""
    subprocess.run(
        [_poppler("pdftoppm"), "-r", "150", "-png", "-singlefile", str(path), str(path)],
        check=True,
    )
    with Image.open(path.with_suffix(".pdf.png")) as image:
        box = ImageOps.invert(image.convert("L")).getbbox()
    assert box is not None, f"{path.name} prints nothing"
    return box[1], box[3]


def test_the_persian_thousands_separator_prints_high_not_as_a_comma(tmp_path: Path) -> None:
    """A Latin comma hangs below the line; the Persian separator stands in the upper half of
    the digits. "۱" (a stroke from the baseline to the digits' top) printed in the same place
    shows where the line is."""
    one_top, baseline = _ink(_pdf(tmp_path, "one", "۱"))
    separator_top, separator_bottom = _ink(_pdf(tmp_path, "separator", "٬"))
    half = (baseline - one_top) / 2
    assert separator_bottom < one_top + half, "the separator prints like a comma"
    assert separator_top > one_top - half, "the separator prints above the line"


def test_the_separator_keeps_its_character_and_other_text_keeps_vazirmatn(
    tmp_path: Path,
) -> None:
    amount = format_money(12345678, "IRR", "fa")
    path = _pdf(tmp_path, "amount", f"درآمد {amount}")
    text = subprocess.run(
        [_poppler("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "۱۲٬۳۴۵٬۶۷۸" in text  # copied or searched, it is still U+066C
    fonts = subprocess.run(
        [_poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Vazirmatn" in fonts and "CKMSeparator" in fonts  # the words stay in Vazirmatn
    # An English document has no such separator and embeds no extra face.
    english = _pdf(tmp_path, "english", format_money(12345678, "IRR", "en"), language="en")
    fonts = subprocess.run(
        [_poppler("pdffonts"), str(english)], capture_output=True, text=True, check=True
    ).stdout
    assert "Vazirmatn" in fonts and "CKMSeparator" not in fonts
