"""What a payer account may settle on a day: the open items a payment meets, set-based (docs/ledger.md, "Payments").

`due_items` is the one statement that says it, for one request or a million: the payments of an import round, a
bank's inquiry, the counter's single payment and the synthetic branch's banks all ask it. A request is a row with
`line_no`, `account_id`, `whole_bill`, `arrears_cap`, `paid_month`, `paid_on` and `amount`:
- `whole_bill = 1` (the payment policy of families, `iuran.rules.payment_policy`): the open months up to the month
  of payment; of the months in arrears (before that month) the latest `arrears_cap` are billed, older ones are
  written off with the payment (`writes_off = 1`; Perpres 64/2020 Pasal 42(3)); of the billed ones, while a rule
  defers the rest (2020, Pasal 42(3a)), only the latest few are due and the others stay owed (`writes_off = 2`,
  `iuran.billing.deferral`), as do months an earlier payment deferred until their due month is past. The month of
  payment, when open, is the newest month, so a month's rank among the arrears is its rank among all months less
  one if the newest open month is the month of payment.
- `whole_bill = 0` (employers, governments): every open item, with the total of the whole months up to its own
  (`cum`, oldest first), so that a payment settles the oldest k months exactly.
One sort, newest month first, serves every window.
"""

from __future__ import annotations

from collections.abc import Sequence

from iuran.billing.deferral import deferred_join, due_now_sql
from iuran.billing.payments_staging import Dialect
from iuran.rules.rulebook import Rulebook

DUE_COLUMNS = ("line_no", "charge_id", "account_id", "month", "amount_open", "amount", "writes_off", "cum")

# writes_off: what a payment does with an open item it meets.
SETTLES, WRITES_OFF, DEFERS = 0, 1, 2


def due_items(d: Dialect, requests: str, rules: Rulebook, where: str = "1 = 1") -> str:
    """A SELECT of `DUE_COLUMNS`: every open item each request of `requests` (a table or a parenthesised SELECT
    with `paid_on` too, filtered by `where` over its alias `t`) meets.

    `writes_off`: 0 the payment settles it (a family's bill), 1 writes it off, 2 leaves it deferred. The months
    written off are the oldest, the deferred ones the next oldest: a deferred month's `cum` less what the payment
    writes off is the deferred months' running total up to it, and a family's payment beyond its bill settles the
    deferred months that total covers.
    """
    due_now = due_now_sql("v.paid_on", rules, d)
    return f"""
          SELECT v.line_no, v.charge_id, v.account_id, v.month, v.amount_open, v.amount,
                 CASE WHEN v.whole_bill = 1 AND v.deferred = 1 THEN {DEFERS}
                      WHEN v.whole_bill = 1 AND v.month < v.paid_month AND v.arrears_cap IS NOT NULL
                       AND v.arrears_rank > v.arrears_cap THEN {WRITES_OFF}
                      WHEN v.whole_bill = 1 AND v.month < v.paid_month AND v.arrears_rank > {due_now} THEN {DEFERS}
                      ELSE {SETTLES} END AS writes_off,
                 v.cum
          FROM (
            SELECT u.*, u.month_rank - CASE WHEN u.newest_month = u.paid_month THEN 1 ELSE 0 END AS arrears_rank
            FROM (
              SELECT t.line_no, o.charge_id, o.account_id, o.month, o.amount_open, t.amount, t.whole_bill,
                     t.arrears_cap, t.paid_month, t.paid_on,
                     CASE WHEN f.charge_id IS NULL THEN 0 ELSE 1 END AS deferred,
                     dense_rank() OVER newest AS month_rank,
                     first_value(o.month) OVER newest AS newest_month,
                     sum(o.amount_open) OVER (newest RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS cum
              FROM {requests} t
              JOIN open_item o ON o.account_id = t.account_id
              {deferred_join("o", "t.paid_month", "t.paid_on")}
              WHERE {where} AND (t.whole_bill = 0 OR o.month <= t.paid_month)
                AND {d.among("o.account_id", f"SELECT t.account_id FROM {requests} t WHERE {where}")}
              WINDOW newest AS (PARTITION BY t.line_no ORDER BY o.month DESC)
            ) u
          ) v
    """


def sql_among(column: str, values: Sequence[str]) -> str:
    """`column` is one of `values` (quoted literals of the rule data), or false when there are none."""
    if not values:
        return "1 = 0"
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"
