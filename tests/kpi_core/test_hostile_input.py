"""Hostile and broken uploads: bombs, huge lines and columns, path tricks,
formula cells in downloads, and a crash while a table is stored.

The cases that cost gigabytes or could abort the interpreter run in a
subprocess, so a regression fails one test instead of the whole run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.errors import InvalidSettingError, UnreadableFileError
from kpi_core.exporting import FORMULA_STARTS, safe_csv
from kpi_core.importing import preview_file
from kpi_core.mapping import Mapping
from kpi_core.reading import MAX_UPLOAD_BYTES, read_table
from kpi_core.schema import normalise_header
from kpi_core.sheet_cells import scan_cells
from kpi_core.stages import stage_property_columns
from kpi_core.workbook import MAX_SHEETS
from kpi_core.workbook_checks import formulas_without_results
from kpi_core.workspace import Workspace
from tests.conftest import PROJECT

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006"
SHEET_MEMBER = "xl/worksheets/sheet1.xml"
SMALL_SHEET = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Amount</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>D-1</t></is></c>'
    '<c r="B2"><v>1200.5</v></c></row>'
)
MAPPING = Mapping("deals", {"deal_id": "Record ID", "stage": "Deal Stage"})


def workbook_xml(sheet_name: str = "Deals", doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
        f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def sheet_xml(rows: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'
    )


def xlsx_parts(sheet: str, workbook: str | None = None) -> dict[str, str]:
    """Return the members of a minimal one-sheet workbook with inline strings."""
    return {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PACKAGE_NS}/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension='
            '"xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
            f'"{PACKAGE_NS}/relationships"><Relationship Id="rId1" Type="{REL_NS}'
            '/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": workbook or workbook_xml(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
            f'"{PACKAGE_NS}/relationships"><Relationship Id="rId1" Type="{REL_NS}'
            '/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        SHEET_MEMBER: sheet,
    }


def zip_bytes(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def forge_size(data: bytes, member: str, size: int) -> bytes:
    """Overwrite the uncompressed size a zip declares for ``member``, in the
    local header and the central directory alike."""
    patched = bytearray(data)
    name = member.encode()
    # (signature, offset of the name-length field, of the name, of the size)
    for signature, length_at, name_at, size_at in (
        (b"PK\x03\x04", 26, 30, 22),
        (b"PK\x01\x02", 28, 46, 24),
    ):
        position = patched.find(signature)
        while position >= 0:
            length = struct.unpack_from("<H", patched, position + length_at)[0]
            start = position + name_at
            if bytes(patched[start : start + length]) == name:
                struct.pack_into("<I", patched, position + size_at, size)
            position = patched.find(signature, position + 4)
    return bytes(patched)


# A child that reads one file and prints how read_table ended, how long it
# took and how much its peak memory grew. VmHWM is the peak resident size.
_MEASURED_READ = """
    import json, sys, time
    from pathlib import Path
    from kpi_core.errors import InputError
    from kpi_core.reading import read_table

    def peak_mb():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    path = Path(sys.argv[1])
    data = path.read_bytes()
    before = peak_mb()
    started = time.perf_counter()
    try:
        raw = read_table(path.name, data)
        outcome = {"ok": list(raw.frame.shape)}
    except InputError as error:
        outcome = {"error": type(error).__name__, "message": str(error)}
    outcome["seconds"] = time.perf_counter() - started
    outcome["added_mb"] = peak_mb() - before
    print(json.dumps(outcome))
"""


def _measured_read(path: Path, memory_limit_gb: float | None = None) -> dict:
    """Read ``path`` in a child process; return its outcome and costs.

    ``memory_limit_gb`` caps the child's address space, so a reader that
    allocates without bound fails there instead of exhausting the machine.
    """
    limit = ""
    if memory_limit_gb:
        size = int(memory_limit_gb * 2**30)
        limit = (
            f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({size}, {size}))"
        )
    script = limit + textwrap.dedent(_MEASURED_READ)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        return {"crashed": done.returncode, "stderr": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- zip bombs -------------------------------------------------------------


def test_declared_huge_sheet_rejected():
    data = forge_size(
        zip_bytes(xlsx_parts(sheet_xml(SMALL_SHEET))), SHEET_MEMBER, 3 * 10**9
    )
    assert len(data) < 2_000
    with pytest.raises(UnreadableFileError) as caught:
        read_table("bomb.xlsx", data)
    # 3e9 bytes / 2**20 = 2,861.02 MB; the other members add well under 1 MB.
    assert "the archive would unpack to 2,861 MB" in str(caught.value)
    assert "more than the limit of 200 MB" in str(caught.value)


def test_compression_ratio_bomb_rejected():
    padding = "<row/>" * 2_000_000  # 12 MB that deflate packs to about 12 kB
    data = zip_bytes(xlsx_parts(sheet_xml(SMALL_SHEET + padding)))
    with pytest.raises(UnreadableFileError) as caught:
        read_table("ratio.xlsx", data)
    assert "times its size, more than the limit of 100:1" in str(caught.value)
    assert "how zip bombs look" in str(caught.value)


def test_declared_huge_zip_member_rejected():
    member = "subscribed_members_export.csv"
    data = forge_size(
        zip_bytes({member: "Email Address\na@example.com\n"}), member, 10**9
    )
    with pytest.raises(UnreadableFileError, match="the archive would unpack to 954 MB"):
        read_table("audience.zip", data)


def test_preview_rejects_zip_bomb():
    data = forge_size(
        zip_bytes(xlsx_parts(sheet_xml(SMALL_SHEET))), SHEET_MEMBER, 3 * 10**9
    )
    with pytest.raises(UnreadableFileError, match="more than the limit of 200 MB"):
        preview_file("bomb.xlsx", data)


@pytest.fixture(scope="module")
def forged_bomb(tmp_path_factory) -> dict:
    """Read, once in a child process, an XLSX whose sheet unpacks to 200 MB
    of XML comment inside sheetData while its headers declare 100 bytes."""
    path = tmp_path_factory.mktemp("bomb") / "forged.xlsx"
    parts = xlsx_parts(sheet_xml(SMALL_SHEET))
    head, tail = parts.pop(SHEET_MEMBER).split("</sheetData>")
    chunk = b"x" * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        # Streamed in 1 MB chunks, so the test never has 200 MB in memory.
        with archive.open(SHEET_MEMBER, "w") as sheet:
            sheet.write(head.encode() + b"<!--")
            for _ in range(200):
                sheet.write(chunk)
            sheet.write(b"--></sheetData>" + tail.encode())
    path.write_bytes(forge_size(path.read_bytes(), SHEET_MEMBER, 100))
    assert path.stat().st_size < 2_000_000
    return _measured_read(path, memory_limit_gb=3)


def test_forged_size_bomb_rejected(forged_bomb):
    assert forged_bomb.get("error") == "UnreadableFileError", forged_bomb
    assert "Bad CRC-32" in forged_bomb["message"]


def test_forged_size_bomb_memory_bounded(forged_bomb):
    assert forged_bomb["added_mb"] < 100, forged_bomb


def test_far_corner_cell_rejected(tmp_path):
    corner = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    path = tmp_path / "corner.xlsx"
    path.write_bytes(zip_bytes(xlsx_parts(sheet_xml(corner))))
    outcome = _measured_read(path, memory_limit_gb=3)
    assert outcome.get("error") == "UnreadableFileError", outcome


def test_entity_expansion_rejected():
    # Nine levels of ten references each expand to 10**9 copies of "lol".
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    doctype = f"<!DOCTYPE workbook [{entities}]>"
    workbook = workbook_xml("&lol9;", doctype)
    data = zip_bytes(xlsx_parts(sheet_xml(SMALL_SHEET), workbook))
    started = time.perf_counter()
    with pytest.raises(UnreadableFileError, match="amplification"):
        read_table("laughs.xlsx", data)
    assert time.perf_counter() - started < 5


def test_external_entity_not_resolved():
    doctype = '<!DOCTYPE workbook [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
    data = zip_bytes(xlsx_parts(sheet_xml(SMALL_SHEET), workbook_xml("&e;", doctype)))
    with pytest.raises(UnreadableFileError, match="external entity"):
        read_table("xxe.xlsx", data)


@pytest.mark.parametrize("member", ["workbook", "sheet"])
def test_unknown_xml_encoding_rejected(member):
    # Found by the fuzz test: ElementTree raises LookupError for the name.
    sheet, workbook = sheet_xml(SMALL_SHEET), workbook_xml()
    if member == "sheet":
        sheet = sheet.replace('encoding="UTF-8"', 'encoding="TF-8"')
    else:
        workbook = workbook.replace('encoding="UTF-8"', 'encoding="TF-8"')
    data = zip_bytes(xlsx_parts(sheet, workbook))
    with pytest.raises(UnreadableFileError):
        read_table("encoding.xlsx", data)


# --- size, line length and width limits -----------------------------------


def test_file_over_size_limit_rejected():
    data = b"Deal ID,Amount\n" + b"D-1,100\n" * (60 * 2**20 // 8)
    with pytest.raises(UnreadableFileError) as caught:
        read_table("deals.csv", data, max_bytes=50 * 2**20)
    assert str(caught.value) == (
        "deals.csv: the file has 60.0 MB, more than the limit of 50 MB; "
        "export a shorter period or fewer columns"
    )


def test_file_over_default_limit_rejected():
    data = b"x" * (MAX_UPLOAD_BYTES + 1)
    with pytest.raises(UnreadableFileError, match="more than the limit of 200 MB"):
        read_table("huge.csv", data)


def test_preview_rejects_file_over_limit():
    data = b"x" * 3_000_000
    with pytest.raises(UnreadableFileError, match="more than the limit of 2 MB"):
        preview_file("huge.xlsx", data, max_bytes=2 * 2**20)


def test_upload_limit_matches_server_setting():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    # The reader counts in MiB, which admits at least the bytes that the
    # browser's uploader lets through, so that check comes first.
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_UPLOAD_BYTES


def test_line_of_millions_characters_rejected():
    data = b"Deal ID,Owner\n" + b"D-1," + b"A" * 3_000_000 + b"\nD-2,Bo\n"
    with pytest.raises(UnreadableFileError) as caught:
        read_table("deals.csv", data)
    # The long line is "D-1," plus 3,000,000 letters: 3,000,004 characters.
    assert str(caught.value) == (
        "deals.csv, line 2: line has 3,000,004 characters, more than the limit "
        "of 1,000,000; the file is probably not a table. Check the export "
        "settings, or split the file"
    )
    assert caught.value.line == 2


def test_file_of_one_huge_line_rejected():
    data = b"x;" * 2_500_000
    with pytest.raises(UnreadableFileError, match="line has 5,000,000 characters"):
        read_table("one-line.csv", data)


@pytest.fixture(scope="module")
def million_columns(tmp_path_factory) -> dict:
    """Read a CSV of a million empty columns once, in a child process."""
    path = tmp_path_factory.mktemp("wide") / "wide.csv"
    # 999,999 commas make a million fields on a line of under 1,000,000 chars.
    path.write_bytes(b"," * 999_999 + b"\n" + b"1" + b"," * 999_999 + b"\n")
    return _measured_read(path)


def test_million_columns_rejected(million_columns):
    assert million_columns.get("error") == "UnreadableFileError", million_columns
    assert million_columns["message"] == (
        "wide.csv: the table has 1,000,000 columns, more than the limit of "
        "10,000; check the delimiter and export settings"
    )


def test_million_columns_rejected_before_parsing(million_columns):
    # Parsing every column first took about 10 s and 2 GB.
    assert million_columns["seconds"] < 3, million_columns
    assert million_columns["added_mb"] < 300, million_columns


# --- file names and workspace paths ---------------------------------------


TRAVERSAL_IDS = [
    "../../etc/passwd",
    "..",
    "/tmp/x",
    "0123456789abcdef0123456789abcdef/../x",
    "0123456789abcdef0123456789abcde/",
    "0123456789ABCDEF0123456789ABCDEF",
]


@pytest.mark.parametrize("table_id", TRAVERSAL_IDS, ids=repr)
def test_workspace_rejects_path_ids(tmp_path, table_id):
    store = Workspace(tmp_path / "workspace")
    calls = [
        lambda: store.get(table_id),
        lambda: store.load(table_id),
        lambda: store.rename(table_id, "x"),
        lambda: store.delete(table_id),
        lambda: store.save(
            pl.DataFrame({"deal_id": ["1"]}),
            name="x",
            table_type="deals",
            source_file="x.csv",
            mapping=MAPPING,
            replace_id=table_id,
        ),
    ]
    for call in calls:
        with pytest.raises(InvalidSettingError, match="invalid table id"):
            call()


def test_hostile_names_stay_in_catalog(tmp_path):
    root = tmp_path / "workspace"
    store = Workspace(root)
    hostile = "../../../outside/evil"
    entry = store.save(
        pl.DataFrame({"deal_id": ["1"]}),
        name=hostile,
        table_type="deals",
        source_file=hostile + ".csv",
        mapping=MAPPING,
    )
    store.rename(entry.id, "/etc/passwd")

    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert written == [
        "workspace",
        "workspace/catalog.sqlite",
        "workspace/tables",
        f"workspace/tables/{entry.id}.v1.parquet",
    ]
    assert store.get(entry.id).name == "/etc/passwd"
    assert store.get(entry.id).source_file == hostile + ".csv"


# --- formula cells in CSV downloads ---------------------------------------


def _csv_cells(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=delimiter))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=12),
            st.builds(
                lambda start, rest: start + rest,
                st.sampled_from(FORMULA_STARTS),
                st.text(max_size=12),
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_download_cells_never_formulas(cells):
    data = safe_csv(pl.DataFrame({"owner": cells}, schema={"owner": pl.String}))
    rows = _csv_cells(data)[1:]
    # A cell holding only line breaks splits into several CSV lines, so only
    # the cells themselves are checked, not the row count.
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), (cells, value)


def test_download_keeps_text_after_apostrophe():
    frame = pl.DataFrame({"owner": ["=1+1", "@SUM(A1)", "Anna"]})
    rows = _csv_cells(safe_csv(frame))
    assert rows == [["owner"], ["'=1+1"], ["'@SUM(A1)"], ["Anna"]]


def test_download_header_not_formula():
    frame = pl.DataFrame({'=HYPERLINK("http://127.0.0.1:9/","x")': ["1"]})
    header = _csv_cells(safe_csv(frame))[0]
    assert not header[0].startswith(FORMULA_STARTS)


def test_download_semicolon_split_not_formula():
    data = safe_csv(pl.DataFrame({"owner": ["Anna;=1+1"]}))
    for row in _csv_cells(data, delimiter=";"):
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value


# --- a crash while a table is stored ---------------------------------------

_SAVE_LOOP = """
    import sys
    import polars as pl
    from kpi_core.mapping import Mapping
    from kpi_core.workspace import Workspace

    store = Workspace(sys.argv[1])
    table_id = sys.argv[2]
    mapping = Mapping("deals", {"deal_id": "Record ID", "stage": "Deal Stage"})
    rows = 3_000_000
    while True:
        version = store.get(table_id).version + 1
        frame = pl.DataFrame({
            "deal_id": pl.int_range(rows, eager=True).cast(pl.String),
            "written_as": pl.repeat(version, rows, eager=True),
        })
        store.save(frame, name="Deals", table_type="deals",
                   source_file="deals.csv", mapping=mapping, replace_id=table_id)
"""

_OPEN_AFTER_CRASH = """
    import json, sys
    from kpi_core.workspace import Workspace

    store = Workspace(sys.argv[1])
    entries = store.list_tables()
    frame = store.load(entries[0].id)
    print(json.dumps({
        "ids": [e.id for e in entries],
        "version": entries[0].version,
        "rows": frame.height,
        "written_as": frame["written_as"].unique().to_list(),
    }))
"""


def _kill_during_write(root: Path, table_id: str) -> list[Path]:
    """Start the save loop, SIGKILL it once a temporary file exists, and
    return the temporary files it left behind."""
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_SAVE_LOOP), str(root), table_id],
        cwd=PROJECT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if list((root / "tables").glob(".*.tmp")):
                break
            time.sleep(0.002)
        else:
            pytest.fail("the save loop never wrote a temporary file")
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    return list((root / "tables").glob(".*.tmp"))


def test_kill_during_save_keeps_previous(tmp_path):
    root = tmp_path / "workspace"
    store = Workspace(root)
    first = store.save(
        pl.DataFrame({"deal_id": ["a", "b"], "written_as": [1, 1]}),
        name="Deals",
        table_type="deals",
        source_file="deals.csv",
        mapping=MAPPING,
    )
    leftovers: list[Path] = []
    for _attempt in range(3):
        leftovers = _kill_during_write(root, first.id)
        if leftovers:
            break
    # The temporary name is ".<id>.v<version>.parquet.<random>.tmp".
    [temporary] = leftovers
    writing = int(temporary.name.split(".v")[1].split(".")[0])

    opened = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_OPEN_AFTER_CRASH), str(root)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    state = json.loads(opened.stdout)
    assert state["ids"] == [first.id]
    assert state["version"] == writing - 1
    assert state["written_as"] == [writing - 1]
    expected_rows = 2 if writing == 2 else 3_000_000
    assert state["rows"] == expected_rows


# --- found with the benchmark data -----------------------------------------


def test_typeform_reason_not_taken_as_score():
    # Typeform also writes its hidden fields (email, plan) and own columns.
    data = (
        b"#,How likely are you to recommend Acme to a friend or colleague?,"
        b"What is the main reason for your score?,email,plan,Start Date (UTC),"
        b"Submit Date (UTC),Network ID\n"
        b"r1,9,Fast support,a@example.com,Pro,2025-03-01 09:58:00,"
        b"2025-03-01 10:00:00,641157215\n"
        b"r2,4,Too expensive,b@example.com,Basic,2025-03-02 10:57:00,"
        b"2025-03-02 11:00:00,473606997\n"
    )
    preview = preview_file("responses.csv", data)
    assert preview.table == "nps"
    assert preview.mapping.columns["score"] == (
        "How likely are you to recommend Acme to a friend or colleague?"
    )


# Cells and markup that made Python's re backtrack. In the number patterns
# a run of digits that ends in a letter took polynomial time. Elsewhere a
# long run of spaces or of unclosed tags was scanned again from each of its
# positions. On the old patterns each test below ran for minutes.
DIGIT_RUN = "1" * 50_000 + "x"
SPACE_RUN = " " * 100_000


def test_header_cell_of_digits_read(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(f"Deal ID,{DIGIT_RUN}\nD-1,100\nD-2,200\n")
    preview = preview_file(path.name, path.read_bytes())
    assert preview.raw.info.header_line == 1
    assert preview.raw.frame.height == 2


def test_cell_of_digits_below_header_read(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(f"Deal ID,Amount\n{DIGIT_RUN},100\nD-2,200\n")
    preview = preview_file(path.name, path.read_bytes())
    assert preview.raw.info.header_line == 1
    assert preview.raw.frame["Deal ID"].to_list() == [DIGIT_RUN, "D-2"]


def test_last_row_of_digits_kept(tmp_path):
    path = tmp_path / "deals.csv"
    last = "1" * 20_000 + "x"
    path.write_text(f"Deal ID,Amount\nD-1,100\nD-2,200\n{last},300\n")
    preview = preview_file(path.name, path.read_bytes())
    assert preview.raw.frame.height == 3
    assert preview.raw.info.skipped_lines == ()


def test_header_with_space_run_normalised():
    assert normalise_header(f"Amount{SPACE_RUN}x") == "amountx"
    assert normalise_header(f"Amount{SPACE_RUN}(EUR)") == "amount"


def test_stage_header_with_space_run_matched():
    header = f'Date entered "Won{SPACE_RUN}x"'
    assert stage_property_columns([header], "date entered") == [header]


def test_unclosed_value_tags_scanned():
    xml = (
        b'<sheetData><row r="1"><c r="A1"><f>SUM(B1)</f>'
        + b"<v " * 40_000
        + b"</c></row></sheetData>"
    )
    assert formulas_without_results(xml) == ["A1"]


def test_unclosed_row_tags_scanned():
    xml = b'<sheetData><c r="A1" hidden="1"/>' + b"<row " * 80_000 + b">"
    scan = scan_cells(xml, 1, numbers=False)
    assert scan is not None
    assert scan.hidden_rows == ()


def _sheets_workbook(path: Path, count: int) -> bytes:
    workbook = openpyxl.Workbook()
    deals = workbook.active
    deals.title = "Deals"
    deals.append(["Deal ID", "Amount"])
    deals.append(["D-1", 100])
    for number in range(2, count + 1):
        workbook.create_sheet(f"Notes {number}").append(["Note"])
    workbook.save(path)
    return path.read_bytes()


def test_workbook_sheet_limit(tmp_path):
    at_limit = tmp_path / "at_limit.xlsx"
    preview = preview_file(at_limit.name, _sheets_workbook(at_limit, MAX_SHEETS))
    assert preview.raw.info.sheet == "Deals"

    path = tmp_path / "many.xlsx"
    data = _sheets_workbook(path, MAX_SHEETS + 1)
    with pytest.raises(UnreadableFileError) as caught:
        preview_file(path.name, data)
    message = str(caught.value)
    assert "many.xlsx" in message
    assert f"has {MAX_SHEETS + 1} sheets" in message
    assert "save that sheet as a workbook of its own" in message

    chosen = preview_file(path.name, data, sheet="Deals")
    assert chosen.raw.frame["Deal ID"].to_list() == ["D-1"]
