"""Death reports, each with its correction: a death reported by mistake can be undone, on the record.

- `death_report`: one row per death recorded (`iuran registry death`): the dates, when and by whom, and the
  person's memberships as they were before it (JSON: the rows ended with the month of death and the rows
  removed after it). A correction (`iuran registry death --correct`) fills the `corrected_*` columns and the
  memberships are put back as they were; the row stays.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "death_report",
        sa.Column("id", ID().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("person_id", ID, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("died_on", sa.Date, nullable=False),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("memberships", sa.Text, nullable=False),  # JSON: the membership rows before the death
        sa.Column("corrected_on", sa.Date),
        sa.Column("corrected_at", sa.DateTime),
        sa.Column("corrected_by", sa.String(64)),
        sa.Column("correction", sa.String(200)),  # why the report was wrong
    )
    op.create_index("death_report_person", "death_report", ["person_id"])


def downgrade() -> None:
    op.drop_index("death_report_person")
    op.drop_table("death_report")
