"""Deferred arrears: months a reactivation left owed but not due yet (Perpres 64/2020 Pasal 42 ayat (3a), (3b)).

During 2020 a suspended participant became active again by paying at most 6 months of arrears and the current
month; the rest stayed owed, to be paid in full by the end of 2021 to stay active. `arrears_deferral` records each
such month as the payment that reactivated the family left it: its charge, the payment, the day, and the last
month (`due_month`, yyyymm) up to which it does not count toward suspension. The open item stays as it was: the
month is owed, and shows in the arrears. Append-only, as the rest of the ledger.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "arrears_deferral",
        sa.Column("charge_id", sa.BigInteger, sa.ForeignKey("charge.id"), primary_key=True),
        sa.Column("account_id", sa.BigInteger, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("payment_id", sa.BigInteger, sa.ForeignKey("payment.id"), nullable=False),
        sa.Column("deferred_on", sa.Date, nullable=False),
        sa.Column("due_month", sa.Integer, nullable=False),
        sa.CheckConstraint("due_month >= month", name="arrears_deferral_due_after_month"),
    )
    op.create_index("arrears_deferral_account", "arrears_deferral", ["account_id", "month"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER arrears_deferral_append_only BEFORE UPDATE OR DELETE ON arrears_deferral "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )
        op.execute(
            "CREATE TRIGGER arrears_deferral_no_truncate BEFORE TRUNCATE ON arrears_deferral "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER arrears_deferral_no_{event.lower()} BEFORE {event} ON arrears_deferral "
                f"BEGIN SELECT RAISE(ABORT, 'ledger is append-only: {event} on arrears_deferral is not allowed'); END"
            )


def downgrade() -> None:
    op.drop_table("arrears_deferral")
