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
- PostgreSQL: `charge_line` and `charge` become tables partitioned by month, one partition per month (and a
  default one for rows of a month that has none: the opening arrears, odd months), each with its own indexes (the
  lines' by person and month, the charges' unique account × month × kind): billing a month writes fresh partitions
  and fresh indexes, whatever the years of history before it. A partitioned `charge` is keyed by id and month, so
  the foreign keys to `charge.id` go (`iuran ledger verify` proves every reference, as it does those of 0004).

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
        _partition_charges()


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


# The charge kinds an account may owe more than once a month (migration 0012).
_REPEATED = "('subsidy_central', 'subsidy_pemda', 'service_penalty')"
# Foreign keys to `charge.id`, which a partitioned table cannot serve (its key is the id and the month);
# `iuran ledger verify` proves each reference (reversal_without_line, deferral_disagrees_with_charge,
# penalty_disagrees_with_claim).
_TO_CHARGE = (
    ("reversal", "reversal_charge_id_fkey"),
    ("arrears_deferral", "arrears_deferral_charge_id_fkey"),
    ("claim_event", "claim_event_charge_id_fkey"),
)


def _partition_charges() -> None:
    """`charge` partitioned by month: a partition per month a cycle billed, the months before the first cycle
    (the opening arrears) and any other in the default one."""
    for table, constraint in _TO_CHARGE:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {constraint}")
    op.execute("ALTER TABLE charge RENAME TO charge_unpartitioned")
    for index in ("charge_once", "charge_kind_month", "charge_period"):
        op.execute(f"DROP INDEX {index}")
    op.execute("ALTER TABLE charge_unpartitioned DROP CONSTRAINT charge_pkey")
    op.execute(
        "CREATE TABLE charge (id BIGINT NOT NULL DEFAULT nextval('charge_id_seq'), account_id BIGINT NOT NULL,"
        " month INTEGER NOT NULL, kind VARCHAR(16) NOT NULL, members INTEGER NOT NULL, amount BIGINT NOT NULL,"
        " created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, period INTEGER NOT NULL DEFAULT 0,"
        " CONSTRAINT charge_amount CHECK (amount >= 0), CONSTRAINT charge_pkey PRIMARY KEY (id, month))"
        " PARTITION BY RANGE (month)"
    )
    op.execute("ALTER SEQUENCE charge_id_seq OWNED BY charge.id")
    op.execute("CREATE TABLE charge_default PARTITION OF charge DEFAULT")
    months = [
        r[0]
        for r in op.get_bind().execute(
            sa.text(
                "SELECT DISTINCT month FROM charge_unpartitioned"
                " WHERE month >= (SELECT COALESCE(min(month), 0) FROM cycle_step)"
            )
        )
    ]
    for month in months:
        op.execute(f"CREATE TABLE charge_{month} PARTITION OF charge FOR VALUES FROM ({month}) TO ({month + 1})")
    op.execute(
        "INSERT INTO charge SELECT id, account_id, month, kind, members, amount, created_at, period"
        " FROM charge_unpartitioned"
    )
    op.execute("DROP TABLE charge_unpartitioned")
    op.execute(f"CREATE UNIQUE INDEX charge_once ON charge (account_id, month, kind) WHERE kind NOT IN {_REPEATED}")
    op.execute("CREATE INDEX charge_kind_month ON charge (kind, month) INCLUDE (amount, account_id)")
    op.execute("CREATE INDEX charge_period ON charge (period)")
    op.execute(
        "CREATE TRIGGER charge_append_only BEFORE UPDATE OR DELETE ON charge "
        "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
    )
    for name in ("charge", "charge_default", *(f"charge_{m}" for m in months)):
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
    if postgres:
        _unpartition_charges()
    for table in _PERIOD_OF:
        op.drop_index(f"{table}_period", table)
        op.drop_column(table, "period")
    op.drop_index("open_item_month", "open_item")
    op.drop_table("ledger_seal_table")
    op.drop_table("ledger_seal")
    op.drop_table("ledger_period")


def _unpartition_charges() -> None:
    op.execute(
        "CREATE TABLE charge_plain (id BIGINT NOT NULL DEFAULT nextval('charge_id_seq'), account_id BIGINT NOT NULL,"
        " month INTEGER NOT NULL, kind VARCHAR(16) NOT NULL, members INTEGER NOT NULL,"
        " amount BIGINT NOT NULL, created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, period INTEGER NOT NULL DEFAULT 0,"
        " CONSTRAINT charge_plain_amount CHECK (amount >= 0))"
    )
    op.execute("ALTER SEQUENCE charge_id_seq OWNED BY charge_plain.id")
    op.execute("INSERT INTO charge_plain SELECT * FROM charge")
    op.execute("DROP TABLE charge")
    op.execute("ALTER TABLE charge_plain RENAME TO charge")
    op.execute("ALTER TABLE charge RENAME CONSTRAINT charge_plain_amount TO charge_amount")
    op.execute("ALTER TABLE charge ADD CONSTRAINT charge_pkey PRIMARY KEY (id)")
    op.execute(f"CREATE UNIQUE INDEX charge_once ON charge (account_id, month, kind) WHERE kind NOT IN {_REPEATED}")
    op.execute("CREATE INDEX charge_kind_month ON charge (kind, month) INCLUDE (amount, account_id)")
    op.execute("CREATE INDEX charge_period ON charge (period)")
    for table, constraint in _TO_CHARGE:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} FOREIGN KEY (charge_id) REFERENCES charge (id)")
    for event, when in (("append_only", "UPDATE OR DELETE"), ("no_truncate", "TRUNCATE")):
        op.execute(
            f"CREATE TRIGGER charge_{event} BEFORE {when} ON charge "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )
