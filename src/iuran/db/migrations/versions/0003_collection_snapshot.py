"""Collection snapshot: what the collectibility report reads instead of a year of charges, allocations and payments.

The monthly cycle's last step (`collection`, docs/ledger.md) writes, for its month C, the collectibility figures
of the months C − 11 .. C as the ledger stood when the step ran, counting only rows dated before the 1st of C.
`snapshot_collection_mark` records which ledger rows the step saw (the highest id of each table), so that a report
can add exactly what the snapshot left out.

Cycles finished before this migration get their `collection` step recorded as done without a snapshot: the
report reads the ledger in full for them, and the next cycle builds its snapshot from the ledger.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger
MONTH = sa.Integer  # yyyymm
ID = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "snapshot_collection_mark",
        sa.Column("month", MONTH, primary_key=True),  # the cycle month C; the snapshot counts rows dated before its 1st
        # The highest id of each ledger table when the snapshot was taken (0: none): rows above it came later.
        sa.Column("charge_id", ID, nullable=False),
        sa.Column("reversal_id", ID, nullable=False),
        sa.Column("allocation_id", ID, nullable=False),
        sa.Column("payment_id", ID, nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "snapshot_collection",
        sa.Column("month", MONTH, primary_key=True),  # the cycle month C
        sa.Column("period", MONTH, primary_key=True),  # the month billed (billed, collected) or paid (cash): C-11..C
        sa.Column("kind", sa.String(12), primary_key=True),  # the payer account's kind
        sa.Column("kabkota_code", sa.String(5), primary_key=True),  # the payer account's; '' when it has none
        sa.Column("billed", MONEY, nullable=False),
        sa.Column("collected", MONEY, nullable=False),
        sa.Column("cash", MONEY, nullable=False),
    )
    op.execute(
        "INSERT INTO cycle_step (month, step, rows, finished_at) "
        "SELECT month, 'collection', 0, finished_at FROM cycle_step s WHERE step = 'snapshot' "
        "AND NOT EXISTS (SELECT 1 FROM cycle_step c WHERE c.month = s.month AND c.step = 'collection')"
    )


def downgrade() -> None:
    op.execute("DELETE FROM cycle_step WHERE step = 'collection'")
    op.drop_table("snapshot_collection")
    op.drop_table("snapshot_collection_mark")
