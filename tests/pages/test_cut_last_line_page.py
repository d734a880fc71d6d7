"""The Data page names a last line cut off without a line break."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# Line 8, the last, has no line break after it and ends inside the close
# date, so it has 8 of the header's 9 fields.
CUT_FILE = (
    b"Record ID,Deal Name,Deal Stage,Pipeline,Amount,Deal owner,Create Date,"
    b"Close Date,Deal Type\n"
    b"101,Acme web shop,Closed Won,Sales Pipeline,1000,Anna Muster,2025-01-05,"
    b"2025-01-25,newbusiness\n"
    b"102,Beta GmbH,Closed Lost,Sales Pipeline,500,Ben Meier,2025-01-10,"
    b"2025-02-01,newbusiness\n"
    b"103,Gamma AG,Closed Won,Sales Pipeline,2000,Anna Muster,2025-01-15,"
    b"2025-02-14,newbusiness\n"
    b"104,Delta SA,Appointment Scheduled,Sales Pipeline,800,Ben Meier,"
    b"2025-02-01,,newbusiness\n"
    b"105,Epsilon,Closed Won,Sales Pipeline,1500,Ben Meier,2025-02-03,"
    b"2025-02-10,existingbusiness\n"
    b"106,Zeta,Closed Lost,Sales Pipeline,700,Anna Muster,2025-02-20,"
    b"2025-03-05,newbusiness\n"
    b"107,Eta,Closed Won,Sales Pipeline,3000,Anna Muster,2025-03-01,2025-03-3"
)


def test_cut_last_line_named_on_data_page():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("hubspot_deals.csv", CUT_FILE, "text/csv")]
    ).run()
    assert not at.exception
    # 7 rows read, line 8 left out: 6 kept.
    assert at.status[0].label == "Read and checked 7 rows: 6 kept"
    [warning] = [w.value for w in at.warning if "line 8 has 8 fields" in w.value]
    assert "the header has 9" in warning
    assert "the file may be cut off: export it again" in warning
