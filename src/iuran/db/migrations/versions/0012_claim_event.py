"""Inpatient claims and the service penalty they bring (docs/rules.md §5, docs/ledger.md "Service penalty").

- `claim_event`: one row per inpatient admission a hospital claims (`iuran claim record`), by its claim reference
  (nomor SEP, unique: recording the same SEP again returns the first result): the person, the payer account that
  paid for them in the month of admission, the admission day and month, the INA-CBG amount, and what the service
  penalty used: the reactivation it followed (the day, the payment, the months in arrears it settled, the months
  counted), the rate, the penalty, why (`reason`), the rule's basis, the charge that bills it (NULL when there is
  no penalty), when and by whom it was recorded.
- A penalty is a charge of kind `service_penalty` on the payer account for the month of admission. An account may
  owe several in one month (two admissions), so the kind joins the government's Kelas III share among the kinds
  that may repeat for an account and month (the partial unique index `charge_once` of 0007).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger
REPEATED_BEFORE = "('subsidy_central', 'subsidy_pemda')"
REPEATED = "('subsidy_central', 'subsidy_pemda', 'service_penalty')"


def upgrade() -> None:
    op.create_table(
        "claim_event",
        sa.Column("id", ID().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("sep", sa.String(32), nullable=False, unique=True),  # the hospital's claim reference (nomor SEP)
        sa.Column("person_id", ID, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("account_id", ID, sa.ForeignKey("account.id"), nullable=False),  # who paid for them that month
        sa.Column("segment", sa.String(8), nullable=False),
        sa.Column("admitted_on", sa.Date, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),  # of admission, yyyymm: the penalty charge's month
        sa.Column("inacbg", sa.BigInteger, nullable=False),
        sa.Column("reactivated_on", sa.Date),  # the reactivation the penalty follows; NULL: none before admission
        sa.Column("reactivation_payment_id", ID, sa.ForeignKey("payment.id")),
        sa.Column("months_in_arrears", sa.Integer, nullable=False),  # the months that reactivation settled
        sa.Column("months_counted", sa.Integer, nullable=False),  # capped by the rule (12)
        sa.Column("rate_bp", sa.Integer),  # the rule in force on the admission day; NULL: none in force
        sa.Column("penalty", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),  # charged | outside_window | no_reactivation | …
        sa.Column("basis", sa.String(200)),
        sa.Column("charge_id", ID, sa.ForeignKey("charge.id"), unique=True),  # NULL when there is no penalty
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(64)),
        sa.CheckConstraint("inacbg > 0", name="claim_event_inacbg"),
        sa.CheckConstraint("penalty >= 0 AND months_counted >= 0 AND months_in_arrears >= 0", name="claim_event_sums"),
        sa.CheckConstraint(
            "(penalty > 0 AND charge_id IS NOT NULL) OR (penalty = 0 AND charge_id IS NULL)", name="claim_event_charge"
        ),
    )
    op.create_index("claim_event_person", "claim_event", ["person_id", "admitted_on"])
    op.create_index("claim_event_account", "claim_event", ["account_id", "month"])
    op.execute("DROP INDEX charge_once")
    op.execute(f"CREATE UNIQUE INDEX charge_once ON charge (account_id, month, kind) WHERE kind NOT IN {REPEATED}")


def downgrade() -> None:
    # Penalty charges stay (the ledger is append-only); the index again allows one per account and month only if
    # no account owes two.
    op.execute("DROP INDEX charge_once")
    op.execute(
        f"CREATE UNIQUE INDEX charge_once ON charge (account_id, month, kind) WHERE kind NOT IN {REPEATED_BEFORE}"
    )
    op.drop_index("claim_event_account")
    op.drop_index("claim_event_person")
    op.drop_table("claim_event")
