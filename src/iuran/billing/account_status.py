"""An account's status after its open items change outside a payment (a reversal, a government share billed late).

The status says what the open items say: the months, Rupiah and first month in arrears before the status month
(`as_of_month`); an account with months in arrears is not active (from `day`). A payment moves statuses itself
(`iuran.billing.payments_settle.update_account_status`), the cycle rebuilds them all (`status`); `ledger verify`
proves every one against the open items.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text


def restate(conn: Connection, accounts: str, params: dict[str, object], day: dt.date) -> None:
    """Bring the statuses of `accounts` (a SELECT of account ids over `params`) in line with their open items."""
    conn.execute(
        text(
            f"""
            UPDATE account_status SET
              months_in_arrears = COALESCE(o.months, 0), arrears_amount = COALESCE(o.amount, 0),
              unpaid_since = o.since,
              status_since = CASE WHEN account_status.active AND COALESCE(o.months, 0) > 0 THEN :day
                                  ELSE account_status.status_since END,
              active = account_status.active AND COALESCE(o.months, 0) = 0
            FROM account_status t
            LEFT JOIN (SELECT i.account_id, count(DISTINCT i.month) AS months, sum(i.amount_open) AS amount,
                              min(i.month) AS since
                       FROM open_item i JOIN account_status s ON s.account_id = i.account_id
                       WHERE i.month < s.as_of_month AND i.account_id IN ({accounts})
                       GROUP BY i.account_id) o ON o.account_id = t.account_id
            WHERE account_status.account_id = t.account_id AND t.account_id IN ({accounts})
            """
        ),
        params | {"day": day},
    )
