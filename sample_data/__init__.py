"""The built-in demo data set and the generator that writes it.

``python -m sample_data.generate`` rewrites the CSV files in this folder.
"""

# Each demo file and the table type it is imported as.
SAMPLE_FILES = {
    "deals.csv": "deals",
    "stage_history.csv": "stage_history",
    "subscriptions.csv": "subscriptions",
    "orders.csv": "orders",
    "spend.csv": "spend",
    "email_events.csv": "email_events",
    "nps.csv": "nps",
    "tickets.csv": "tickets",
    "ticket_messages.csv": "ticket_messages",
}
