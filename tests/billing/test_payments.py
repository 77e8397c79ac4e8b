"""Importing payments files on both databases: what is accepted, what is refused and why, and that the books
stay whole (docs/ledger.md, "Payments")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from payments_checks import assert_books_balance
from payments_ledger import KELAS3, bill, day, employer, family, months, snapshot, status_as_of, write_csv
from sqlalchemy import Connection, Engine, text

from iuran.billing import payments_settle
from iuran.billing.payments import ImportResult, PaymentFileError
from usecases import import_payments

NOW = dt.datetime(2024, 5, 20, 9, 0)  # the import runs after the May 2024 cycle
MAY = 202405
FAMILY_MONTH = 2 * KELAS3  # a Kelas III family of two
VA = "8888801000000001"
VA2 = "8888801000000002"


def run(engine: Engine, path: Path, report: Path | None = None) -> ImportResult:
    return import_payments(engine, path, now=NOW, report_path=report)


def rejections(engine: Engine, batch: int) -> list[tuple[int, str | None, str, str]]:
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT line_no, reference, reason, detail FROM payment_rejection WHERE batch_id = :b ORDER BY line_no"
            ),
            {"b": batch},
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def credit(conn: Connection, account: int) -> int:
    """The account's credit: what its payments brought beyond what they settled."""
    held = conn.execute(
        text("SELECT COALESCE(sum(amount), 0) FROM payment_credit WHERE account_id = :a"), {"a": account}
    )
    return int(held.scalar_one())


def open_months(conn: Connection, account: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(text("SELECT month FROM open_item WHERE account_id = :a ORDER BY month"), {"a": account})
    ]


def account_status(conn: Connection, account: int) -> tuple[bool, dt.date | None, int, int, int | None]:
    row = conn.execute(
        text(
            "SELECT active, status_since, months_in_arrears, arrears_amount, unpaid_since"
            " FROM account_status WHERE account_id = :a"
        ),
        {"a": account},
    ).one()
    return bool(row[0]), day(row[1]), row[2], row[3], row[4]


def suspended_family(engine: Engine, va: str, first_unpaid: str) -> int:
    """A family that stopped paying at `first_unpaid`, billed through May 2024, suspended by the May cycle."""
    with engine.begin() as c:
        payer = family(c, va)
        bill(c, payer, months(first_unpaid, "2024-05"), KELAS3)
        status_as_of(c, payer, MAY, since=dt.date(2024, 4, 1))
    return payer.account


def test_the_exact_bill_is_accepted_and_reactivates_the_family(engine: Engine, tmp_path: Path) -> None:
    account = suspended_family(engine, VA, "2024-02")
    bill_amount = 4 * FAMILY_MONTH  # February to April in arrears, plus May
    source = write_csv(tmp_path / "bank.csv", [("TRX-1", VA, "", bill_amount, "2024-05-06T10:15:00", "bank")])

    result = run(engine, source)

    assert (result.accepted, result.rejected, result.duplicates) == (1, 0, 0)
    assert result.amount_accepted == bill_amount
    with engine.connect() as c:
        assert open_months(c, account) == []
        allocations = c.execute(
            text("SELECT month, amount, allocated_on FROM allocation WHERE account_id = :a ORDER BY id"),
            {"a": account},
        ).all()
        assert [(m, amt, day(on)) for m, amt, on in allocations] == [
            (m, FAMILY_MONTH, dt.date(2024, 5, 6)) for m in months("2024-02", "2024-05")
        ]
        assert account_status(c, account) == (True, dt.date(2024, 5, 6), 0, 0, None)
        batch = c.execute(text("SELECT accepted, rejected, duplicates, finished_at FROM import_batch")).one()
        assert tuple(batch[:3]) == (1, 0, 0) and batch[3] is not None
    assert_books_balance(engine)


def test_thirty_months_unpaid_pay_the_latest_24_and_the_current_month_and_write_off_6(
    engine: Engine, tmp_path: Path
) -> None:
    account = suspended_family(engine, VA, "2021-11")  # 2021-11 .. 2024-04: 30 months in arrears
    bill_amount = 25 * FAMILY_MONTH
    source = write_csv(tmp_path / "bank.csv", [("TRX-30", VA, "", bill_amount, "2024-05-06", "indomaret")])

    result = run(engine, source)

    assert result.accepted == 1
    assert result.amount_written_off == 6 * FAMILY_MONTH
    with engine.connect() as c:
        payment = c.execute(text("SELECT id FROM payment WHERE reference = 'TRX-30'")).scalar_one()
        allocated = c.execute(
            text("SELECT month FROM allocation WHERE payment_id = :p ORDER BY id"), {"p": payment}
        ).scalars()
        # Perpres 64/2020 Pasal 42(3): at most 24 months in arrears, plus the current month.
        assert list(allocated) == months("2022-05", "2024-05")
        written_off = c.execute(
            text("SELECT month, amount, reason, payment_id, written_off_on FROM writeoff ORDER BY month")
        ).all()
        assert [(m, a, r, p, day(on)) for m, a, r, p, on in written_off] == [
            (m, FAMILY_MONTH, "reactivation_cap", payment, dt.date(2024, 5, 6)) for m in months("2021-11", "2022-04")
        ]
        assert open_months(c, account) == []
        assert account_status(c, account) == (True, dt.date(2024, 5, 6), 0, 0, None)
    assert_books_balance(engine)


def test_a_partial_family_payment_is_rejected_with_the_bill_and_nothing_is_written(
    engine: Engine, tmp_path: Path
) -> None:
    account = suspended_family(engine, VA, "2024-02")
    before = snapshot(engine)
    one_member = 4 * KELAS3  # one member cannot be paid for alone: the bill is the family's
    source = write_csv(tmp_path / "bank.csv", [("TRX-P", VA, "", one_member, "2024-05-06", "bank")])

    result = run(engine, source, report=tmp_path / "rejects.csv")

    assert (result.accepted, result.rejected) == (0, 1)
    assert snapshot(engine) == before
    [(line, ref, reason, detail)] = rejections(engine, result.batch_id)
    assert (line, ref, reason) == (2, "TRX-P", "amount_mismatch")
    assert detail.startswith(f"the bill is {4 * FAMILY_MONTH}: 4 month(s), 2024-02 to 2024-05")
    report = (tmp_path / "rejects.csv").read_text().splitlines()
    assert report[0] == "line,reference,reason,detail"
    assert report[1].startswith("2,TRX-P,amount_mismatch,")
    assert VA not in "".join(report)
    with engine.connect() as c:
        assert open_months(c, account) == months("2024-02", "2024-05")
    assert_books_balance(engine)


def test_a_payment_of_a_long_arrears_beyond_the_capped_bill_holds_the_rest_as_credit(
    engine: Engine, tmp_path: Path
) -> None:
    account = suspended_family(engine, VA, "2021-11")
    source = write_csv(tmp_path / "bank.csv", [("TRX-ALL", VA, "", 31 * FAMILY_MONTH, "2024-05-06", "bank")])

    result = run(engine, source)

    assert (result.accepted, result.rejected) == (1, 0)
    assert result.amount_written_off == 6 * FAMILY_MONTH  # at most 24 months in arrears are billed
    with engine.connect() as c:
        assert open_months(c, account) == []
        assert credit(c, account) == 6 * FAMILY_MONTH  # the rest is the family's, for the coming months
    assert_books_balance(engine)


def test_an_unknown_virtual_account_or_account_id_is_rejected(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        known = family(c, VA)
        bill(c, known, [MAY], KELAS3)
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("TRX-1", "8888809999999999", "", FAMILY_MONTH, "2024-05-06", "bank"),
            ("TRX-2", "", "999999", FAMILY_MONTH, "2024-05-06", "bank"),
            ("TRX-3", "", str(known.account), FAMILY_MONTH, "2024-05-06", "bank"),  # a family pays by its VA
            ("TRX-4", "88888", "", FAMILY_MONTH, "2024-05-06", "bank"),
        ],
    )

    result = run(engine, source)

    assert (result.accepted, result.rejected) == (0, 4)
    assert [(r[0], r[2]) for r in rejections(engine, result.batch_id)] == [
        (2, "unknown_account"),
        (3, "unknown_account"),
        (4, "unknown_account"),
        (5, "unknown_account"),
    ]
    details = [r[3] for r in rejections(engine, result.batch_id)]
    assert details[0] == "va: no family account has this virtual account"
    assert details[3] == "va: a virtual account has 16 digits"
    assert all("8888809999999999" not in d for d in details)


def test_a_reference_twice_in_one_file_is_taken_once(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        for va in (VA, VA2):
            bill(c, family(c, va), [MAY], KELAS3)
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("TRX-1", VA, "", FAMILY_MONTH, "2024-05-06", "bank"),
            ("TRX-1", VA2, "", FAMILY_MONTH, "2024-05-06", "bank"),
        ],
    )

    result = run(engine, source)

    assert (result.accepted, result.rejected, result.duplicates) == (1, 1, 0)
    assert rejections(engine, result.batch_id) == [
        (3, "TRX-1", "duplicate_reference", "reference: already on line 2 of this file")
    ]
    assert_books_balance(engine)


def test_the_same_file_imported_twice_counts_duplicates_and_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    suspended_family(engine, VA, "2021-11")
    with engine.begin() as c:
        bill(c, family(c, VA2), [MAY], KELAS3)
        firm = employer(c)
        bill(c, firm, months("2024-04", "2024-05"), 250_000)
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("TRX-1", VA, "", 25 * FAMILY_MONTH, "2024-05-06T08:00:00", "bank"),
            ("TRX-2", VA2, "", FAMILY_MONTH, "2024-05-07 13:45:10.250000", "alfamart"),
            ("TRX-3", "", str(firm.account), 250_000, "2024-05-08", "bank"),
        ],
    )
    first = run(engine, source)
    assert (first.accepted, first.rejected, first.duplicates) == (3, 0, 0)
    books = snapshot(engine)

    second = run(engine, source)

    assert (second.accepted, second.rejected, second.duplicates) == (0, 0, 3)
    assert second.batch_id != first.batch_id
    assert snapshot(engine) == books
    assert_books_balance(engine)


def test_a_reference_reused_with_another_amount_is_rejected(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        bill(c, family(c, VA), months("2024-04", "2024-05"), KELAS3)
    run(engine, write_csv(tmp_path / "a.csv", [("TRX-9", VA, "", FAMILY_MONTH, "2024-04-06", "bank")]))
    books = snapshot(engine)

    result = run(engine, write_csv(tmp_path / "b.csv", [("TRX-9", VA, "", 2 * FAMILY_MONTH, "2024-04-06", "bank")]))

    assert (result.accepted, result.rejected, result.duplicates) == (0, 1, 0)
    [(_, _, reason, detail)] = rejections(engine, result.batch_id)
    assert reason == "duplicate_reference"
    assert detail.endswith("with another amount")
    assert snapshot(engine) == books
    assert_books_balance(engine)


def test_an_employer_pays_its_two_oldest_months_of_three(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        firm = employer(c)
        bill(c, firm, months("2024-03", "2024-05"), 250_000)
        status_as_of(c, firm, MAY, since=dt.date(2024, 4, 1))
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("EMP-1", "", str(firm.account), 300_000, "2024-05-06", "bank"),  # not whole months
            ("EMP-2", "", str(firm.account), 500_000, "2024-05-07", "bank"),
        ],
    )

    result = run(engine, source)

    assert (result.accepted, result.rejected) == (1, 1)
    [(_, _, reason, detail)] = rejections(engine, result.batch_id)
    assert reason == "amount_mismatch"
    assert (
        detail == "whole months only, oldest first: the oldest 1 month(s) are 250000, the oldest 2 month(s) are 500000"
    )
    with engine.connect() as c:
        allocated = c.execute(text("SELECT month, amount FROM allocation ORDER BY id")).all()
        assert [tuple(r) for r in allocated] == [(202403, 250_000), (202404, 250_000)]
        assert open_months(c, firm.account) == [MAY]
        # No arrears left, but May is still open: a suspended account needs the current month too (Pasal 42(3)).
        assert account_status(c, firm.account) == (False, dt.date(2024, 4, 1), 0, 0, None)
    assert_books_balance(engine)


def test_several_payments_of_one_account_in_one_file_are_taken_in_order(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        firm = employer(c, workers=2)
        bill(c, firm, [202403], 100_000, kind="opening")  # arrears migrated from the old system
        bill(c, firm, months("2024-03", "2024-05"), 125_000)
        status_as_of(c, firm, MAY, since=dt.date(2024, 4, 1))
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("EMP-B", "", str(firm.account), 250_000, "2024-05-09", "bank"),  # May, after the earlier line
            ("EMP-A", "", str(firm.account), 700_000, "2024-05-08", "bank"),  # March (both charges) and April
        ],
    )

    result = run(engine, source)

    assert (result.accepted, result.rejected) == (2, 0)
    with engine.connect() as c:
        paid = c.execute(
            text(
                "SELECT p.reference, a.month, a.amount FROM allocation a JOIN payment p ON p.id = a.payment_id"
                " ORDER BY a.id"
            )
        ).all()
        assert [tuple(r) for r in paid] == [
            ("EMP-A", 202403, 200_000),
            ("EMP-A", 202403, 250_000),
            ("EMP-A", 202404, 250_000),
            ("EMP-B", 202405, 250_000),
        ]
        assert open_months(c, firm.account) == []
        assert account_status(c, firm.account) == (True, dt.date(2024, 5, 9), 0, 0, None)
    assert_books_balance(engine)


def test_a_new_family_cannot_pay_before_its_waiting_period(engine: Engine, tmp_path: Path) -> None:
    registered = dt.date(2024, 5, 1)
    with engine.begin() as c:
        new = family(c, VA, opened_on=registered, activated_on=None)
        bill(c, new, [MAY], KELAS3)
    early = write_csv(tmp_path / "early.csv", [("NEW-1", VA, "", FAMILY_MONTH, "2024-05-10", "autodebit")])

    refused = run(engine, early)

    [(_, _, reason, detail)] = rejections(engine, refused.batch_id)
    # Peraturan BPJS Kesehatan 1/2015: the first payment from 14 days after registration.
    assert (reason, detail) == ("waiting_period", "a new family pays for the first time from 2024-05-15")
    on_time = write_csv(tmp_path / "on_time.csv", [("NEW-2", VA, "", FAMILY_MONTH, "2024-05-15", "autodebit")])

    accepted = run(engine, on_time)

    assert accepted.accepted == 1
    with engine.connect() as c:
        activated = c.execute(text("SELECT activated_on FROM account WHERE id = :a"), {"a": new.account}).scalar()
        assert day(activated) == dt.date(2024, 5, 15)
        assert account_status(c, new.account) == (True, dt.date(2024, 5, 15), 0, 0, None)
    assert_books_balance(engine)


def test_a_family_with_nothing_due_pays_ahead(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        paid_up = family(c, VA)
        ahead = family(c, VA2)
        bill(c, ahead, [202406], KELAS3)  # billed for June; the payment is dated in May
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("TRX-1", VA, "", FAMILY_MONTH, "2024-05-06", "bank"),
            ("TRX-2", VA2, "", FAMILY_MONTH, "2024-05-06", "bank"),
        ],
    )

    result = run(engine, source)

    assert (result.accepted, result.rejected) == (2, 0)
    with engine.connect() as c:
        # Nothing is open up to May: the whole payment is credit, which the coming cycles apply.
        assert credit(c, paid_up.account) == credit(c, ahead.account) == FAMILY_MONTH
        assert open_months(c, ahead.account) == [202406]
        assert c.execute(text("SELECT count(*) FROM allocation")).scalar() == 0


def test_bad_amounts_dates_and_missing_fields_are_rejected_line_by_line(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        bill(c, family(c, VA), [MAY], KELAS3)
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("BAD-1", VA, "", "12.000", "2024-05-06", "bank"),
            ("BAD-2", VA, "", "-5", "2024-05-06", "bank"),
            ("BAD-3", VA, "", FAMILY_MONTH, "2024-05-32", "bank"),
            ("BAD-4", VA, "", FAMILY_MONTH, "2024-06-01", "bank"),  # after the import
            ("BAD-5", VA, "", FAMILY_MONTH, "2024-05-06", ""),
            ("", VA, "", FAMILY_MONTH, "2024-05-06", "bank"),
            ("BAD-7", VA, "123", FAMILY_MONTH, "2024-05-06", "bank"),
            ("BAD-8", VA, "", "0", "2024-05-06", "bank"),
            ("GOOD", VA, "", FAMILY_MONTH, "2024-05-06", "bank"),
            ("BAD-10", VA, ""),
        ],
    )

    result = run(engine, source)

    assert (result.accepted, result.rejected, result.duplicates) == (1, 9, 0)
    assert result.lines == 10
    assert [(r[0], r[2]) for r in rejections(engine, result.batch_id)] == [
        (2, "invalid_amount"),
        (3, "invalid_amount"),
        (4, "invalid_date"),
        (5, "invalid_date"),
        (6, "missing_field"),
        (7, "missing_field"),
        (8, "missing_field"),
        (9, "invalid_amount"),
        (11, "missing_field"),
    ]
    assert dict(result.rejections) == {"invalid_amount": 3, "invalid_date": 2, "missing_field": 4}
    assert_books_balance(engine)


def test_a_failure_late_in_the_import_leaves_nothing_written(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suspended_family(engine, VA, "2021-11")
    before = snapshot(engine)

    def crash(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(payments_settle, "update_account_status", crash)
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("TRX-1", VA, "", 25 * FAMILY_MONTH, "2024-05-06", "bank"),
            ("TRX-2", "8888809999999999", "", FAMILY_MONTH, "2024-05-06", "bank"),
        ],
    )

    with pytest.raises(RuntimeError, match="disk full"):
        run(engine, source, report=tmp_path / "rejects.csv")

    assert snapshot(engine) == before
    with engine.connect() as c:
        for table in ("payment", "import_batch", "payment_rejection", "allocation", "writeoff"):
            assert c.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    assert not list(tmp_path.glob("rejects.csv*"))
    monkeypatch.undo()
    assert run(engine, source).accepted == 1  # the rerun does the whole import
    assert_books_balance(engine)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"ref;va;amount\n1;2;3\n", "header"),
        (b"", "header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "file"),
    ],
)
def test_a_file_that_is_not_a_payments_csv_is_refused_whole(
    engine: Engine, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bank.csv"
    path.write_bytes(content)

    with pytest.raises(PaymentFileError) as e:
        run(engine, path)

    assert e.value.field == message
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM import_batch")).scalar() == 0


def test_a_family_paying_twice_in_one_file_settles_once(engine: Engine, tmp_path: Path) -> None:
    account = suspended_family(engine, VA, "2024-04")
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("TRX-2", VA, "", 2 * FAMILY_MONTH, "2024-05-07", "bank"),
            ("TRX-1", VA, "", 2 * FAMILY_MONTH, "2024-05-06", "atm"),  # earlier: taken first
        ],
    )

    result = run(engine, source)

    assert (result.accepted, result.rejected) == (2, 0)
    with engine.connect() as c:
        settled = c.execute(text("SELECT DISTINCT p.reference FROM payment p JOIN allocation a ON a.payment_id = p.id"))
        assert settled.scalar_one() == "TRX-1"  # the earlier settles the bill; the later is credit, whole
        assert credit(c, account) == 2 * FAMILY_MONTH
        assert account_status(c, account) == (True, dt.date(2024, 5, 6), 0, 0, None)
    assert_books_balance(engine)


def test_a_new_family_too_early_then_on_time_in_one_file(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        new = family(c, VA, opened_on=dt.date(2024, 5, 1), activated_on=None)
        bill(c, new, [MAY], KELAS3)
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("NEW-1", VA, "", FAMILY_MONTH, "2024-05-03", "autodebit"),
            ("NEW-2", VA, "", FAMILY_MONTH, "2024-05-16", "autodebit"),
            ("NEW-3", VA, "", FAMILY_MONTH, "2024-05-17", "autodebit"),  # already paid by NEW-2
        ],
    )

    result = run(engine, source)

    assert [(r[1], r[2]) for r in rejections(engine, result.batch_id)] == [("NEW-1", "waiting_period")]
    with engine.connect() as c:
        assert credit(c, new.account) == FAMILY_MONTH  # NEW-3 came after NEW-2 had paid May: credit
        activated = c.execute(text("SELECT activated_on FROM account WHERE id = :a"), {"a": new.account}).scalar()
        assert day(activated) == dt.date(2024, 5, 16)
    assert_books_balance(engine)


# A payment imported after the June 2024 cycle (status month June): the family's open months from `first_billed`,
# its status since `since`; the payment pays the bill of the month it was made in.
LATE_PAYMENTS = {
    # Paid on 30 May for May, after the June cycle suspended the family: active again from the day it paid, and
    # June is due by 10 June, not in arrears.
    "made before the cycle suspended the family reactivates it": (
        "2024-05",
        dt.date(2024, 6, 1),
        "2024-05-30T19:00:00",
        [202406],
        (True, dt.date(2024, 5, 30), 0, 0, None),
    ),
    # Paid on 28 April for April: May stays in arrears, so the family stays suspended (since 1 May).
    "of an older month leaves the months after it in arrears": (
        "2024-04",
        dt.date(2024, 5, 1),
        "2024-04-28T10:00:00",
        [202405, 202406],
        (False, dt.date(2024, 5, 1), 1, FAMILY_MONTH, 202405),
    ),
}


@pytest.mark.parametrize(
    ("first_billed", "since", "paid_at", "still_open", "status"), LATE_PAYMENTS.values(), ids=list(LATE_PAYMENTS)
)
def test_a_payment_imported_after_the_next_cycle(
    engine: Engine,
    tmp_path: Path,
    first_billed: str,
    since: dt.date,
    paid_at: str,
    still_open: list[int],
    status: tuple[bool, dt.date, int, int, int | None],
) -> None:
    with engine.begin() as c:
        payer = family(c, VA)
        bill(c, payer, months(first_billed, "2024-06"), KELAS3)
        status_as_of(c, payer, 202406, since=since)
    source = write_csv(tmp_path / "bank.csv", [("TRX-L", VA, "", FAMILY_MONTH, paid_at, "bank")])

    result = import_payments(engine, source, now=dt.datetime(2024, 6, 3, 8, 0))

    assert result.accepted == 1
    with engine.connect() as c:
        assert open_months(c, payer.account) == still_open
        assert account_status(c, payer.account) == status
    assert_books_balance(engine)


def test_a_bank_file_with_its_own_column_order_a_bom_and_crlf_line_ends_is_read(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        bill(c, family(c, VA), [MAY], KELAS3)
    long_reference = "R" * 65
    content = (
        "\ufeffChannel,Paid_At,Amount,VA,Account,Reference,Teller\r\n"
        f'bank,2024-05-06T10:00:00+07:00,{FAMILY_MONTH},{VA},,"TRX,1",Budi\r\n'
        f"bank,2024-05-06,{FAMILY_MONTH},{VA},7,TRX-2,Budi\r\n"
        f"bank,2024-05-06,{FAMILY_MONTH},{VA},,{long_reference},Budi\r\n"
        "bank,2024-05-06\r\n"
        "\r\n"
    )
    source = tmp_path / "bank.csv"
    source.write_bytes(content.encode("utf-8"))

    result = run(engine, source)

    assert (result.accepted, result.rejected, result.lines) == (1, 3, 4)
    assert [(r[0], r[1], r[2]) for r in rejections(engine, result.batch_id)] == [
        (3, "TRX-2", "missing_field"),
        (4, "R" * 64, "missing_field"),
        (5, None, "missing_field"),
    ]
    with engine.connect() as c:
        assert c.execute(text("SELECT reference FROM payment")).scalar_one() == "TRX,1"
    assert_books_balance(engine)
