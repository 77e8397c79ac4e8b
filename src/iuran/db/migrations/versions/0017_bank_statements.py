"""Banks' statements (docs/snap.md, "Reconciliation"): each statement imported once (by its SHA-256), with the
channel of the payments it reconciles and the days it covers; its credit lines with their booking day, amount,
reference as the bank wrote it, and the reference of the payment it names in the books. The books are not touched:
reconciliation reads them.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statement",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.Text, nullable=False, unique=True),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("first_day", sa.Date),
        sa.Column("last_day", sa.Date),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "bank_statement_line",
        sa.Column("statement_id", sa.Integer, sa.ForeignKey("bank_statement.id"), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.Column("booked_on", sa.Date, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("payment_reference", sa.Text, nullable=False),
    )
    op.create_index("bank_statement_line_payment", "bank_statement_line", ["payment_reference"])


def downgrade() -> None:
    op.drop_table("bank_statement_line")
    op.drop_table("bank_statement")
