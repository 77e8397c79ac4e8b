"""Death: the only way out of JKN membership (docs/rules.md §4)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text

from iuran.db.months import to_db
from iuran.registry.enrolment import RegistryError, mask
from iuran.rules.month import Month


def record_death(conn: Connection, nik: str, died_on: dt.date, reported_on: dt.date) -> int:
    """Record a death: the person's memberships end with the month of death, so billing stops after it.
    Returns the person's id (charges already made for later months are the ledger's to reverse)."""
    record = f"NIK {mask(nik)}"
    row = conn.execute(text("SELECT id, died_on, registered_on FROM person WHERE nik = :n"), {"n": nik}).first()
    if row is None:
        raise RegistryError(record, "nik", "a death is reported for a registered person", "unknown NIK")
    if row.died_on is not None:
        raise RegistryError(record, "died_on", "a death is reported once", f"already recorded {row.died_on}")
    if died_on > reported_on:
        raise RegistryError(record, "died_on", "a death is reported after it happens", f"{died_on} > {reported_on}")
    conn.execute(
        text("UPDATE person SET died_on = :d, death_reported_on = :r WHERE id = :p"),
        {"d": died_on, "r": reported_on, "p": row.id},
    )
    # Death is the only way out of membership: it ends with the month of death (docs/rules.md §4).
    death_month = to_db(Month.of(died_on))
    conn.execute(
        text("DELETE FROM membership WHERE person_id = :p AND valid_from > :m"), {"p": row.id, "m": death_month}
    )
    conn.execute(
        text("UPDATE membership SET valid_to = :m WHERE person_id = :p AND (valid_to IS NULL OR valid_to > :m)"),
        {"p": row.id, "m": death_month},
    )
    return int(row.id)
