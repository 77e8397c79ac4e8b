"""An account's status after its open items change outside a payment (a reversal, a government share billed late).

The status says what the open items say: the months, Rupiah and first month in arrears before the status month
(`as_of_month`); an account with more months in arrears than its suspension rule tolerates is not active (from
`day`). A payment moves statuses itself
(`iuran.billing.payments_settle.update_account_status`), the cycle rebuilds them all (`status`); `ledger verify`
proves every one against the open items.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text

from iuran.billing.deferral import deferred_join
from iuran.billing.suspension import months_tolerated_sql
from iuran.db.months import to_db
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook


def restate(conn: Connection, accounts: str, params: dict[str, object], day: dt.date, rules: Rulebook) -> None:
    """Bring the statuses of `accounts` (a SELECT of account ids over `params`) in line with their open items: an
    active account with more months in arrears than its suspension rule tolerates is suspended from `day`."""
    judged_on = f"CASE WHEN t.as_of_month = {to_db(Month.of(day))} THEN {day.day} ELSE 1 END"
    suspended = f"COALESCE(o.counting, 0) > {months_tolerated_sql('a.kind', 't.as_of_month', rules, judged_on)}"
    conn.execute(
        text(
            f"""
            UPDATE account_status SET
              months_in_arrears = COALESCE(o.months, 0), arrears_amount = COALESCE(o.amount, 0),
              unpaid_since = o.since,
              status_since = CASE WHEN account_status.active AND {suspended} THEN :day
                                  ELSE account_status.status_since END,
              active = account_status.active AND NOT {suspended}
            FROM account_status t
            JOIN account a ON a.id = t.account_id
            LEFT JOIN (SELECT i.account_id, count(DISTINCT i.month) AS months, sum(i.amount_open) AS amount,
                              min(i.month) AS since,
                              count(DISTINCT CASE WHEN f.charge_id IS NULL THEN i.month END) AS counting
                       FROM open_item i JOIN account_status s ON s.account_id = i.account_id
                       {deferred_join("i", "s.as_of_month", ":day")}
                       WHERE i.month < s.as_of_month AND i.account_id IN ({accounts})
                       GROUP BY i.account_id) o ON o.account_id = t.account_id
            WHERE account_status.account_id = t.account_id AND t.account_id IN ({accounts})
            """
        ),
        params | {"day": day},
    )
