"""Registry, ledger, monthly cycle and report snapshots.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.BigInteger
MONTH = sa.Integer  # a month as yyyymm, e.g. 202405
ID = sa.BigInteger

# The ledger is append-only: money rows are never updated or deleted (reversals and write-offs are new rows).
LEDGER_TABLES = ("charge", "charge_line", "payment", "allocation", "writeoff", "reversal")


def _id() -> sa.Column[int]:
    return sa.Column("id", ID().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True)


def upgrade() -> None:
    # --- regions and population (cahyadsn/wilayah, MIT: src/iuran/wilayah/data) ---
    op.create_table(
        "region",
        sa.Column("code", sa.String(13), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(13)),
    )
    op.create_table(
        "population",
        sa.Column("code", sa.String(13), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("male", sa.BigInteger, nullable=False),
        sa.Column("female", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
    )
    op.create_table(
        "branch",
        _id(),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
    )
    op.create_table(
        "branch_region",
        sa.Column("branch_id", ID, sa.ForeignKey("branch.id"), primary_key=True),
        sa.Column("kabkota_code", sa.String(5), sa.ForeignKey("region.code"), primary_key=True),
    )
    op.create_table(
        "umk",
        sa.Column("kabkota_code", sa.String(5), sa.ForeignKey("region.code"), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("basis", sa.String(200), nullable=False),
    )

    # --- registry ---
    op.create_table(
        "family",
        _id(),
        sa.Column("kk", sa.String(16), nullable=False, unique=True),
        sa.Column("desa_code", sa.String(13), sa.ForeignKey("region.code"), nullable=False),
    )
    op.create_table(
        "person",
        _id(),
        sa.Column("nik", sa.String(16), nullable=False, unique=True),
        sa.Column("card_number", sa.String(13), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("family_id", ID, sa.ForeignKey("family.id")),
        sa.Column("desa_code", sa.String(13), sa.ForeignKey("region.code"), nullable=False),
        sa.Column("kecamatan_code", sa.String(8), nullable=False),
        sa.Column("kabkota_code", sa.String(5), nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("channel", sa.String(24), nullable=False),
        sa.Column("died_on", sa.Date),
        sa.Column("death_reported_on", sa.Date),
        sa.CheckConstraint("sex in ('M', 'F')", name="person_sex"),
    )
    op.create_index("person_family", "person", ["family_id"])
    op.create_table(
        "employer",
        _id(),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),  # bu (private, BUMN, BUMD) | pn (government)
        sa.Column("kabkota_code", sa.String(5), sa.ForeignKey("region.code"), nullable=False),
    )
    op.create_table(
        "account",
        _id(),
        sa.Column("kind", sa.String(12), nullable=False),  # family | employer | central_gov | pemda
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("va", sa.String(16), unique=True),
        sa.Column("family_id", ID, sa.ForeignKey("family.id"), unique=True),
        sa.Column("employer_id", ID, sa.ForeignKey("employer.id"), unique=True),
        sa.Column("pemda_code", sa.String(5), sa.ForeignKey("region.code"), unique=True),
        sa.Column("kabkota_code", sa.String(5)),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("activated_on", sa.Date),  # a new PBPU family: the day of its first payment (docs/rules.md §6)
        sa.CheckConstraint("kind in ('family', 'employer', 'central_gov', 'pemda')", name="account_kind"),
    )
    op.create_table(
        "membership",
        _id(),
        sa.Column("person_id", ID, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("segment", sa.String(8), nullable=False),
        sa.Column("kelas", sa.SmallInteger),
        sa.Column("account_id", ID, sa.ForeignKey("account.id")),  # NULL: no payer (non-active)
        sa.Column("wage", MONEY),
        sa.Column("extra_members", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("valid_from", MONTH, nullable=False),
        sa.Column("valid_to", MONTH),  # inclusive; NULL: open
        sa.Column("reason", sa.String(40), nullable=False),
        sa.CheckConstraint(
            "segment in ('pbi-apbn', 'pbi-apbd', 'ppu-pn', 'ppu-bu', 'pbpu', 'bp')", name="membership_segment"
        ),
        sa.CheckConstraint("valid_to is null or valid_to >= valid_from", name="membership_period"),
    )
    op.create_index("membership_person", "membership", ["person_id", "valid_from"])
    op.create_index("membership_account", "membership", ["account_id"])

    # --- monthly cycle ---
    op.create_table(
        "cycle_step",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("step", sa.String(24), primary_key=True),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "rate_in_force",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("segment", sa.String(8), primary_key=True),
        sa.Column("kelas", sa.SmallInteger, primary_key=True),  # 0 where the class does not apply
        sa.Column("participant", MONEY, nullable=False),
        sa.Column("government_central", MONEY, nullable=False),
        sa.Column("government_pemda", MONEY, nullable=False),
        sa.Column("employer_bp", sa.Integer, nullable=False),
        sa.Column("worker_bp", sa.Integer, nullable=False),
        sa.Column("extra_member_bp", sa.Integer, nullable=False),
        sa.Column("wage_cap", MONEY, nullable=False),
        sa.Column("basis", sa.String(400), nullable=False),
    )

    # --- ledger (append-only) ---
    op.create_table(
        "charge",
        _id(),
        sa.Column("account_id", ID, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("month", MONTH, nullable=False),
        # contribution | subsidy_central | subsidy_pemda (Kelas III government share) | opening (migrated arrears)
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("members", sa.Integer, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("account_id", "month", "kind", name="charge_account_month_kind"),
        sa.CheckConstraint("amount >= 0", name="charge_amount"),
    )
    # Month-wide reads: the cycle's new open items, collectibility per month.
    op.create_index("charge_kind_month", "charge", ["kind", "month"], postgresql_include=["amount", "account_id"])
    op.create_table(
        "charge_line",
        # No foreign keys on the largest table (millions of rows a month): per-row trigger checks would double the
        # cycle's time. `iuran ledger verify` proves every line's charge and person exist.
        sa.Column("charge_id", ID, nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("segment", sa.String(8), nullable=False),
        sa.Column("kelas", sa.SmallInteger),
        sa.Column("amount", MONEY, nullable=False),  # what the account owes for this person
        sa.Column("participant", MONEY, nullable=False),
        sa.Column("government", MONEY, nullable=False),
        sa.Column("employer", MONEY, nullable=False),
        sa.Column("worker", MONEY, nullable=False),
    )
    op.create_index("charge_line_person", "charge_line", ["person_id", "month"])
    if op.get_bind().dialect.name == "postgresql":
        # Lines are appended month after month: a BRIN index finds a month's lines for almost nothing.
        op.create_index("charge_line_month", "charge_line", ["month"], postgresql_using="brin")
    op.create_table(
        "import_batch",
        _id(),
        sa.Column("filename", sa.String(400), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("accepted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "payment",
        _id(),
        sa.Column("reference", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", ID, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid_at", sa.DateTime, nullable=False),
        sa.Column("channel", sa.String(24), nullable=False),
        sa.Column("batch_id", ID),  # no foreign key: per-row checks halve the import rate; verify proves it
        sa.CheckConstraint("amount > 0", name="payment_amount"),
    )
    op.create_index("payment_account", "payment", ["account_id", "paid_at"])
    op.create_index("payment_paid_at", "payment", ["paid_at"], postgresql_include=["amount", "account_id"])
    op.create_table(
        "allocation",
        _id(),
        sa.Column("payment_id", ID, sa.ForeignKey("payment.id"), nullable=False),
        sa.Column("charge_id", ID, sa.ForeignKey("charge.id"), nullable=False),
        # account and month repeat the charge's (for set-based reads); verify proves they agree
        sa.Column("account_id", ID, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("amount", MONEY, nullable=False),  # negative: released after a reversal
        sa.Column("allocated_on", sa.Date, nullable=False),
    )
    op.create_index("allocation_charge", "allocation", ["charge_id"])
    op.create_index(
        "allocation_month", "allocation", ["month", "allocated_on"], postgresql_include=["amount", "account_id"]
    )
    op.create_index("allocation_payment", "allocation", ["payment_id"])
    op.create_table(
        "writeoff",
        _id(),
        sa.Column("charge_id", ID, sa.ForeignKey("charge.id"), nullable=False),
        sa.Column("account_id", ID, nullable=False),  # the charge's; verify proves they agree
        sa.Column("month", MONTH, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("written_off_on", sa.Date, nullable=False),
        sa.Column("payment_id", ID, sa.ForeignKey("payment.id")),
        sa.CheckConstraint("amount > 0", name="writeoff_amount"),
    )
    op.create_index("writeoff_charge", "writeoff", ["charge_id"])
    op.create_table(
        "reversal",
        _id(),
        sa.Column("charge_id", ID, sa.ForeignKey("charge.id"), nullable=False),
        sa.Column("person_id", ID, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("account_id", ID, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("reversed_on", sa.Date, nullable=False),
        sa.UniqueConstraint("charge_id", "person_id", name="reversal_once"),
        sa.CheckConstraint("amount > 0", name="reversal_amount"),
    )
    op.create_table(
        "payment_rejection",
        _id(),
        sa.Column("batch_id", ID, sa.ForeignKey("import_batch.id"), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("reference", sa.String(64)),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("detail", sa.String(400), nullable=False),
    )

    # --- derived state (not money; rebuilt from the ledger and proved by `iuran ledger verify`) ---
    op.create_table(
        "open_item",
        sa.Column("charge_id", ID, sa.ForeignKey("charge.id"), primary_key=True),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("amount_open", MONEY, nullable=False),
        sa.CheckConstraint("amount_open > 0", name="open_item_positive"),
    )
    op.create_index("open_item_account", "open_item", ["account_id", "month"])
    op.create_table(
        "account_status",
        sa.Column("account_id", ID, sa.ForeignKey("account.id"), primary_key=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("status_since", sa.Date, nullable=False),
        sa.Column("months_in_arrears", sa.Integer, nullable=False),
        sa.Column("arrears_amount", MONEY, nullable=False),
        sa.Column("unpaid_since", MONTH),
        sa.Column("as_of_month", MONTH, nullable=False),
    )
    op.create_table(
        "snapshot_coverage",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("kecamatan_code", sa.String(8), primary_key=True),
        sa.Column("segment", sa.String(8), primary_key=True),
        sa.Column("kabkota_code", sa.String(5), nullable=False),
        sa.Column("registered", sa.BigInteger, nullable=False),
        sa.Column("active", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "snapshot_arrears",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("kabkota_code", sa.String(5), primary_key=True),
        sa.Column("segment", sa.String(8), primary_key=True),
        sa.Column("bucket", sa.String(8), primary_key=True),  # 1, 2, 3, 4-6, 7-12, 13-24, >24
        sa.Column("accounts", sa.BigInteger, nullable=False),
        sa.Column("persons", sa.BigInteger, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
    )

    _append_only_triggers()


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'ledger is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
            END $$
            """
        )
        for table in LEDGER_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
    else:
        for table in LEDGER_TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger is append-only: {event} on {table} is not allowed'); END"
                )


def downgrade() -> None:
    raise NotImplementedError("the first schema has no downgrade: drop the database instead")
