"""What kind of file this is: spreadsheet or text, which encoding, which delimiter.

Order of evidence for text (every step can be overridden by the user): a byte order mark;
then strict UTF-8; then a detector (charset-normalizer) on a sample, with a preference for
Windows-1256 when the text reads as Persian (what Persian Windows and older Excel write);
finally the whole file is decoded strictly with the chosen encoding, so a file that would
fail half-way is refused before a single row is read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer

from ckm.services.errors import ValidationFailed

SAMPLE_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
DELIMITERS = [",", ";", "\t", "|", "؛"]
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1256", "windows-1252", "iso-8859-1")
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls and other Office binaries


class FileRejected(ValidationFailed):
    """The whole file cannot be imported as it is; nothing was written."""


@dataclass(frozen=True)
class FileInfo:
    """What sniffing found; `encoding_reason` is an i18n key saying how it was decided."""

    path: Path
    format: str  # "csv" or "xlsx"
    size: int
    sha256: str
    encoding: str | None = None
    encoding_reason: str = ""
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes or many control bytes, and not UTF-16 (whose ASCII has NULs in between)."""
    if not sample:
        return False
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > len(sample) // 100 + 1


def _utf16_without_bom(sample: bytes) -> str | None:
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if len(sample) >= 4 and even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def _decodes(sample: bytes, encoding: str) -> bool:
    """Strict decode of a sample that may end in the middle of a character."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _persian_share(text: str) -> float:
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for char in letters if "\u0600" <= char <= "\u06ff") / len(letters)


def detect_encoding(sample: bytes) -> tuple[str, str]:
    """(encoding, reason key) for a text sample."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "import.encoding.bom"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "import.encoding.bom"
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16, "import.encoding.utf16"
    if _decodes(sample, "utf-8"):
        return "utf-8", "import.encoding.utf8"
    guess = charset_normalizer.from_bytes(sample).best()
    detected = guess.encoding if guess else None
    if _decodes(sample, "cp1256") and _persian_share(sample.decode("cp1256", "replace")) > 0.5:
        # Persian Windows exports: the detector sometimes says another Arabic-script code page.
        return "cp1256", "import.encoding.persian_windows"
    if detected:
        return detected, "import.encoding.detected"
    raise FileRejected("import.file.encoding_unknown")


def check_decodes(path: Path, encoding: str) -> None:
    """Decode the whole file strictly; refuse it with the line of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    chunk = b""
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                line += decoder.decode(chunk).count("\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as problem:
            # Count the lines of the chunk up to the bad byte, so the user can find it.
            line += chunk[: problem.start].decode(encoding, "replace").count("\n")
            raise FileRejected(
                "import.file.encoding_failed", encoding=encoding, line=line
            ) from None
        except LookupError:
            raise FileRejected("import.file.encoding_unknown") from None


def detect_delimiter(text_sample: str) -> str:
    lines = [line for line in text_sample.splitlines() if line.strip()][:50]
    if not lines:
        raise FileRejected("import.file.empty")
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {delimiter: lines[0].count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def _xlsx_sheets(path: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRejected("import.file.xlsx_broken") from None
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def sniff(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> FileInfo:
    """Look at a file and say how to read it; `encoding`/`delimiter` override the guesses."""
    size = path.stat().st_size
    if size == 0:
        raise FileRejected("import.file.empty")
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    digest = file_hash(path)
    if sample.startswith(_XLSX_MAGIC):
        return FileInfo(path, "xlsx", size, digest, sheets=_xlsx_sheets(path))
    if sample.startswith(_OLE_MAGIC):
        raise FileRejected("import.file.old_excel")
    if encoding:
        reason = "import.encoding.chosen"
    else:
        if (
            _looks_binary(sample)
            and not _utf16_without_bom(sample)
            and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        ):
            raise FileRejected("import.file.binary")
        encoding, reason = detect_encoding(sample)
    check_decodes(path, encoding)
    text = codecs.getincrementaldecoder(encoding)("replace").decode(sample, final=False)
    if _looks_binary(text.encode("utf-8", "replace")[:SAMPLE_BYTES]):
        raise FileRejected("import.file.binary")
    chosen = delimiter or detect_delimiter(text.lstrip("\ufeff"))
    return FileInfo(path, "csv", size, digest, encoding, reason, chosen)
