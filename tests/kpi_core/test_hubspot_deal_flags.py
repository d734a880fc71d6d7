"""HubSpot deals whose won and closed flags decide the outcome.

A HubSpot pipeline can name its stages freely ("Signed", "Churned"), which
no stage rule reads as won or lost. The default deal properties "Is Closed
Won" and "Is Deal Closed?" (internal names hs_is_closed_won and
hs_is_closed) still give each deal's outcome.
"""

from __future__ import annotations

import pytest

from kpi_core.report import ReportOptions, build_report

# Signed: won (true, true). Churned: lost (false, true). Negotiation: open
# (false, false). Closed Won: won (true, true).
LABELS_CSV = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Pipeline,"
    "Is Closed Won,Is Deal Closed?\n"
    "1,A,Signed,1000,2024-02-10,2024-01-05,Renewals,true,true\n"
    "2,B,Churned,500,2024-02-20,2024-01-10,Renewals,false,true\n"
    "3,C,Negotiation,700,2024-04-30,2024-02-01,Renewals,false,false\n"
    "4,D,Closed Won,2000,2024-03-25,2024-02-10,Sales Pipeline,true,true\n"
)
INTERNAL_CSV = (
    "hs_object_id,dealname,dealstage,amount,closedate,createdate,"
    "hs_is_closed_won,hs_is_closed\n"
    "1,A,1234567,1000,2024-02-10,2024-01-05,true,true\n"
    "2,B,1234568,500,2024-02-20,2024-01-10,false,true\n"
    "3,C,1234569,700,2024-04-30,2024-02-01,false,false\n"
    "4,D,closedwon,2000,2024-03-25,2024-02-10,true,true\n"
)


def _report(tmp_path, text: str) -> dict:
    path = tmp_path / "hubspot-deals.csv"
    path.write_text(text, encoding="utf-8")
    return build_report([path], ReportOptions())


@pytest.mark.parametrize(
    ("text", "won", "closed"),
    [
        (LABELS_CSV, "Is Closed Won", "Is Deal Closed?"),
        (INTERNAL_CSV, "hs_is_closed_won", "hs_is_closed"),
    ],
    ids=["labels", "internal names"],
)
def test_hubspot_flags_decide_outcome(tmp_path, text, won, closed):
    report = _report(tmp_path, text)
    columns = report["inputs"][0]["columns"]
    kpis = report["kpis"]

    assert columns["won"] == won
    assert columns["closed"] == closed
    # Won A and D of the 4 deals created: 2 / 4 = 50 %.
    assert kpis["close_rate"]["numerator"] == 2
    assert kpis["close_rate"]["denominator"] == 4
    assert kpis["close_rate"]["value"] == pytest.approx(50.0)
    # Won A and D, lost B: 2 / (2 + 1) = 66.67 %.
    assert kpis["win_rate"]["numerator"] == 2
    assert kpis["win_rate"]["denominator"] == 3
    assert kpis["win_rate"]["value"] == pytest.approx(200 / 3, abs=1e-4)
    # 1,000 + 2,000 won.
    assert kpis["won_value"]["value"] == pytest.approx(3000)
    assert report["warnings"] == []


def test_without_flags_labels_decide(tmp_path):
    # The same deals without the flags: only "Closed Won" reads won and no
    # label reads lost, so 1 / 4 = 25 % and 1 / 1 = 100 %.
    rows = [line.rsplit(",", 2)[0] for line in LABELS_CSV.splitlines()]
    report = _report(tmp_path, "\n".join(rows) + "\n")
    kpis = report["kpis"]

    assert "won" not in report["inputs"][0]["columns"]
    assert kpis["close_rate"]["value"] == pytest.approx(25.0)
    assert kpis["win_rate"]["value"] == pytest.approx(100.0)


# "Is Closed Won" reads "Unknown" or is empty for A to D, all closed. The
# stage decides A, B and C. D's stage "Signed" reads neither won nor lost,
# so D could be either and is left out. The other rows spell their flags
# true/false, Yes/No or Ja/Nein, and the flags decide them.
UNKNOWN_FLAG_CSV = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,"
    "Is Closed Won,Is Deal Closed?\n"
    "1,A,Closed Won,1000,2024-02-01,2024-01-02,Unknown,true\n"
    "2,B,Closed Won,2000,2024-02-02,2024-01-03,,true\n"
    "3,C,Closed Lost,3000,2024-02-03,2024-01-04,Unknown,true\n"
    "4,D,Signed,4000,2024-02-04,2024-01-05,,true\n"
    "5,E,Signed,500,2024-02-05,2024-01-06,true,true\n"
    "6,F,Churned,600,2024-02-06,2024-01-07,false,true\n"
    "7,G,Negotiation,700,,2024-01-08,false,false\n"
    "8,H,Closed Won,800,2024-02-08,2024-01-09,Yes,Yes\n"
    "9,I,Closed Lost,900,2024-02-09,2024-01-10,No,Yes\n"
    "10,J,Signed,1100,2024-02-10,2024-01-11,Ja,Ja\n"
    "11,K,Churned,1200,2024-02-11,2024-01-12,Nein,Ja\n"
    "12,L,Negotiation,1300,,2024-01-13,Nein,Nein\n"
    "13,M,Closed Won,1400,2024-02-13,2024-01-14,true,true\n"
)


def test_unknown_won_flag_stage_decides(tmp_path):
    report = _report(tmp_path, UNKNOWN_FLAG_CSV)
    [table] = report["inputs"]
    kpis = report["kpis"]

    assert table["columns"]["won"] == "Is Closed Won"
    assert table["columns"]["closed"] == "Is Deal Closed?"
    # Only D is left out: 13 - 1 = 12 deals.
    assert table["rows_used"] == 12
    assert table["excluded"] == {
        "a closed deal with an empty or unreadable 'Is Closed Won' cell, so it "
        "could be won or lost (fill in yes or no)": 1
    }
    assert table["emptied"] == {"a value other than yes or no in 'Is Closed Won'": 2}
    # Won: A and B by their stage, E, H, J and M by the flag. Lost: C by its
    # stage, F, I and K by the flag. Open: G and L.
    # Close rate: 6 / 12 = 50 %. Win rate: 6 / (6 + 4) = 60 %.
    assert kpis["close_rate"]["numerator"] == 6
    assert kpis["close_rate"]["denominator"] == 12
    assert kpis["close_rate"]["value"] == pytest.approx(50.0)
    assert kpis["win_rate"]["numerator"] == 6
    assert kpis["win_rate"]["denominator"] == 10
    assert kpis["win_rate"]["value"] == pytest.approx(60.0)
    # 1,000 + 2,000 + 500 + 800 + 1,100 + 1,400 = 6,800 won.
    assert kpis["won_value"]["value"] == pytest.approx(6800)
