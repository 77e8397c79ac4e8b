"""References of the bulk-written books proved by `iuran ledger verify`, not by per-row triggers (PostgreSQL).

PostgreSQL checks a foreign key with a trigger per inserted row that looks the referenced row up and locks it
(`FOR KEY SHARE`): a write to the referenced table's page and to the WAL for every row. The monthly cycle writes
about half a million charges, open items and account statuses, and an import a quarter of a million payments and
their allocations; those checks cost more than the writes themselves (5.2 s instead of 1.3 s for the statuses of
a 5.3-million-participant branch). On these tables the references are
- written set-based, from a join with the row they point at (a charge from its account, an allocation from the
  open item and the payment it settles), and
- never left dangling afterwards: charges and payments are append-only (triggers refuse DELETE), accounts are
  never deleted;
and `iuran ledger verify` proves each of them (docs/ledger.md, "Proof"). SQLite keeps the foreign keys: its
checks are plain index probes.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, column, referenced table)
REFERENCES = (
    ("charge", "account_id", "account"),
    ("payment", "account_id", "account"),
    ("allocation", "payment_id", "payment"),
    ("allocation", "charge_id", "charge"),
    ("writeoff", "charge_id", "charge"),
    ("writeoff", "payment_id", "payment"),
    ("open_item", "charge_id", "charge"),
    ("account_status", "account_id", "account"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, _ in REFERENCES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_fkey")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, referenced in REFERENCES:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey"
            f" FOREIGN KEY ({column}) REFERENCES {referenced}(id)"
        )
