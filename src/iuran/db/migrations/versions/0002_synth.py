"""Synthetic branches: the scenario that built the database and how each payer account behaves.

Only `iuran synth` writes these tables; the books never read them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONTH = sa.Integer  # yyyymm
ID = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "synth_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario", sa.String(40), nullable=False),
        sa.Column("scale", sa.Float, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("opening_month", MONTH, nullable=False),  # the first month the cycle bills
        sa.Column("scenario_month", MONTH, nullable=False),  # the month whose picture is reproduced
        sa.Column("persons", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    # What a payer account does in the months played: it pays its whole bill in month M when
    # first_paid <= M, (last_paid is null or M <= last_paid) and M is not skip_month.
    op.create_table(
        "synth_payer",
        sa.Column("account_id", ID, sa.ForeignKey("account.id"), primary_key=True),
        sa.Column("behaviour", sa.String(12), nullable=False),
        sa.Column("first_paid", MONTH),  # null: never pays
        sa.Column("last_paid", MONTH),  # null: keeps paying
        sa.Column("skip_month", MONTH),
        sa.Column("pay_day", sa.SmallInteger, nullable=False),
        sa.Column("channel", sa.String(24), nullable=False),
    )
    op.create_index("synth_payer_first", "synth_payer", ["first_paid"])


def downgrade() -> None:
    op.drop_table("synth_payer")
    op.drop_table("synth_run")
