"""Autovacuum settings for the derived-state tables every payments import churns (PostgreSQL).

An import deletes the open items it settles and rewrites the statuses of the accounts it settles: a quarter of a
million rows of a branch's four million open items and half a million statuses. PostgreSQL's default autovacuum
waits for a fifth of a table to be dead before it cleans it, so those dead rows would pile up over several imports
and slow every later scan of the tables (the cycle's `status` step reads all open items). These tables ask to be
vacuumed once 2% of them are dead, that is after each large import.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHURNED = ("open_item", "account_status")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in CHURNED:
        op.execute(
            f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in CHURNED:
        op.execute(f"ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)")
