"""Each account's books as of the 1st of the latest cycle month, kept once for the month's derived state.

The coverage, subsidy and arrears snapshot of a month all read who was active and in arrears on its 1st
(`iuran.billing.month_state.BOOKS_AT_FIRST`); the cycle's `status` step writes it here once for the month (from
the same pass over the open items it makes for the statuses), and a late payment's refresh rewrites it.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_first",
        sa.Column("account_id", sa.BigInteger, primary_key=True),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("active", sa.Integer, nullable=False),
        sa.Column("months_in_arrears", sa.Integer, nullable=False),
        sa.Column("arrears_amount", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_first")
