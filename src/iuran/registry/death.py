"""Death: the only way out of JKN membership (docs/rules.md §4), and the correction of a death reported by mistake.

A death is recorded with the person's memberships as they were (table `death_report`), so that a correction puts
them back exactly: the person is billed again as before, from the next cycle on. The report and its correction
both stay on the record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.db.columns import check_text
from iuran.db.months import from_db, to_db
from iuran.db.values import as_date, as_datetime
from iuran.registry.enrolment import RegistryError, check_nik_format, mask
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.program import check_jkn_date

_MEMBERSHIP = "id, segment, kelas, account_id, wage, extra_members, valid_from, valid_to, reason"


@dataclass(frozen=True)
class Correction:
    """A death report undone: the person, the month the death had ended billing with, the memberships restored."""

    person_id: int
    death_month: Month
    recorded_at: dt.datetime
    restored: int


def record_death(
    conn: Connection, nik: str, died_on: dt.date, reported_on: dt.date, *, at: dt.datetime, by: str
) -> int:
    """Record a death reported on `reported_on` (at `at`, by `by`): the person's memberships end with the month of
    death, so billing stops after it. Returns the person's id (charges already made for later months are the
    ledger's to reverse). The date of death is not before birth nor before JKN began, and neither date is after
    the day of `at`."""
    nik = check_nik_format(nik)
    record = f"NIK {mask(nik)}"
    row = conn.execute(
        text("SELECT id, died_on, birth_date, registered_on FROM person WHERE nik = :n"), {"n": nik}
    ).first()
    if row is None:
        raise RegistryError(record, "nik", "a death is reported for a registered person", "unknown NIK")
    if row.died_on is not None:
        raise RegistryError(
            record, "died_on", "a death is reported once (`--correct` undoes a mistaken one)", "already recorded"
        )
    try:
        check_jkn_date("died_on", died_on, today=at.date())
        check_jkn_date("reported_on", reported_on, today=at.date())
    except RuleInputError as e:
        raise RegistryError(record, e.field, e.rule, e.detail) from None
    if died_on > reported_on:
        raise RegistryError(record, "died_on", "a death is reported after it happens", f"{died_on} > {reported_on}")
    if died_on < as_date(row.birth_date):
        raise RegistryError(record, "died_on", "a death is after the birth the NIK gives", f"died {died_on}")
    person_id = int(row.id)
    death_month = to_db(Month.of(died_on))
    before = [
        dict(r._mapping)
        for r in conn.execute(
            text(
                f"SELECT {_MEMBERSHIP} FROM membership WHERE person_id = :p"
                " AND (valid_from > :m OR valid_to IS NULL OR valid_to > :m) ORDER BY valid_from"
            ),
            {"p": person_id, "m": death_month},
        )
    ]
    conn.execute(
        text(
            "INSERT INTO death_report (person_id, died_on, reported_on, recorded_at, recorded_by, memberships)"
            " VALUES (:p, :d, :r, :at, :by, :m)"
        ),
        {"p": person_id, "d": died_on, "r": reported_on, "at": at, "by": by[:64], "m": json.dumps(before)},
    )
    conn.execute(
        text("UPDATE person SET died_on = :d, death_reported_on = :r WHERE id = :p"),
        {"d": died_on, "r": reported_on, "p": person_id},
    )
    # Death is the only way out of membership: it ends with the month of death (docs/rules.md §4).
    conn.execute(
        text("DELETE FROM membership WHERE person_id = :p AND valid_from > :m"), {"p": person_id, "m": death_month}
    )
    conn.execute(
        text("UPDATE membership SET valid_to = :m WHERE person_id = :p AND (valid_to IS NULL OR valid_to > :m)"),
        {"p": person_id, "m": death_month},
    )
    return person_id


def correct_death(conn: Connection, nik: str, reason: str, *, at: dt.datetime, by: str) -> Correction:
    """Undo a death reported by mistake: the person's memberships are put back as they were before it, the death
    is cleared from the person, and the report is marked corrected (at `at`, by `by`, for `reason`)."""
    nik = check_nik_format(nik)
    record = f"NIK {mask(nik)}"
    try:
        why = check_text("reason", reason, "death_report.correction")
    except RuleInputError as e:
        raise RegistryError(record, e.field, e.rule, e.detail) from None
    row = conn.execute(text("SELECT id, died_on FROM person WHERE nik = :n"), {"n": nik}).first()
    if row is None:
        raise RegistryError(record, "nik", "a correction is for a registered person", "unknown NIK")
    if row.died_on is None:
        raise RegistryError(record, "nik", "a correction undoes a death that is recorded", "no death recorded")
    person_id = int(row.id)
    report = conn.execute(
        text(
            "SELECT id, died_on, recorded_at, memberships FROM death_report"
            " WHERE person_id = :p AND corrected_at IS NULL"
            " ORDER BY id DESC"
        ),
        {"p": person_id},
    ).first()
    if report is None:
        raise RegistryError(
            record, "nik", "a death recorded with its memberships can be corrected", "recorded before iuran kept them"
        )
    death_month = to_db(Month.of(as_date(report.died_on)))
    before: list[dict[str, object]] = json.loads(report.memberships)
    _check_unchanged(conn, record, person_id, death_month, before)
    for m in before:
        if int(str(m["valid_from"])) > death_month:  # removed by the death: put back
            conn.execute(
                text(
                    "INSERT INTO membership (person_id, segment, kelas, account_id, wage, extra_members, valid_from,"
                    " valid_to, reason) VALUES (:p, :segment, :kelas, :account_id, :wage, :extra_members,"
                    " :valid_from, :valid_to, :reason)"
                ),
                {**{k: v for k, v in m.items() if k != "id"}, "p": person_id},
            )
        else:  # ended with the month of death: its end as it was
            conn.execute(
                text("UPDATE membership SET valid_to = :to WHERE id = :id"), {"to": m["valid_to"], "id": m["id"]}
            )
    conn.execute(text("UPDATE person SET died_on = NULL, death_reported_on = NULL WHERE id = :p"), {"p": person_id})
    conn.execute(
        text(
            "UPDATE death_report SET corrected_on = :on, corrected_at = :at, corrected_by = :by, correction = :why"
            " WHERE id = :id"
        ),
        {"on": at.date(), "at": at, "by": by[:64], "why": why, "id": report.id},
    )
    return Correction(person_id, from_db(death_month), as_datetime(report.recorded_at), len(before))


def _check_unchanged(
    conn: Connection, record: str, person_id: int, death_month: int, before: list[dict[str, object]]
) -> None:
    """The memberships are as the death left them: those it ended end with its month, none begins after it."""
    now = {
        int(r.id): r.valid_to
        for r in conn.execute(text("SELECT id, valid_to FROM membership WHERE person_id = :p"), {"p": person_id})
    }
    later = conn.execute(
        text("SELECT 1 FROM membership WHERE person_id = :p AND valid_from > :m"), {"p": person_id, "m": death_month}
    ).first()
    ended = [int(str(m["id"])) for m in before if int(str(m["valid_from"])) <= death_month]
    if later is not None or any(now.get(i) != death_month for i in ended):
        raise RegistryError(
            record, "nik", "a correction restores memberships as the death left them", "they changed since"
        )
