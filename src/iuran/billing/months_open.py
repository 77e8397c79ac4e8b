"""What each account owes from before a month, for the cycle's status step: per account the months with an open
item before :m, their Rupiah, the first of them and the months that count toward suspension (`counting`: a month
whose open items a 2020 reactivation all deferred does not count while deferred, `iuran.billing.deferral`).

The statuses the previous cycle wrote (and every payment since kept current, which `ledger verify` proves) already
hold all that for the months before their `as_of_month`; so when every status is of the month before, the step adds
only that month's open items to them, and a month's cost does not grow with the years of arrears behind it. Accounts
without a status yet, and a database whose statuses are of another month, are summed from their open items whole.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from iuran.billing.deferral import deferred_join

_WHOLE = """
SELECT i.account_id, count(DISTINCT i.month) AS months, sum(i.amount_open) AS amount, min(i.month) AS since,
       count(DISTINCT CASE WHEN f.charge_id IS NULL THEN i.month END) AS counting
FROM open_item i {deferred} WHERE i.month < :m {only} GROUP BY i.account_id"""

# Months before :m whose open items are all deferred, per account with a deferral (a handful of accounts).
_DEFERRED_MONTHS = """
SELECT account_id, count(*) AS months FROM (
  SELECT i.account_id, i.month FROM open_item i {deferred}
  WHERE i.month < :m AND i.account_id IN (SELECT account_id FROM arrears_deferral)
  GROUP BY i.account_id, i.month HAVING count(f.charge_id) = count(*)) x
GROUP BY account_id"""

_ADDED = """
SELECT s.account_id, s.months_in_arrears + COALESCE(n.months, 0) AS months,
       s.arrears_amount + COALESCE(n.amount, 0) AS amount, COALESCE(s.unpaid_since, n.since) AS since,
       s.months_in_arrears + COALESCE(n.months, 0) - COALESCE(d.months, 0) AS counting
FROM account_status s
LEFT JOIN (SELECT account_id, count(DISTINCT month) AS months, sum(amount_open) AS amount, min(month) AS since
           FROM open_item WHERE month >= :previous AND month < :m GROUP BY account_id) n ON n.account_id = s.account_id
LEFT JOIN ({deferred_months}) d ON d.account_id = s.account_id
UNION ALL
{whole_of_new}"""


def months_open_sql(conn: Connection, month: int, previous: int) -> str:
    """SQL (over :m, :first, and :previous, the month before :m) of the open months before :m per account."""
    deferred = deferred_join("i", ":m", ":first")
    stale = conn.execute(text("SELECT 1 FROM account_status WHERE as_of_month <> :p LIMIT 1"), {"p": previous}).first()
    if stale is not None or month <= previous:
        return _WHOLE.format(deferred=deferred, only="")
    return _ADDED.format(
        deferred_months=_DEFERRED_MONTHS.format(deferred=deferred),
        whole_of_new=_WHOLE.format(
            deferred=deferred,
            only="AND i.account_id IN (SELECT a.id FROM account a LEFT JOIN account_status s ON s.account_id = a.id"
            " WHERE s.account_id IS NULL)",
        ),
    )
