"""Bank partners and their SNAP calls (docs/snap.md).

`partner`: a bank or PPOB aggregator that pays into family virtual accounts: its client id, name and channel, its
client secret encrypted at rest (`iuran.partners.vault`: the key lives outside the database), its RSA public key
(PEM), and whether it is enabled. `partner_token`: the access tokens issued to it, kept as their SHA-256 (a token
read from the database is no token), with their expiry. `snap_request`: every call a partner made that the biller
answered, by its `X-EXTERNAL-ID` (unique per partner per day, SNAP) and the service called.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("channel_id", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("disabled_at", sa.DateTime),
    )
    op.create_table(
        "partner_token",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Integer, sa.ForeignKey("partner.id"), nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "snap_request",
        sa.Column("partner_id", sa.Integer, sa.ForeignKey("partner.id"), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("external_id", sa.Text, primary_key=True),
        sa.Column("service", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snap_request")
    op.drop_table("partner_token")
    op.drop_table("partner")
