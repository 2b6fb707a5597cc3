"""Sniffing and reading real-looking exports: cp1256 from Persian Windows, UTF-16 from Excel,
UTF-8 with and without BOM, odd delimiters, broken and binary files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ckm.services.importing import FileRejected, Kind, sniff, suggest_mapping
from ckm.services.importing.reading import open_table, preview

PERSIAN = (
    "کد مشتری,نام,تلفن,شهر\n"
    "CRM-1,شرکت فولاد مبارکه,09123456789,اصفهان\n"
    "CRM-2,کیان یکتا,09121111111,تهران\n"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_persian_windows_cp1256_export(tmp_path: Path) -> None:
    # Persian Windows writes Arabic ي/ك (cp1256 has no Persian ی) and ASCII digits.
    data = PERSIAN.replace("ی", "ي").encode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    info = sniff(_write(tmp_path, "crm.csv", data))
    assert (info.encoding, info.encoding_reason) == ("cp1256", "import.encoding.persian_windows")
    headers, rows = preview(info)
    assert headers == ["کد مشتري", "نام", "تلفن", "شهر"]
    assert rows[0][1] == "شرکت فولاد مبارکه".replace("ی", "ي")


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_LE + PERSIAN.replace(",", "\t").replace("\n", "\r\n").encode(
        "utf-16-le"
    )
    info = sniff(_write(tmp_path, "excel.txt", data))
    assert info.encoding == "utf-16"
    assert info.delimiter == "\t"
    headers, rows = preview(info)
    assert headers[1] == "نام" and rows[1][1] == "کیان یکتا"


def test_utf16_without_bom(tmp_path: Path) -> None:
    info = sniff(_write(tmp_path, "x.csv", PERSIAN.encode("utf-16-le")))
    assert info.encoding == "utf-16-le"


def test_utf8_with_bom_and_semicolons(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + PERSIAN.replace(",", ";").encode()
    info = sniff(_write(tmp_path, "x.csv", data))
    assert (info.encoding, info.delimiter) == ("utf-8-sig", ";")
    headers, _rows = preview(info)
    assert headers[0] == "کد مشتری"  # no BOM glued to the first header


def test_encoding_override_and_a_wrong_choice(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", PERSIAN.encode("utf-8"))
    assert sniff(path, encoding="utf-8").encoding_reason == "import.encoding.chosen"
    with pytest.raises(FileRejected) as problem:
        sniff(path, encoding="ascii")
    assert problem.value.key == "import.file.encoding_failed"
    assert problem.value.values["line"] == 1


def test_a_bad_byte_late_in_a_utf8_file_is_refused_before_reading(tmp_path: Path) -> None:
    body = PERSIAN.encode() + b"".join(b"CRM-%d,name,0912,city\n" % i for i in range(3, 5000))
    path = _write(tmp_path, "x.csv", body + b"CRM-9,\xff\xfe broken\n")
    # The sample is clean UTF-8; the strict full decode finds the bad byte at the end.
    with pytest.raises(FileRejected) as problem:
        sniff(path, encoding="utf-8")
    assert problem.value.key == "import.file.encoding_failed"
    assert problem.value.values["line"] > 4000


def test_binary_file_renamed_csv(tmp_path: Path) -> None:
    path = _write(tmp_path, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with pytest.raises(FileRejected) as problem:
        sniff(path)
    assert problem.value.key == "import.file.binary"


def test_empty_and_old_excel_files(tmp_path: Path) -> None:
    with pytest.raises(FileRejected) as problem:
        sniff(_write(tmp_path, "e.csv", b""))
    assert problem.value.key == "import.file.empty"
    with pytest.raises(FileRejected) as problem:
        sniff(_write(tmp_path, "old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600))
    assert problem.value.key == "import.file.old_excel"


def test_line_numbers_are_those_of_the_original_file(tmp_path: Path) -> None:
    text = 'id,name,note\n1,a,x\n\n2,b,"two\nlines"\n3,c,y\n'
    info = sniff(_write(tmp_path, "x.csv", text.encode()))
    table = open_table(info)
    assert [line for line, _values in table.rows] == [2, 4, 6]


def test_unclosed_quote_names_the_line(tmp_path: Path) -> None:
    text = 'id,name\n1,a\n2,"b\n' + "3,c\n" * 10
    info = sniff(_write(tmp_path, "x.csv", text.encode()), delimiter=",")
    table = open_table(info)
    with pytest.raises(FileRejected) as problem:
        list(table.rows)
    assert problem.value.key == "import.file.csv_broken"
    assert problem.value.values["line"] == 3


def test_duplicated_headers_are_numbered_and_reported(tmp_path: Path) -> None:
    info = sniff(_write(tmp_path, "x.csv", b"name,phone,phone,\nA,1,2,3\n"))
    table = open_table(info)
    assert table.headers == ["name", "phone", "phone (2)", "#4"]
    assert table.warnings == [("import.warning.header_repeated", {"header": "phone"})]


def test_mapping_suggestions_from_persian_and_english_headers() -> None:
    headers = [
        "کد مشتري",
        "نام شرکت",
        "شماره تماس",
        "ايميل",
        "شهر",
        "کد ملی",
        "رنگ محبوب",
        "Postal Code",
    ]
    assert suggest_mapping(Kind.CUSTOMERS, headers) == {
        "کد مشتري": "external_id",
        "نام شرکت": "name",
        "شماره تماس": "phone",
        "ايميل": "email",
        "شهر": "city",
        "کد ملی": "national_id",
        "رنگ محبوب": "custom:رنگ محبوب",
        "Postal Code": "postal_code",
    }
    orders = suggest_mapping(
        Kind.ORDERS, ["شماره فاکتور", "کد مشتری", "تاریخ", "مبلغ", "کالا", "Remarks"]
    )
    assert orders == {
        "شماره فاکتور": "external_id",
        "کد مشتری": "customer_ref",
        "تاریخ": "ordered_on",
        "مبلغ": "amount",
        "کالا": "product",
        "Remarks": "",
    }


def test_the_error_files_own_columns_are_not_mapped() -> None:
    mapping = suggest_mapping(
        Kind.CUSTOMERS, ["name", "email", "line", "column", "problem", "سطر", "مشکل"]
    )
    assert [header for header, target in mapping.items() if target] == ["name", "email"]
