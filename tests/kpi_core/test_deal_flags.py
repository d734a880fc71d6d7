"""Deals with Salesforce's Won and Closed flags, and deals without ids."""

from datetime import date

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.sales import sales_kpis

# A Salesforce opportunity report ("Details only") with the org's own stage
# names, which do not name won or lost, and no id column.
REPORT = (
    '"Opportunity Name","Account Name","Stage","Amount","Close Date",'
    '"Created Date","Type","Opportunity Owner","Won","Closed"\n'
    '"Acme rollout","Acme","Signed","12000","3/14/2025","1/10/2025",'
    '"New Customer","Anna Becker","true","true"\n'
    '"Renewal","Globex","Dead","8000","4/2/2025","2/1/2025",'
    '"Existing Customer - Upgrade","Ben Ott","false","true"\n'
    '"Renewal","Initech","Negotiation/Review","5000","6/30/2025","3/5/2025",'
    '"New Customer","Anna Becker","false","false"\n'
    '"Umbrella","Umbrella","Closed Won","3000","5/20/2025","4/1/2025",'
    '"New Customer","Ben Ott","true","true"\n'
)


def _load(text: str, name: str = "report.csv"):
    return load_file(name, text.encode(), date_order="mdy")


def test_flags_decide_status():
    prepared = _load(REPORT)
    assert prepared.mapping.columns["won"] == "Won"
    assert prepared.mapping.columns["closed"] == "Closed"
    assert prepared.frame["status"].to_list() == ["won", "lost", "open", "won"]
    assert "won" not in prepared.frame.columns
    assert "closed" not in prepared.frame.columns


def test_report_without_ids_keeps_every_row():
    # Two deals share the name "Renewal"; without an id column each row is
    # its own deal, so none is dropped as a duplicate.
    prepared = _load(REPORT)
    assert prepared.mapping.columns["deal_id"] is None
    assert prepared.rows_used == 4
    assert prepared.problems == ()


def test_flagged_report_sales_kpis():
    prepared = _load(REPORT)
    kpis = sales_kpis(prepared.frame, Period(date(2025, 1, 1), date(2025, 12, 31)))
    # Won: Acme and Umbrella (2 of 4 created), lost: Globex.
    assert kpis["close_rate"].value == 2 / 4 * 100
    assert kpis["win_rate"].value == 2 / 3 * 100
    # 12,000 + 3,000 won.
    assert kpis["won_value"].value == 15000
    # 10 Jan to 14 Mar is 63 days, 1 Apr to 20 May 49 days: (63 + 49) / 2.
    assert kpis["sales_cycle_days"].value == 56


def test_flag_alone_leaves_the_rest_to_the_stage():
    # Only a Won flag: not won leaves the stage to tell lost from open.
    text = (
        "Deal ID,Stage,Created,Won\n"
        "1,Signed,2025-01-02,yes\n"
        "2,Closed lost,2025-01-03,no\n"
        "3,Proposal,2025-01-04,no\n"
        "4,Proposal,2025-01-05,\n"
    )
    prepared = _load(text)
    assert prepared.frame["status"].to_list() == ["won", "lost", "open", "open"]


def test_closed_flag_alone():
    # Closed without Won: a closed deal is won or lost by its stage label.
    text = (
        "Deal ID,Stage,Created,Closed\n"
        "1,Closed won,2025-01-02,1\n"
        "2,Closed lost,2025-01-03,1\n"
        "3,Closed won,2025-01-04,0\n"
    )
    prepared = _load(text)
    assert prepared.frame["status"].to_list() == ["won", "lost", "open"]


def test_bad_won_flag_of_closed_deal_rejected():
    # 4 of the 5 Won cells read as yes or no, enough to map the column, so
    # the fifth is reported instead of the flags being dropped. Its deal is
    # closed, so read as empty it could be won or lost: the row is left out
    # and named once, as a closed deal without a won value.
    text = REPORT + (
        '"Stark","Stark","Signed","1000","5/2/2025","4/2/2025",'
        '"New Customer","Ben Ott","maybe","true"\n'
    )
    prepared = _load(text)
    assert prepared.rows_used == 4
    (problem,) = prepared.problems
    assert problem.describe() == (
        "1 row with a closed deal with an empty or unreadable 'Won' cell, so it "
        "could be won or lost (fill in yes or no) (line 6)"
    )
    assert problem.outcome() == "this row is left out"
    assert prepared.rejected["Opportunity Name"].to_list() == ["Stark"]


def test_bad_won_flag_of_open_deal_kept():
    # Line 6 is not closed, so its unreadable Won cell is read as empty and
    # the deal stays open: 5 deals, of which Acme and Umbrella are won.
    text = REPORT + (
        '"Stark","Stark","Proposal","1000","5/2/2025","4/2/2025",'
        '"New Customer","Ben Ott","maybe","false"\n'
    )
    prepared = _load(text)
    assert prepared.rows_used == 5
    assert prepared.frame["status"].to_list() == ["won", "lost", "open", "won", "open"]
    (problem,) = prepared.problems
    assert problem.lines == (6,)
    assert problem.row_kept
    assert problem.outcome() == (
        "read as empty; the row is kept, and the other flag or the deal stage "
        "decides its status"
    )
    kpis = sales_kpis(prepared.frame, Period(date(2025, 1, 1), date(2025, 12, 31)))
    # 2 won of 5 created.
    assert kpis["close_rate"].value == 2 / 5 * 100


def test_mostly_other_values_not_a_flag():
    # Only 3 of the 4 Won cells read as yes or no (75 %), so Won is left
    # unmapped and the stage names decide.
    text = REPORT.replace('"Ben Ott","false","true"', '"Ben Ott","maybe","true"')
    prepared = _load(text)
    assert prepared.mapping.columns["won"] is None
    assert prepared.mapping.columns["closed"] == "Closed"


def test_closed_column_of_dates_is_the_close_date():
    text = (
        "Deal ID,Stage,Created,Closed\n"
        "1,Closed won,2025-01-02,2025-02-01\n"
        "2,Proposal,2025-01-03,\n"
    )
    prepared = _load(text)
    assert prepared.mapping.columns["closed"] is None
    assert prepared.mapping.columns["closed_at"] == "Closed"
    assert prepared.frame["closed_at"].to_list() == [date(2025, 2, 1), None]


def test_won_flag_beats_won_stage():
    # Without a Closed flag, "not won" turns a won stage into lost. A stage
    # that names neither ("Dead") stays open, because an open deal may carry
    # a close date too.
    text = (
        "Deal ID,Stage,Created,Closed,Won\n"
        "1,Closed Won,2025-01-02,2025-02-01,false\n"
        "2,Dead,2025-01-03,2025-02-02,false\n"
        "3,Closed Won,2025-01-04,2025-02-03,true\n"
        "4,Closed Lost,2025-01-05,2025-02-04,false\n"
    )
    prepared = _load(text)
    assert prepared.mapping.columns["closed_at"] == "Closed"
    assert prepared.frame["status"].to_list() == ["lost", "open", "won", "lost"]


def test_closed_deal_without_won_value_rejected():
    # Line 3 is closed with an empty Won cell: it could be won or lost.
    text = (
        "Deal ID,Stage,Created,Won,Closed\n"
        "1,Signed,2025-01-02,true,true\n"
        "2,Dead,2025-01-03,,true\n"
        "3,Proposal,2025-01-04,,false\n"
        "4,Dead,2025-01-05,false,true\n"
        "5,Proposal,2025-01-06,false,false\n"
    )
    prepared = _load(text)
    assert prepared.frame["status"].to_list() == ["won", "open", "lost", "open"]
    (problem,) = prepared.problems
    assert problem.describe() == (
        "1 row with a closed deal with an empty or unreadable 'Won' cell, so it "
        "could be won or lost (fill in yes or no) (line 3)"
    )


def test_stage_decides_after_rejected_row():
    # Line 3 is closed without a won value, so it is left out. Lines 4 and 5
    # have neither flag, so their stages decide: lost and won. The statuses
    # read from the stages must stay with their rows after line 3 is gone.
    text = (
        "Deal ID,Stage,Created,Won,Closed\n"
        "1,Signed,2025-01-02,true,true\n"
        "2,Dead,2025-01-03,,true\n"
        "3,Closed Lost,2025-01-04,,\n"
        "4,Closed Won,2025-01-05,,\n"
        "5,Proposal,2025-01-06,false,false\n"
        "6,Closed Won,2025-01-07,true,true\n"
        "7,Dead,2025-01-08,false,true\n"
    )
    prepared = _load(text)
    assert prepared.frame["deal_id"].to_list() == ["1", "3", "4", "5", "6", "7"]
    assert prepared.frame["status"].to_list() == [
        "won",
        "lost",
        "won",
        "open",
        "won",
        "lost",
    ]
