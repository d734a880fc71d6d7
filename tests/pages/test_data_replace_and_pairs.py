"""Data page: a corrected file replaces its stored table by default, and a
HubSpot deals export stores its deals and its stage history at once."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

ORDERS = (
    b"Order ID,Customer ID,Order date,Amount\n"
    b"1,c1,2025-01-05,100.00\n"
    b"2,c2,2025-01-06,50.00\n"
)
# The same export with a third order added and the first amount corrected.
ORDERS_FIXED = (
    b"Order ID,Customer ID,Order date,Amount\n"
    b"1,c1,2025-01-05,110.00\n"
    b"2,c2,2025-01-06,50.00\n"
    b"3,c3,2025-01-07,20.00\n"
)
HUBSPOT = (
    b"Record ID,Deal Name,Deal Stage,Create Date,Amount,"
    b'"Date entered ""Appointment scheduled (Sales Pipeline)""",'
    b'"Date entered ""Closed won (Sales Pipeline)"""\n'
    b"101,Acme,Closed won,2025-01-02 10:00,1000,2025-01-02 10:00,2025-01-20 12:00\n"
    b"102,Beta,Appointment scheduled,2025-01-03 11:00,500,2025-01-03 11:00,\n"
)
HUBSPOT_FIXED = HUBSPOT + (
    b"103,Gamma,Closed won,2025-01-04 09:00,700,2025-01-04 09:00,2025-01-09 09:00\n"
)


def _upload(name: str, data: bytes) -> tuple[AppTest, str]:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    assert not at.exception
    return at, hashlib.sha256(data).hexdigest()[:16]


def _labels(at: AppTest) -> list[str]:
    return [button.label for button in at.button]


def _user_tables(workspace_dir, table_type: str | None = None):
    entries = Workspace(workspace_dir).list_tables(table_type)
    return [entry for entry in entries if not entry.is_sample]


def test_corrected_file_replaces_by_default(fresh_workspace):
    at, key = _upload("orders.csv", ORDERS)
    at.button(key=f"{key}:import").click().run()
    [stored] = _user_tables(fresh_workspace, "orders")

    at, key = _upload("orders.csv", ORDERS_FIXED)
    target = at.selectbox(key=f"{key}:target")
    assert target.value == stored.id
    assert "Store as a new table" in target.options
    assert at.text_input(key=f"{key}:name").value == "orders"
    assert "Import 3 rows in place of 'orders'" in _labels(at)
    assert any(
        "A file named 'orders.csv' is already stored" in i.value for i in at.info
    )
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [replaced] = _user_tables(fresh_workspace, "orders")
    assert replaced.id == stored.id
    assert replaced.name == "orders"
    assert replaced.rows == 3


def test_shorter_file_defaults_to_new_table(fresh_workspace):
    at, key = _upload("orders.csv", ORDERS_FIXED)
    at.button(key=f"{key}:import").click().run()
    [stored] = _user_tables(fresh_workspace, "orders")

    # The first two orders only: 1 row fewer, so a new table is the default.
    shorter = ORDERS
    at, key = _upload("orders.csv", shorter)
    assert at.selectbox(key=f"{key}:target").value == ""
    assert "Import 2 rows as new table 'orders (2)'" in _labels(at)
    assert not at.warning
    infos = " ".join(info.value for info in at.info)
    assert (
        "Importing stores this file as a table of its own, because replacing "
        "that table would lose 1 row (2 instead of 3)." in infos
    )

    # Choosing to replace names what is lost before the import.
    at.selectbox(key=f"{key}:target").set_value(stored.id).run()
    assert [w.value for w in at.warning] == [
        "Replacing 'orders' loses 1 row (2 instead of 3). The replaced "
        "table is not kept; store the file as a new table to keep both."
    ]
    [kept] = _user_tables(fresh_workspace, "orders")
    assert kept.rows == 3


def test_new_table_choice_stays(fresh_workspace):
    at, key = _upload("orders.csv", ORDERS)
    at.button(key=f"{key}:import").click().run()

    at, key = _upload("orders.csv", ORDERS_FIXED)
    at.selectbox(key=f"{key}:target").set_value("").run()
    assert "Import 3 rows as new table 'orders (2)'" in _labels(at)
    at.button(key=f"{key}:import").click().run()
    names = sorted(entry.name for entry in _user_tables(fresh_workspace, "orders"))
    assert names == ["orders", "orders (2)"]


def test_button_after_import_offers_replace(fresh_workspace):
    at, key = _upload("orders.csv", ORDERS)
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [stored] = _user_tables(fresh_workspace, "orders")
    assert [message.value for message in at.success] == ["Imported 2 rows as 'orders'."]
    # The page after the click already shows what a second click does.
    label = at.button(key=f"{key}:import").label
    assert label == "Import again: 2 rows in place of 'orders'"
    assert at.selectbox(key=f"{key}:target").value == stored.id
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [replaced] = _user_tables(fresh_workspace, "orders")
    assert replaced.id == stored.id
    assert replaced.version == 2


def test_hubspot_button_after_import_offers_replace(fresh_workspace):
    at, key = _upload("hubspot.csv", HUBSPOT)
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    label = (
        "Import again: 3 rows in place of 'hubspot stage history' and 2 rows in "
        "place of 'hubspot'"
    )
    assert at.button(key=f"{key}:import").label == label
    links = [link.proto.label for link in at.get("page_link")]
    assert links == ["See the sales KPIs"]


def test_hubspot_file_stores_both_tables(fresh_workspace):
    at, key = _upload("hubspot.csv", HUBSPOT)
    assert at.selectbox(key=f"{key}:table").value == "stage_history"
    assert at.checkbox(key=f"{key}:paired:deals").value is True
    # Deal 101 entered two stages and deal 102 one: 3 stage entries.
    label = (
        "Import 3 rows as new table 'hubspot stage history' and 2 rows as new "
        "table 'hubspot'"
    )
    assert label in _labels(at)
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [history] = _user_tables(fresh_workspace, "stage_history")
    [deals] = _user_tables(fresh_workspace, "deals")
    assert (history.name, history.rows) == ("hubspot stage history", 3)
    assert (deals.name, deals.rows) == ("hubspot", 2)


def test_hubspot_corrected_file_replaces_both(fresh_workspace):
    at, key = _upload("hubspot.csv", HUBSPOT)
    at.button(key=f"{key}:import").click().run()

    at, key = _upload("hubspot.csv", HUBSPOT_FIXED)
    # Deal 103 adds two stage entries: 3 + 2 = 5, and one deal: 2 + 1 = 3.
    label = (
        "Import 5 rows in place of 'hubspot stage history' and 3 rows in place "
        "of 'hubspot'"
    )
    assert label in _labels(at)
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [history] = _user_tables(fresh_workspace, "stage_history")
    [deals] = _user_tables(fresh_workspace, "deals")
    assert (history.name, history.rows) == ("hubspot stage history", 5)
    assert (deals.name, deals.rows) == ("hubspot", 3)


def test_hubspot_deals_only_when_unticked(fresh_workspace):
    at, key = _upload("hubspot.csv", HUBSPOT)
    at.checkbox(key=f"{key}:paired:deals").uncheck().run()
    assert "Import 3 rows as new table 'hubspot stage history'" in _labels(at)
    at.button(key=f"{key}:import").click().run()
    assert len(_user_tables(fresh_workspace, "stage_history")) == 1
    assert _user_tables(fresh_workspace, "deals") == []


def test_missing_id_defaults_to_new_table(fresh_workspace):
    at, key = _upload("orders.csv", ORDERS_FIXED)
    at.button(key=f"{key}:import").click().run()
    # As many rows as the stored 3, but order 1 is gone and order 4 is new.
    shifted = (
        b"Order ID,Customer ID,Order date,Amount\n"
        b"2,c2,2025-01-06,50.00\n"
        b"3,c3,2025-01-07,20.00\n"
        b"4,c4,2025-01-08,30.00\n"
    )
    at, key = _upload("orders.csv", shifted)
    assert at.selectbox(key=f"{key}:target").value == ""
    infos = " ".join(info.value for info in at.info)
    assert "would lose 1 row whose id is not in the new file" in infos


def test_emptied_amounts_default_to_new_table(fresh_workspace):
    at, key = _upload("orders.csv", ORDERS_FIXED)
    at.button(key=f"{key}:import").click().run()
    [stored] = _user_tables(fresh_workspace, "orders")

    # The same orders with "n/a" in every amount cell.
    emptied = (
        b"Order ID,Customer ID,Order date,Amount\n"
        b"1,c1,2025-01-05,n/a\n"
        b"2,c2,2025-01-06,n/a\n"
        b"3,c3,2025-01-07,n/a\n"
    )
    at, key = _upload("orders.csv", emptied)
    assert at.selectbox(key=f"{key}:target").value == ""
    infos = " ".join(info.value for info in at.info)
    assert (
        "would lose every value of Amount (the new file's column 'Amount' is "
        "empty)" in infos
    )
    at.selectbox(key=f"{key}:target").set_value(stored.id).run()
    assert [w.value for w in at.warning] == [
        "Replacing 'orders' loses every value of Amount (the new file's column "
        "'Amount' is empty). The replaced table is not kept; store the file as "
        "a new table to keep both."
    ]


def _orders(amounts: list[str]) -> bytes:
    rows = [
        f"{n},c{n},2025-01-{n:02d},{amount}\n" for n, amount in enumerate(amounts, 1)
    ]
    return ("Order ID,Customer ID,Order date,Amount\n" + "".join(rows)).encode()


def test_mostly_emptied_amounts_default_to_new_table(fresh_workspace):
    at, key = _upload("orders.csv", _orders(["10.00"] * 20))
    at.button(key=f"{key}:import").click().run()

    # The same 20 orders with an amount in the first 9 rows only: 9 of 20
    # (45 %) filled, under half of the stored 20 of 20.
    at, key = _upload("orders.csv", _orders(["10.00"] * 9 + ["n/a"] * 11))
    assert at.selectbox(key=f"{key}:target").value == ""
    infos = " ".join(info.value for info in at.info)
    assert (
        "would lose most values of Amount (the new file's column 'Amount' has "
        "9 of 20 filled)" in infos
    )


def test_column_empty_before_still_replaces(fresh_workspace):
    # "Campaign" is mapped but empty in both versions, so nothing is lost.
    first = (
        b"Order ID,Customer ID,Order date,Amount,Campaign\n"
        b"1,c1,2025-01-05,100.00,\n"
        b"2,c2,2025-01-06,50.00,\n"
    )
    at, key = _upload("orders.csv", first)
    at.button(key=f"{key}:import").click().run()
    [stored] = _user_tables(fresh_workspace, "orders")
    assert stored.mapping["campaign"] == "Campaign"

    at, key = _upload("orders.csv", first + b"3,c3,2025-01-07,20.00,\n")
    assert at.selectbox(key=f"{key}:target").value == stored.id
    assert "Import 3 rows in place of 'orders'" in _labels(at)


def _spend(campaigns: list[str]) -> bytes:
    rows = [
        f"2025-01-{day:02d},{campaign},10.00\n"
        for day, campaign in enumerate(campaigns, 1)
    ]
    return ("Date,Campaign,Cost\n" + "".join(rows)).encode()


def test_spend_with_emptied_campaigns_replaces_and_warns(fresh_workspace):
    at, key = _upload("ads.csv", _spend(["Spring"] * 4))
    at.button(key=f"{key}:import").click().run()
    [stored] = _user_tables(fresh_workspace, "spend")

    # A longer export of the same file name names the campaign in 1 of 8
    # rows. A second spend table would double the spend, so it replaces.
    at, key = _upload("ads.csv", _spend(["Spring"] + [""] * 7))
    assert at.selectbox(key=f"{key}:target").value == stored.id
    warnings = " ".join(warning.value for warning in at.warning)
    assert (
        "Replacing 'ads' loses most values of Campaign (the new file's column "
        "'Campaign' has 1 of 8 filled)" in warnings
    )
