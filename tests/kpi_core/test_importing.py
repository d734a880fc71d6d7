import csv
from datetime import date

import polars as pl
import pytest

from kpi_core.errors import AmbiguousDateError, MissingColumnError
from kpi_core.importing import load_file, preview_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.prepare import prepare_table
from kpi_core.raw_table import RawTable
from tests.conftest import PROJECT

# Each real export, the table type it must be recognised as, and fields
# whose column is known from the data set's documentation.
REAL_EXPORTS = [
    (
        "maven-crm-sales/sales_pipeline.csv",
        "deals",
        {
            "deal_id": "opportunity_id",
            "created_at": "engage_date",
            "amount": "close_value",
        },
    ),
    (
        "ibm-telco-churn/Telco-Customer-Churn.csv",
        "subscriptions",
        {
            "customer_id": "customerID",
            "monthly_charge": "MonthlyCharges",
            "churned": "Churn",
        },
    ),
    (
        "ravenstack-saas/ravenstack_subscriptions.csv",
        "subscriptions",
        {
            "customer_id": "account_id",
            "started_at": "start_date",
            "ended_at": "end_date",
        },
    ),
    (
        "ravenstack-saas/ravenstack_support_tickets.csv",
        "tickets",
        {
            "ticket_id": "ticket_id",
            "created_at": "submitted_at",
            "solved_at": "closed_at",
        },
    ),
    (
        "needful-things-ecommerce/orders.csv",
        "orders",
        {
            "customer_id": "customer_key",
            "ordered_at": "order_datetime",
            "amount": "sales",
        },
    ),
    (
        "needful-things-ecommerce/marketing_spend.csv",
        "spend",
        {"channel": "marketing_channel", "amount": "spend"},
    ),
    ("needful-things-ecommerce/reviews.csv", "nps", {"score": "nps_score"}),
]


def _count_rows(path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


@pytest.mark.parametrize(
    ("relative", "table", "columns"),
    REAL_EXPORTS,
    ids=[path.split("/")[1] for path, _, _ in REAL_EXPORTS],
)
def test_real_export_recognised(datasets_dir, relative, table, columns):
    path = datasets_dir / relative
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == table
    for field_name, column in columns.items():
        assert prepared.mapping.columns[field_name] == column, field_name
    assert prepared.rows_read == _count_rows(path)
    assert prepared.rows_used == prepared.rows_read


def test_tickets_without_creation_date_explained(datasets_dir):
    path = datasets_dir / "support-tickets-synthetic/customer_support_tickets.csv"
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "tickets"
    assert preview.mapping.missing_required == ["created_at"]
    with pytest.raises(MissingColumnError, match="no column found for Created date"):
        load_file(path.name, path.read_bytes())


@pytest.mark.parametrize(
    "relative",
    ["uci-bank-marketing/bank.csv", "maven-crm-sales/products.csv"],
)
def test_unrelated_tables_not_guessed(datasets_dir, relative):
    path = datasets_dir / relative
    assert preview_file(path.name, path.read_bytes()).table is None


def test_german_excel_csv_parsed(tmp_path):
    data = (
        "Deal-ID;Phase;Erstellt am;Abschlussdatum;Betrag;Verantwortlicher\r\n"
        "A-1;Gewonnen;03.01.2025;20.01.2025;1.234,56;Jürgen Müller\r\n"
        "A-2;Verloren;13.01.2025;30.01.2025;500,00;Jürgen Müller\r\n"
        "A-3;Angebot;15.01.2025;;2.000;Änne Groß\r\n"
    ).encode("cp1252")
    prepared = load_file("export.csv", data)
    frame = prepared.frame
    assert frame["status"].to_list() == ["won", "lost", "open"]
    assert frame["amount"].to_list() == [1234.56, 500.0, 2000.0]
    assert frame["owner"].to_list() == ["Jürgen Müller", "Jürgen Müller", "Änne Groß"]
    assert str(frame["created_at"][1]) == "2025-01-13"


def test_ambiguous_dates_need_an_order():
    data = b"Record ID,Deal Stage,Create Date\n1,Won,01/02/2025\n2,Lost,03/04/2025\n"
    with pytest.raises(AmbiguousDateError, match="choose the date order"):
        load_file("deals.csv", data)
    prepared = load_file("deals.csv", data, date_order="mdy")
    assert str(prepared.frame["created_at"][0]) == "2025-01-02"


def test_ambiguous_error_names_first_column():
    # The error names the first ambiguous column in mapping order.
    both = (
        b"Record ID,Deal Stage,Create Date,Close Date\n"
        b"1,Won,01/02/2025,05/06/2025\n2,Lost,03/04/2025,07/08/2025\n"
    )
    with pytest.raises(AmbiguousDateError) as caught:
        load_file("deals.csv", both)
    assert caught.value.column == "Create Date"
    second_only = (
        b"Record ID,Deal Stage,Create Date,Close Date\n"
        b"1,Won,2025-01-02,05/06/2025\n2,Lost,2025-03-04,07/08/2025\n"
    )
    with pytest.raises(AmbiguousDateError) as caught:
        load_file("deals.csv", second_only)
    assert caught.value.column == "Close Date"


def test_ambiguous_column_takes_order_of_other_column():
    # 13/05/2025 only reads day first, so 01/02/2025 is 1 February.
    data = (
        b"Record ID,Deal Stage,Create Date,Close Date\n"
        b"1,Won,01/02/2025,13/05/2025\n2,Lost,03/04/2025,\n"
    )
    prepared = load_file("deals.csv", data)
    assert prepared.frame["created_at"].to_list() == [
        date(2025, 2, 1),
        date(2025, 4, 3),
    ]
    assert prepared.detected["Create Date"] == (
        "dates day first, as in column 'Close Date' (every date here fits both orders)"
    )


def test_other_columns_disagree_on_order():
    # Close Date only reads day first (13/05), Lost time only month first
    # (05/13), so Create Date still needs an order.
    data = (
        b"Record ID,Deal Stage,Create Date,Close Date,Lost time\n"
        b"1,Won,01/02/2025,13/05/2025,\n2,Lost,03/04/2025,,05/13/2025\n"
    )
    with pytest.raises(AmbiguousDateError) as caught:
        load_file("deals.csv", data)
    assert caught.value.column == "Create Date"


def test_mixed_column_not_settled_by_other():
    # Created mixes 13/04 (day first) and 04/13 (month first) evenly, which
    # another column's order must not settle.
    data = (
        b"Deal ID,Stage,Created,Close date\n"
        b"B1,Won,13/04/2025,25/05/2025\n"
        b"B2,Won,04/13/2025,\n"
    )
    with pytest.raises(AmbiguousDateError) as caught:
        load_file("mixed.csv", data)
    assert "mixes day-first dates" in str(caught.value)


HUBSPOT_WIDE = (
    b'Record ID,Deal Name,"Date entered ""Appointment scheduled (Sales Pipeline)""",'
    b'"Date entered ""Qualified to buy (Sales Pipeline)""",'
    b'"Date entered ""Closed won (Sales Pipeline)"""\n'
    b"101,Acme,2025-01-02 10:00,2025-01-05 09:00,2025-01-20 12:00\n"
    b"102,Beta,2025-01-03 11:00,,\n"
    b"103,Gamma,2025-01-04 11:00,2025-01-08 15:30,\n"
)


def test_hubspot_wide_history_becomes_long():
    prepared = load_file("deals.csv", HUBSPOT_WIDE)
    assert prepared.table == "stage_history"
    frame = prepared.frame
    assert frame.height == 6
    assert frame.filter(frame["deal_id"] == "101")["stage"].to_list() == [
        "Appointment scheduled",
        "Qualified to buy",
        "Closed won",
    ]
    # Every entry keeps the file line of its deal.
    assert sorted(set(frame["_line"].to_list())) == [2, 3, 4]


def test_hubspot_wide_history_stage_medians():
    kpis = compute_kpis(
        {"stage_history": load_file("d.csv", HUBSPOT_WIDE).frame}, KpiSettings()
    )
    result = kpis["stage_duration_days"]
    # Appointment: 2 d 23 h for deal 101 and 4 d 4.5 h for deal 103.
    appointment = ((2 + 23 / 24) + (4 + 4.5 / 24)) / 2
    # Qualified: only deal 101 left it, after 15 d 3 h; 103 is still there.
    assert result.value["Appointment scheduled"] == pytest.approx(appointment)
    assert result.value["Qualified to buy"] == pytest.approx(15 + 3 / 24)
    assert result.excluded == {"deal still in the stage": 2}
    assert result.extra["bottleneck"] == "Qualified to buy"


def test_german_thousands_without_decimals():
    # In a ";" file from German Excel, "2.000" is two thousand.
    data = (
        "Deal-ID;Phase;Erstellt am;Betrag\n"
        "1;Gewonnen;03.01.2025;2.000\n"
        "2;Verloren;04.01.2025;1.500\n"
    )
    prepared = load_file("deals.csv", data.encode("utf-8"))
    assert prepared.frame["amount"].to_list() == [2000.0, 1500.0]


def test_point_amounts_empty_three_decimals():
    # "2.5" decides the decimal point, so "1.500" could be 1.5 or 1,500: it
    # is read as empty and its deal kept.
    data = (
        b"Record ID,Deal Stage,Create Date,Amount\n"
        b"1,Won,2025-01-03,2.5\n"
        b"2,Lost,2025-01-04,1.500\n"
    )
    prepared = load_file("deals.csv", data)
    assert prepared.frame["amount"].to_list() == [2.5, None]
    [problem] = prepared.problems
    assert problem.lines == (3,)
    assert "'1.500' could be 1.5 or 1,500" in problem.describe()


def test_mailchimp_audience_becomes_list_events():
    path = PROJECT / "tests" / "data" / "mailchimp_audience_export.zip"
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "email_events"
    events = prepared.frame["event"].to_list()
    assert events.count("subscribe") >= events.count("unsubscribe") > 0
    assert "cleaned" in events
    assert prepared.rows_used == prepared.rows_read


def test_survey_score_column_found_by_values():
    path = PROJECT / "tests" / "data" / "surveymonkey_and_deals.xlsx"
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "nps"
    assert prepared.mapping.columns["score"].startswith(
        "How likely are you to recommend"
    )
    assert prepared.frame["score"].to_list() == [9, 6, 10]


def test_detected_formats_reported():
    data = (
        "Deal-ID;Phase;Erstellt am;Abschlussdatum;Betrag\n"
        "1;Gewonnen;03.01.2025;20.01.2025;1.234,56\n"
    ).encode("cp1252")
    detected = load_file("export.csv", data).detected
    assert detected == {
        "Erstellt am": "dates day first",
        "Abschlussdatum": "dates day first",
        "Betrag": "decimal comma",
    }


def test_pipedrive_lost_time_closes_deal():
    data = (
        b"Deal - ID,Deal - Title,Deal - Value,Deal - Status,Deal - Stage,"
        b"Deal - Deal created,Deal - Won time,Deal - Lost time\n"
        b"1,A,100,won,Won,2025-01-02 10:00:00,2025-02-01 09:00:00,\n"
        b"2,B,200,won,Won,2025-01-03 10:00:00,2025-03-01 09:00:00,\n"
        b"3,C,300,lost,Negotiation,2025-01-04 10:00:00,,2025-02-15 12:00:00\n"
    )
    deals = load_file("deals.csv", data).frame
    assert deals["status"].to_list() == ["won", "won", "lost"]
    assert str(deals["closed_at"][2]) == "2025-02-15"
    kpis = compute_kpis({"deals": deals}, KpiSettings())
    # Two won, one lost, all three closed in 2025: 2 / 3.
    assert kpis["win_rate"].value == pytest.approx(2 / 3 * 100)


def test_nps_scores_outside_scale_emptied_with_lines():
    data = (
        b"Response ID,Score,Submit Date\n"
        b"1,9,2025-01-01\n2,10,2025-01-02\n3,11,2025-01-03\n"
        b"4,3,2025-01-04\n5,-1,2025-01-05\n"
    )
    prepared = load_file("nps.csv", data)
    [problem] = prepared.problems
    assert problem.kind == "a score outside 0-10"
    assert problem.lines == (4, 6)
    assert prepared.frame["score"].to_list() == [9, 10, None, 3, None]
    # Scores 9, 10 and 3: 2 promoters and 1 detractor of 3 responses, so
    # 2/3 x 100 - 1/3 x 100 = 33.3.
    kpis = compute_kpis({"nps": prepared.frame}, KpiSettings())
    assert kpis["nps"].n == 3
    assert kpis["nps"].value == pytest.approx(100 / 3)


def test_typo_year_read_as_empty():
    data = (
        b"Record ID,Deal Stage,Create Date,Close Date\n"
        b"1,Won,2025-01-01,2205-06-30\n2,Lost,2025-01-02,2025-02-01\n"
    )
    prepared = load_file("deals.csv", data)
    assert prepared.problems[0].describe() == (
        "1 row with a date before 1950 or over 10 years ahead in column "
        "'Close Date' (line 2; for example '2205-06-30')"
    )
    assert prepared.rows_used == 2
    assert prepared.frame["closed_at"].to_list() == [None, date(2025, 2, 1)]


def test_problems_listed_in_mapping_order():
    # Columns are parsed two at a time. Whichever finishes first, the report
    # lists them in the mapping's order (id, stage, created, closed, amount),
    # not the file's.
    data = (
        b"Record ID,Close Date,Deal Stage,Create Date,Amount\n"
        b"1,2025-02-30,Won,2025-01-01,ten\n"
        b"2,2025-02-01,Lost,someday,20\n"
        b"3,2025-02-03,Won,2025-01-03,30\n"
    )
    prepared = load_file("deals.csv", data)
    assert [(p.column, p.lines) for p in prepared.problems] == [
        ("Create Date", (3,)),
        ("Close Date", (2,)),
        ("Amount", (2,)),
    ]
    assert prepared.frame["deal_id"].to_list() == ["1", "2", "3"]


def test_duplicate_ids_unsorted_first_kept() -> None:
    data = (
        b"Record ID,Deal Stage,Amount,Create Date\n"
        b"b7,Closed won,10,2024-01-05\n"
        b"a1,Closed won,20,2024-01-06\n"
        b"b7,Closed lost,30,2024-01-07\n"
    )
    prepared = load_file("deals.csv", data)
    assert prepared.frame["deal_id"].to_list() == ["b7", "a1"]
    assert prepared.frame["amount"].to_list() == [10.0, 20.0]
    (problem,) = prepared.problems
    assert problem.count == 1
    assert problem.lines == (4,)


def test_ascending_ids_no_duplicate_problem() -> None:
    data = (
        b"Record ID,Deal Stage,Amount,Create Date\n"
        b"a1,Closed won,10,2024-01-05\n"
        b"a2,Closed won,20,2024-01-06\n"
    )
    prepared = load_file("deals.csv", data)
    assert prepared.frame["deal_id"].to_list() == ["a1", "a2"]
    assert prepared.problems == ()


def test_unstripped_raw_table_cleaned() -> None:
    preview = preview_file(
        "deals.csv",
        b"Record ID,Deal Stage,Amount,Create Date\na1,Closed won,10,2024-01-05\n",
    )
    padded = preview.raw.frame.with_columns(
        pl.Series("Amount", [" n/a "]), pl.Series("Create Date", [" 2024-01-05 "])
    )
    raw = RawTable(padded, preview.raw.info)
    assert not raw.cells_stripped
    prepared = prepare_table(raw, preview.mapping)
    assert prepared.frame["amount"].to_list() == [None]
    assert prepared.frame["created_at"].to_list() == [date(2024, 1, 5)]


def test_deal_status_per_distinct_label() -> None:
    # 300 rows of three labels take the per-distinct-label path; the padded
    # upper-case label is classified as before.
    rows = [b"%d, Closed WON ,2024-01-05" % i for i in range(100)]
    rows += [b"%d,closedlost,2024-01-05" % i for i in range(100, 200)]
    rows += [b"%d,Proposal,2024-01-05" % i for i in range(200, 300)]
    data = b"Record ID,Deal Stage,Create Date\n" + b"\n".join(rows) + b"\n"
    deals = load_file("deals.csv", data).frame
    assert sorted(deals["status"].value_counts().rows()) == [
        ("lost", 100),
        ("open", 100),
        ("won", 100),
    ]
    assert deals["status"][0] == "won"
    assert deals["status"][150] == "lost"
    assert deals["status"][250] == "open"


def test_deal_status_distinct_labels() -> None:
    # Every label differs, so each row is classified on its own.
    rows = [b"%d,Stage %d,2024-01-05" % (i, i) for i in range(20)]
    rows.append(b"20,Won,2024-01-05")
    data = b"Record ID,Deal Stage,Create Date\n" + b"\n".join(rows) + b"\n"
    statuses = load_file("deals.csv", data).frame["status"].to_list()
    assert statuses == ["open"] * 20 + ["won"]


def test_no_rejected_rows_keeps_columns() -> None:
    data = b"Record ID,Deal Stage,Create Date\n1,Won,2024-01-05\n"
    prepared = load_file("deals.csv", data)
    assert prepared.rejected.height == 0
    assert prepared.rejected.columns == [
        "Record ID",
        "Deal Stage",
        "Create Date",
        "_line",
    ]


def test_typeform_export_not_taken_for_orders():
    # "#" and the dates made the guess "orders", which then missed its
    # amount; the question column of scores 0-10 makes it a survey.
    data = (
        b"#,How likely are you to recommend us to a friend?,email,"
        b"Start Date (UTC),Submit Date (UTC),Network ID\n"
        b"r1,10,a@x.de,2025-04-02 10:00:00,2025-04-02 10:00:00,n1\n"
        b"r2,9,b@x.de,2025-04-05 10:00:00,2025-04-05 10:00:00,n1\n"
        b"r3,3,c@x.de,2025-04-07 10:00:00,2025-04-07 10:00:00,n1\n"
    )
    prepared = load_file("responses.csv", data)
    assert prepared.table == "nps"
    assert prepared.frame["score"].to_list() == [10, 9, 3]
