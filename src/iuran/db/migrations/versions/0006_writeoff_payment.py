"""An index of the write-offs by the payment that made them.

A payment's result (what it settled and wrote off) is read back by its id: for the payment just posted and for the
same reference sent again. Allocations have had such an index since 0001; write-offs, being few, had none, and a
branch's years of them made each single payment scan them all.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("writeoff_payment", "writeoff", ["payment_id"])


def downgrade() -> None:
    op.drop_index("writeoff_payment", "writeoff")
