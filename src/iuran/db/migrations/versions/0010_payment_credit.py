"""Credit: what a payment brought beyond what it settled, held for the account (docs/ledger.md, "Credit").

`payment_credit` is derived state, one row per payment with money not yet allocated: a family paying months ahead
or paying again, or a month released by a reversal. The cycle's bill step applies it to the account's new months;
`ledger verify` proves it against the payments and allocations. Filled here from the ledger as it stands.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_credit",
        sa.Column("payment_id", sa.BigInteger, primary_key=True),
        sa.Column("account_id", sa.BigInteger, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.CheckConstraint("amount > 0", name="payment_credit_amount"),
    )
    op.create_index("payment_credit_account", "payment_credit", ["account_id", "payment_id"])
    op.execute(
        "INSERT INTO payment_credit (payment_id, account_id, amount)"
        " SELECT p.id, p.account_id, p.amount - COALESCE(a.amount, 0) FROM payment p"
        " LEFT JOIN (SELECT payment_id, sum(amount) AS amount FROM allocation GROUP BY payment_id) a"
        " ON a.payment_id = p.id WHERE p.amount > COALESCE(a.amount, 0)"
    )


def downgrade() -> None:
    op.drop_table("payment_credit")
