"""The population by Dukcapil release: a report of a day divides by the figures published for that day.

- `population_release`: each release of population figures (its `source`, as `population.source` names it), the
  semester and the day the figures describe (the semester's last day). The release iuran has packaged since 0001,
  Dukcapil semester II 2024, describes 31 December 2024.
- `population` holds one row per region and release (key: source, code) instead of one per region, each row naming
  a known release.

`iuran.db.population` picks the release for a day: the latest at or before it, else the earliest, with a note.

Revision ID: 0008
Revises: 0007
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The release loaded by `iuran.registry.regions` (its POPULATION_SOURCE) from src/iuran/wilayah/data/population.csv.
PACKAGED = {
    "source": "Dukcapil semester II 2024 via cahyadsn/wilayah (MIT)",
    "semester": "semester II 2024",
    "as_of": dt.date(2024, 12, 31),
}
_COLUMNS = "code, name, male, female, total, source"


def upgrade() -> None:
    releases = op.create_table(
        "population_release",
        sa.Column("source", sa.String(120), primary_key=True),
        sa.Column("semester", sa.String(40), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),  # the day the figures describe
    )
    op.bulk_insert(releases, [PACKAGED])
    op.create_table(
        "population_by_release",
        sa.Column("code", sa.String(13), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("male", sa.BigInteger, nullable=False),
        sa.Column("female", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column(
            "source",
            sa.String(120),
            sa.ForeignKey("population_release.source", name="population_release_fkey"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("source", "code", name="population_source_code_pkey"),
    )
    op.execute(f"INSERT INTO population_by_release ({_COLUMNS}) SELECT {_COLUMNS} FROM population")
    op.drop_table("population")
    op.rename_table("population_by_release", "population")


def downgrade() -> None:
    op.create_table(
        "population_one",
        sa.Column("code", sa.String(13), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("male", sa.BigInteger, nullable=False),
        sa.Column("female", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
    )
    # One release per region survives: the latest.
    op.execute(
        f"INSERT INTO population_one ({_COLUMNS}) SELECT p.code, p.name, p.male, p.female, p.total, p.source "
        "FROM population p JOIN population_release r ON r.source = p.source "
        "WHERE r.as_of = (SELECT max(r2.as_of) FROM population_release r2 JOIN population p2 ON p2.source = r2.source "
        "WHERE p2.code = p.code)"
    )
    op.drop_table("population")
    op.drop_table("population_release")
    op.rename_table("population_one", "population")
