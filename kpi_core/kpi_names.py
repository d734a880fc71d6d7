"""The name of each KPI as a reader sees it, by the key the results carry."""

from __future__ import annotations

KPI_NAMES = {
    "close_rate": "Close rate",
    "win_rate": "Win rate",
    "average_deal_size": "Average deal size",
    "won_value": "Won value",
    "upsell_rate": "Upsell rate",
    "stage_duration_days": "Time in each stage",
    "sales_cycle_days": "Sales cycle",
    "clv": "Customer lifetime value",
    "cac": "Customer acquisition cost",
    "clv_to_cac": "CLV : CAC",
    "payback_months": "CAC payback",
    "campaign_revenue": "Campaign revenue",
    "list_growth_rate": "Email-list growth",
    "arr": "ARR",
    "nps": "Net Promoter Score",
    "churn_rate": "Churn rate",
    "resolution_hours": "Time to resolution",
    "followups_per_ticket": "Follow-ups per ticket",
}


def kpi_name(key: str) -> str:
    """Return the name of the KPI ``key``, or the key in words for a key
    without one."""
    if key in KPI_NAMES:
        return KPI_NAMES[key]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]
