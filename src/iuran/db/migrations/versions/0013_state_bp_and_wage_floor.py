"""BP paid by the government, and the reach of the UMK floor (docs/rules.md §2, §3).

- `membership.segment` takes two more values: `bp-pens` (pensioners of the state and their survivors: 5% of the
  pension, 3% paid by the government and 2% by the pensioner) and `bp-vet` (veterans, pioneers of independence and
  their survivors: paid by the government). SQLite cannot change a table's CHECK constraint: the table is rebuilt,
  with its indexes (it has no triggers, and no table references it).
- `rate_in_force` says two more things of each month's rates: `government_bp`, the government's share of a pension
  (BP Pensiunan), and `wage_floor`, 1 where the UMK floors the wage base (`[ppu_wage_floor]` segments: PPU BU). The
  months already stored were billed with the floor for PPU BU and PPU PN alike: their rows (the audit record of what
  was applied) say so.

Revision ID: 0013
Revises: 0012
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The segments a membership may have, as this revision knows them (a migration is a snapshot: the list is not read
# from iuran.rules.segments, which may grow after it).
SEGMENTS_BEFORE = "('pbi-apbn', 'pbi-apbd', 'ppu-pn', 'ppu-bu', 'pbpu', 'bp')"
SEGMENTS = "('pbi-apbn', 'pbi-apbd', 'ppu-pn', 'ppu-bu', 'pbpu', 'bp', 'bp-pens', 'bp-vet')"
FLOORED_BEFORE = "('ppu-bu', 'ppu-pn')"


def upgrade() -> None:
    _segments(SEGMENTS)
    op.add_column("rate_in_force", sa.Column("government_bp", sa.Integer, nullable=False, server_default="0"))
    op.add_column("rate_in_force", sa.Column("wage_floor", sa.Integer, nullable=False, server_default="0"))
    op.execute(f"UPDATE rate_in_force SET wage_floor = 1 WHERE segment IN {FLOORED_BEFORE}")


def downgrade() -> None:
    # Refused (by the constraint) while a membership of the new segments exists.
    _segments(SEGMENTS_BEFORE)
    op.drop_column("rate_in_force", "wage_floor")
    op.drop_column("rate_in_force", "government_bp")


def _segments(values: str) -> None:
    check = f"segment in {values}"
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE membership DROP CONSTRAINT membership_segment")
        op.execute(f"ALTER TABLE membership ADD CONSTRAINT membership_segment CHECK ({check})")
    else:
        _rebuild_sqlite_membership(check)


def _rebuild_sqlite_membership(check: str) -> None:
    """The membership table again with the segment CHECK `check`: the same columns, rows and indexes."""
    bind = op.get_bind()
    ddl = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'membership'")
    ).scalar_one()
    indexes = (
        bind.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'membership' AND type = 'index' AND sql IS NOT NULL"
            )
        )
        .scalars()
        .all()
    )
    rebuilt, n = re.subn(
        r"CONSTRAINT membership_segment CHECK \(segment in \([^)]*\)\)",
        f"CONSTRAINT membership_segment CHECK ({check})",
        ddl,
    )
    assert n == 1, ddl
    rebuilt = re.sub(r'CREATE TABLE "?membership"?', "CREATE TABLE membership_rebuilt", rebuilt, count=1)
    op.execute(rebuilt)
    op.execute("INSERT INTO membership_rebuilt SELECT * FROM membership")
    op.execute("DROP TABLE membership")
    op.execute("ALTER TABLE membership_rebuilt RENAME TO membership")
    for sql in indexes:
        op.execute(sql)
