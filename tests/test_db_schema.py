"""The schema on both databases: migrations, reference data, and an append-only ledger."""

import datetime as dt

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from iuran.db.migrate import current, head


def test_migrated_to_head_with_regions_loaded(engine: Engine) -> None:
    assert current(engine) == head()
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM region WHERE level = 'kabupaten_kota'")).scalar() == 514
        assert c.execute(text("SELECT total FROM population WHERE code = '0'")).scalar() == 284_973_643


@pytest.mark.unbalanced_books  # a bare charge row, only to show the triggers refuse changes
@pytest.mark.parametrize("statement", ["UPDATE charge SET amount = 1", "DELETE FROM charge"])
def test_ledger_rows_cannot_be_updated_or_deleted(engine: Engine, statement: str) -> None:
    now = dt.datetime(2024, 1, 1)
    with engine.begin() as c:
        c.execute(
            text("INSERT INTO account (kind, name, opened_on) VALUES ('central_gov', 'Pemerintah Pusat', :d)"),
            {"d": now.date()},
        )
        c.execute(
            text(
                "INSERT INTO charge (account_id, month, kind, members, amount, created_at) "
                "VALUES (1, 202401, 'contribution', 1, 42000, :t)"
            ),
            {"t": now},
        )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
        c.execute(text(statement))
    with engine.connect() as c:
        assert c.execute(text("SELECT amount FROM charge")).scalar() == 42000
