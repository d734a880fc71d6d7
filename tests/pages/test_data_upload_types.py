"""Data page: macro-enabled and old Excel uploads, and the status line when
the chosen table type misses required columns."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile

from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT
from tests.pages.conftest import APP

XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
XLS = "application/vnd.ms-excel"
# The signature that starts every OLE2 compound file, the container of
# Excel 97-2003 workbooks and of password-protected XLSX files.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLS_MESSAGE = (
    "deals.xls: this is an old Excel 97-2003 workbook (.xls), a format the app "
    "cannot read; open it in Excel or LibreOffice and save it as .xlsx or CSV"
)


def _macro_workbook() -> bytes:
    """Return a workbook with two sheets of deals in the .xlsm format.

    openpyxl writes the XLSX parts. The macro-enabled content type of the
    workbook part and a VBA project part with its relationship turn them
    into an .xlsm file, as Excel saves one.
    """
    book = Workbook()
    deals = book.active
    deals.title = "Deals"
    deals.append(["Deal ID", "Deal Stage", "Create Date", "Amount"])
    deals.append(["D1", "Closed Won", "2024-01-02", 100])
    deals.append(["D2", "Closed Lost", "2024-01-03", 50])
    archive = book.create_sheet("Archive")
    archive.append(["Deal ID", "Deal Stage", "Create Date", "Amount"])
    archive.append(["A1", "Closed Won", "2023-05-02", 70])
    buffer = io.BytesIO()
    book.save(buffer)

    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as macro:
        for name in source.namelist():
            content = source.read(name)
            if name == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument."
                    b"spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"<Default ",
                    b'<Default Extension="bin" '
                    b'ContentType="application/vnd.ms-office.vbaProject"/><Default ',
                    1,
                )
            elif name == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/'
                    b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                    b"</Relationships>",
                )
            macro.writestr(name, content)
        # Excel stores the macros as an OLE2 file. The reader never opens it.
        macro.writestr("xl/vbaProject.bin", OLE2_SIGNATURE + b"\x00" * 504)
    return result.getvalue()


def _upload(name: str, data: bytes, mime: str) -> tuple[AppTest, str]:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, mime)]).run()
    return at, hashlib.sha256(data).hexdigest()[:16]


def test_xlsm_upload_read_as_workbook():
    data = _macro_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/vbaProject.bin" in archive.namelist()
    at, key = _upload("deals.xlsm", data, XLSM)
    assert not at.exception
    assert not at.error
    sheet = at.selectbox(key=f"{key}:sheet")
    assert sheet.options == ["Deals", "Archive"]
    assert sheet.value == "Deals"
    assert at.selectbox(key=f"{key}:table").value == "deals"
    assert at.status[0].label == "Read and checked 2 rows: 2 kept"


def test_xls_upload_names_conversion():
    # No writer of the old binary format is installed, so the file is a
    # 512-byte OLE2 header of the signature and zeros. The reader tells the
    # format from the signature alone.
    data = OLE2_SIGNATURE + b"\x00" * 504
    at, _ = _upload("deals.xls", data, XLS)
    assert not at.exception
    assert at.status[0].label == "The file could not be read"
    assert [error.value for error in at.error] == [XLS_MESSAGE]


def test_xls_message_same_on_command_line(tmp_path):
    path = tmp_path / "deals.xls"
    path.write_bytes(OLE2_SIGNATURE + b"\x00" * 504)
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr == f"error: {XLS_MESSAGE}\n"


def test_protected_xlsm_named_as_protected():
    # A password-protected workbook is an OLE2 file whose directory names
    # the streams "EncryptionInfo" and "EncryptedPackage" in UTF-16LE.
    directory = b"".join(
        name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64
        for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage")
    )
    data = OLE2_SIGNATURE + b"\x00" * 504 + directory
    at, _ = _upload("budget.xlsm", data, XLSM)
    assert not at.exception
    assert [error.value for error in at.error] == [
        "budget.xlsm: the workbook is protected with a password, so it cannot be "
        "read; open it in Excel, remove the password and save it again, or save it "
        "as CSV"
    ]


def test_status_names_missing_columns():
    # A bank marketing file has none of the columns a deals table needs.
    bank = (
        b"age;job;marital;balance;y\n"
        b"30;admin.;married;1787;no\n"
        b"33;services;single;4789;yes\n"
    )
    at, key = _upload("bank.csv", bank, "text/csv")
    at.selectbox(key=f"{key}:table").set_value("deals").run()
    assert not at.exception
    assert at.status[0].label == "Required columns are missing"
    assert at.status[0].state == "error"
    assert "no column found for Stage" in at.error[0].value
    # Five amounts of which none is a number: the values were checked.
    rows = b"".join(b"%d,Closed won,2024-01-0%d,abc\n" % (i, i) for i in range(1, 6))
    deals = b"Record ID,Deal Stage,Create Date,Amount\n" + rows
    at, _ = _upload("deals.csv", deals, "text/csv")
    assert not at.exception
    assert at.status[0].label == "The values could not be used"
    assert "no filled cell of this column can be used as Amount" in at.error[0].value
