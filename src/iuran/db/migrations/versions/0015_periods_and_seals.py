"""Periods and seals of the books; on PostgreSQL the charge lines partitioned by month (docs/ledger.md, "Periods
and seals").

- `ledger_period`: the months the books were open for, one row per period; the latest is the open one. Period 0
  is the opening period: whatever was written before the first cycle.
- `period` on every money row but the charge lines: the period open when the row was written (a line's period is
  its month: only the cycle of the month writes lines). Rows already there get the latest cycle month at or before
  the month they speak of (a charge's month, a payment's day, an allocation's, a write-off's, a reversal's,
  a deferral's), or 0.
- `ledger_seal` and `ledger_seal_table`: a closed period's digest, per table and chained to the previous seal.
- `open_item_month`: the open items of a month, which the cycle adds to the statuses of the month before.
- PostgreSQL: `charge_line` becomes a table partitioned by month, one partition per month (and a default one for
  lines of a month that has none), each with its own index by (person, month): billing a month writes a fresh
  partition and a fresh index, whatever the years of history before it.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The tables whose rows carry their period, and the day (or month) an existing row speaks of.
_PERIOD_OF = {
    "charge": "month",
    "payment": "paid_at",
    "allocation": "allocated_on",
    "writeoff": "written_off_on",
    "reversal": "reversed_on",
    "arrears_deferral": "deferred_on",
}
_LINE_COLUMNS = (
    "charge_id BIGINT NOT NULL, person_id BIGINT NOT NULL, month INTEGER NOT NULL, segment VARCHAR(8) NOT NULL,"
    " kelas SMALLINT, amount BIGINT NOT NULL, participant BIGINT NOT NULL, government BIGINT NOT NULL,"
    " employer BIGINT NOT NULL, worker BIGINT NOT NULL"
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "ledger_period",
        sa.Column("month", sa.Integer, primary_key=True),  # yyyymm; 0: the opening period
        sa.Column("opened_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "ledger_seal",
        sa.Column("month", sa.Integer, primary_key=True),
        sa.Column("previous", sa.String(64), nullable=False),  # the previous seal's digest; '' for the first
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("sealed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "ledger_seal_table",
        sa.Column("month", sa.Integer, sa.ForeignKey("ledger_seal.month"), primary_key=True),
        sa.Column("table_name", sa.String(24), primary_key=True),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),  # the sum of the rows' amounts: the period's totals
        sa.Column("digest", sa.String(64), nullable=False),
    )
    _append_only(("ledger_period", "ledger_seal", "ledger_seal_table"), postgres)

    cycles = [r[0] for r in op.get_bind().execute(sa.text("SELECT DISTINCT month FROM cycle_step ORDER BY month"))]
    if cycles:
        op.execute(
            "INSERT INTO ledger_period (month, opened_at) SELECT 0, min(finished_at) FROM cycle_step"
            " UNION ALL SELECT month, min(finished_at) FROM cycle_step GROUP BY month"
        )
    for table, spoken in _PERIOD_OF.items():
        op.add_column(table, sa.Column("period", sa.Integer, nullable=False, server_default="0"))
        if cycles:
            column = f"{table}.{spoken}"
            month = column if spoken == "month" else _month_of(column, postgres)
            _rewrite(
                table,
                f"UPDATE {table} SET period = COALESCE("
                f"(SELECT max(p.month) FROM ledger_period p WHERE p.month <= {month}), 0)",
                postgres,
            )
        op.create_index(f"{table}_period", table, ["period"])
    # The cycle adds the month before's open items to the statuses (iuran.billing.months_open): found by month.
    op.create_index("open_item_month", "open_item", ["month"])
    if postgres:
        _partition_lines()


def _month_of(column: str, postgres: bool) -> str:
    return (
        f"CAST(to_char({column}, 'YYYYMM') AS INTEGER)" if postgres else f"CAST(strftime('%Y%m', {column}) AS INTEGER)"
    )


def _rewrite(table: str, update: str, postgres: bool) -> None:
    """One UPDATE of a ledger table, its append-only triggers set aside for it (the migration's own transaction)."""
    if postgres:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        op.execute(update)
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        return
    op.execute(f"DROP TRIGGER {table}_no_update")
    op.execute(update)
    op.execute(
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'ledger is append-only: UPDATE on {table} is not allowed'); END"
    )


def _partition_lines() -> None:
    op.execute("ALTER TABLE charge_line RENAME TO charge_line_unpartitioned")
    op.execute("DROP INDEX charge_line_person")
    op.execute("DROP INDEX charge_line_month")
    op.execute(f"CREATE TABLE charge_line ({_LINE_COLUMNS}) PARTITION BY RANGE (month)")
    op.execute("CREATE TABLE charge_line_default PARTITION OF charge_line DEFAULT")
    months = [r[0] for r in op.get_bind().execute(sa.text("SELECT DISTINCT month FROM charge_line_unpartitioned"))]
    for month in months:
        op.execute(
            f"CREATE TABLE charge_line_{month} PARTITION OF charge_line FOR VALUES FROM ({month}) TO ({month + 1})"
        )
    op.execute("INSERT INTO charge_line SELECT * FROM charge_line_unpartitioned")
    op.execute("DROP TABLE charge_line_unpartitioned")
    op.execute("CREATE INDEX charge_line_person ON charge_line (person_id, month)")
    # Row triggers on the partitioned table reach every partition, the ones to come too; TRUNCATE is a statement
    # of one table, so each partition gets its own (iuran.db.partitions does it for the new ones).
    op.execute(
        "CREATE TRIGGER charge_line_append_only BEFORE UPDATE OR DELETE ON charge_line "
        "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
    )
    for name in ("charge_line", "charge_line_default", *(f"charge_line_{m}" for m in months)):
        op.execute(
            f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )


def _append_only(tables: tuple[str, ...], postgres: bool) -> None:
    for table in tables:
        if postgres:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
        else:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger is append-only: {event} on {table} is not allowed'); END"
                )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(f"CREATE TABLE charge_line_plain ({_LINE_COLUMNS})")
        op.execute("INSERT INTO charge_line_plain SELECT * FROM charge_line")
        op.execute("DROP TABLE charge_line")
        op.execute("ALTER TABLE charge_line_plain RENAME TO charge_line")
        op.execute("CREATE INDEX charge_line_person ON charge_line (person_id, month)")
        op.execute("CREATE INDEX charge_line_month ON charge_line USING brin (month)")
        for event, when in (("append_only", "UPDATE OR DELETE"), ("no_truncate", "TRUNCATE")):
            op.execute(
                f"CREATE TRIGGER charge_line_{event} BEFORE {when} ON charge_line "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
    for table in _PERIOD_OF:
        op.drop_index(f"{table}_period", table)
        op.drop_column(table, "period")
    op.drop_index("open_item_month", "open_item")
    op.drop_table("ledger_seal_table")
    op.drop_table("ledger_seal")
    op.drop_table("ledger_period")
