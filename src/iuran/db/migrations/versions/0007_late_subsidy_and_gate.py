"""The month absorbs late payments, and its work and the payments take turns (docs/ledger.md, "Concurrency").

- `books_gate`: an empty table whose lock is the turnstile between the monthly cycle's steps and the payments on
  PostgreSQL. A step holds it in SHARE mode (steps side by side share it), a payment in ROW EXCLUSIVE mode
  (payments side by side share it); the two modes exclude each other, so that a step never sees half a payment
  and a payment never half a step.
- A government account may be billed its Kelas III subsidy for a month more than once: by the cycle, then for the
  participants a late payment made active that month (`iuran.billing.month_refresh`). Every other charge stays one
  per account, month and kind. SQLite cannot drop a table's constraint: the table is rebuilt, with its triggers.

Revision ID: 0007
Revises: 0006
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The charge kinds that may repeat for an account and month: the government's share, billed again for the newly
# active (the cycle's `subsidy` step and `iuran.billing.month_refresh` write them).
REPEATED = "('subsidy_central', 'subsidy_pemda')"


def upgrade() -> None:
    op.create_table("books_gate", sa.Column("id", sa.Integer, primary_key=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE charge DROP CONSTRAINT charge_account_month_kind")
    else:
        _rebuild_sqlite_charge()
    op.execute(f"CREATE UNIQUE INDEX charge_once ON charge (account_id, month, kind) WHERE kind NOT IN {REPEATED}")


def _rebuild_sqlite_charge() -> None:
    """The charge table again, without its UNIQUE constraint: the same columns, rows, indexes and triggers."""
    bind = op.get_bind()
    ddl = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'charge'")).scalar_one()
    extras = (
        bind.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'charge' AND type IN ('index', 'trigger')"
                " AND sql IS NOT NULL AND name <> 'charge_once'"
            )
        )
        .scalars()
        .all()
    )
    ddl = ddl.replace('CREATE TABLE "charge"', "CREATE TABLE charge", 1)
    rebuilt = re.sub(r",\s*CONSTRAINT charge_account_month_kind UNIQUE \([^)]*\)", "", ddl)
    if rebuilt == ddl:  # migrated down before: 0007's downgrade kept the table and added the rule as an index
        op.execute("DROP INDEX IF EXISTS charge_account_month_kind")
        return
    # Foreign keys are off while migrations run on SQLite (`iuran.db.migrate.upgrade`, which checks them after):
    # the rows that reference a charge find the rebuilt table under the old name.
    op.execute(rebuilt.replace("CREATE TABLE charge", "CREATE TABLE charge_rebuilt", 1))
    op.execute("INSERT INTO charge_rebuilt SELECT * FROM charge")
    op.execute("DROP TABLE charge")
    op.execute("ALTER TABLE charge_rebuilt RENAME TO charge")
    for sql in extras:
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP INDEX charge_once")
    op.drop_table("books_gate")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE charge ADD CONSTRAINT charge_account_month_kind UNIQUE (account_id, month, kind)")
    else:  # the same rule as an index: a table is rebuilt only with foreign keys off, which a downgrade is not
        op.execute("CREATE UNIQUE INDEX charge_account_month_kind ON charge (account_id, month, kind)")
