"""The example headers that the "no column found" message names: header
names that CRM exports write, at most two, each an alias of its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file
from kpi_core.mapping import SNAPSHOT_FIELDS
from kpi_core.schema import TABLES

# Files in real export formats, each without one required column.
CASES = [
    pytest.param(
        "opportunities.csv",
        # A Salesforce opportunity report without its Created Date column.
        "Opportunity Name,Account Name,Stage,Amount,Close Date\n"
        "Big deal,Acme,Closed Won,1000,3/10/2017\n",
        None,
        "no column found for Created date (for example 'Create Date' or "
        "'Created Date') of a deals table",
        id="salesforce-report-no-created-date",
    ),
    pytest.param(
        "pipedrive-deals.csv",
        # A Pipedrive deals export without "Deal - Deal created".
        "Deal - ID,Deal - Title,Deal - Value,Deal - Stage,Deal - Status\n"
        "7,Big deal,1000,Negotiation,open\n",
        None,
        "no column found for Created date (for example 'Create Date' or "
        "'Created Date') of a deals table",
        id="pipedrive-no-created",
    ),
    pytest.param(
        "hubspot-deals.csv",
        # A HubSpot deals export without its Deal Stage column.
        "Record ID,Deal Name,Amount,Close Date,Create Date\n"
        "1,Big deal,1000,2024-01-02,2024-01-01\n",
        None,
        "no column found for Stage (for example 'Deal Stage' or 'Stage Name') "
        "of a deals table",
        id="hubspot-no-deal-stage",
    ),
    pytest.param(
        "OpportunityHistory.csv",
        # A Salesforce OpportunityHistory export without OpportunityId.
        "StageName,CreatedDate\nProspecting,2017-03-04T16:27:00.000Z\n",
        "stage_history",
        "no column found for Deal ID (for example 'Opportunity ID' or "
        "'Record ID') of a deal stage history table",
        id="salesforce-history-no-opportunity",
    ),
]


@pytest.mark.parametrize(("name", "content", "table", "expected"), CASES)
def test_missing_column_names_export_headers(
    tmp_path: Path, name: str, content: str, table: str | None, expected: str
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MissingColumnError) as caught:
        load_file(path.name, path.read_bytes(), table=table)
    message = str(caught.value)
    assert expected in message
    assert "engage_date" not in message
    assert "opportunity_id" not in message


def _shown_fields():
    """Yield every field that the message can name: the required fields of
    each table type and the snapshot fields of a customer list."""
    for schema in TABLES.values():
        names = list(schema.required)
        if schema.name == "subscriptions":
            names += SNAPSHOT_FIELDS
        for name in names:
            yield pytest.param(schema.field(name), id=f"{schema.name}-{name}")


@pytest.mark.parametrize("field", list(_shown_fields()))
def test_examples_are_export_aliases(field):
    assert 1 <= len(field.examples) <= 2
    for example in field.examples:
        assert example in field.aliases[1:]
        # A snake_case name comes from a data set, not from a CRM export.
        assert "_" not in example
