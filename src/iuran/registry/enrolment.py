"""Registering members and changing who pays for them.

Every function validates all its input before it writes, and writes inside the caller's transaction: a bad record
raises `RegistryError` naming the record, the field and the rule, and nothing of the call is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, text

from iuran.db.columns import check_text
from iuran.db.months import to_db
from iuran.rules.contribution import check_state_bp_kelas, state_bp_rule
from iuran.rules.errors import RuleInputError
from iuran.rules.membership import check_card_number, va_number
from iuran.rules.month import Month
from iuran.rules.nik import InvalidNik, parse_nik
from iuran.rules.program import check_family_size, check_jkn_date, check_rupiah
from iuran.rules.segments import Segment, check_kelas
from iuran.wilayah import default_wilayah

NIK_DIGITS = 16  # the layout of docs/rules.md §11 (iuran.rules.nik)
KK_DIGITS = 16  # a Kartu Keluarga number, like a NIK
# A phone number: an optional + and 8 to 15 digits (E.164 allows 15; Indonesian numbers have at least 8), spaces
# and dashes between them allowed.
PHONE_DIGITS = (8, 15)


class RegistryError(RuleInputError):
    """A registry record that breaks a rule; `record` says which one (never the NIK in clear)."""

    def __init__(self, record: str, field: str, rule: str, detail: str = "") -> None:
        self.record = record
        super().__init__(f"{record}: {field}", rule, detail)


@dataclass(frozen=True)
class NewPerson:
    nik: str
    name: str
    card_number: str
    desa_code: str
    registered_on: dt.date
    channel: str = "kantor_cabang"
    phone: str | None = None


def mask(nik: str) -> str:
    """A NIK as it may appear in messages, logs and lists: the kecamatan, the birth date and the sex hidden; the
    province and kabupaten/kota (which branch) and the serial (which of the people born there that day) kept."""
    if len(nik) != NIK_DIGITS or not (nik.isascii() and nik.isdigit()):
        return "(malformed)"
    return nik[:4] + "********" + nik[-4:]


def _insert_persons(conn: Connection, people: Sequence[NewPerson], family_id: int | None) -> list[int]:
    rows = _validated(conn, people)
    ids = []
    for row in rows:
        ids.append(
            conn.execute(
                text(
                    "INSERT INTO person (nik, card_number, name, sex, birth_date, phone, family_id, desa_code,"
                    " kecamatan_code, kabkota_code, registered_on, channel) VALUES (:nik, :card, :name, :sex,"
                    " :birth, :phone, :family, :desa, :kec, :kab, :reg, :channel) RETURNING id"
                ),
                {**row, "family": family_id},
            ).scalar_one()
        )
    return ids


def check_nik_format(nik: str) -> str:
    """A NIK as a lookup takes it: 16 digits 0-9 (its meaning is `rules.nik.parse_nik`'s), or `RuleInputError`."""
    nik = nik.strip()
    if len(nik) != NIK_DIGITS or not (nik.isascii() and nik.isdigit()):
        raise RuleInputError("nik", f"a NIK has {NIK_DIGITS} digits 0-9", f"got {len(nik)} characters")
    return nik


def check_phone(phone: str | None) -> str | None:
    """A phone number as the registry keeps it (None: none given), or `RuleInputError` naming `phone`."""
    if phone is None or not phone.strip():
        return None
    text = check_text("phone", phone, "person.phone")
    digits = text.removeprefix("+").replace(" ", "").replace("-", "")
    low, high = PHONE_DIGITS
    if not (digits.isascii() and digits.isdigit() and low <= len(digits) <= high):
        raise RuleInputError("phone", f"a phone number is an optional + and {low} to {high} digits 0-9")
    return text


def _validated(conn: Connection, people: Sequence[NewPerson], today: dt.date | None = None) -> list[dict[str, object]]:
    """Every rule a new person must meet, checked before anything is written: a valid NIK, a name, a known desa
    in the branch's kabupaten/kota, a card number, a registration in the JKN era (not after `today` if given),
    text that every database stores alike."""
    w = default_wilayah()
    branch = _branch_kabkota(conn)
    seen: set[str] = set()
    cards: set[str] = set()
    rows: list[dict[str, object]] = []
    for i, person in enumerate(people):
        record = f"person {i + 1} (NIK {mask(person.nik)})"
        try:
            info = parse_nik(person.nik, w, person.registered_on)
        except InvalidNik as e:
            raise RegistryError(record, e.field, e.rule, e.message) from None
        if person.nik in seen:
            raise RegistryError(record, "nik", "a NIK is registered once")
        try:
            name = check_text("name", person.name, "person.name")
            channel = check_text("channel", person.channel, "person.channel")
            phone = check_phone(person.phone)
            check_jkn_date("registered_on", person.registered_on, today=today)
            check_card_number(person.card_number)
        except RuleInputError as e:
            raise RegistryError(record, e.field, e.rule, e.detail) from None
        desa = w.region(person.desa_code)
        if desa is None or desa.level != "desa_kelurahan":
            raise RegistryError(record, "desa_code", "a known desa/kelurahan code", f"got {_code(person.desa_code)}")
        if branch and desa.code[:5] not in branch:
            raise RegistryError(
                record,
                "desa_code",
                "a desa in the branch's kabupaten/kota (table branch_region)",
                f"{desa.code} is in {desa.code[:5]}; the branch has {', '.join(sorted(branch))}",
            )
        if person.card_number in cards:
            raise RegistryError(record, "card_number", "a JKN card number belongs to one person")
        seen.add(person.nik)
        cards.add(person.card_number)
        kecamatan = desa.parent_code or ""
        rows.append(
            {
                "nik": person.nik,
                "card": person.card_number,
                "name": name,
                "sex": info.sex,
                "birth": info.birth_date,
                "phone": phone,
                "desa": person.desa_code,
                "kec": kecamatan,
                "kab": kecamatan[:5],
                "reg": person.registered_on,
                "channel": channel,
            }
        )
    taken = conn.execute(
        text("SELECT nik FROM person WHERE nik IN :niks").bindparams(_expanding("niks")),
        {"niks": [r["nik"] for r in rows]},
    ).first()
    if taken:
        raise RegistryError(f"NIK {mask(taken[0])}", "nik", "a NIK is registered once", "already registered")
    card_taken = conn.execute(
        text("SELECT card_number FROM person WHERE card_number IN :cards").bindparams(_expanding("cards")),
        {"cards": [r["card"] for r in rows]},
    ).first()
    if card_taken:
        raise RegistryError(
            f"card {card_taken[0][:4]}…", "card_number", "a JKN card number belongs to one person", "already issued"
        )
    return rows


def _expanding(name: str) -> BindParameter[Any]:
    return bindparam(name, expanding=True)


def _branch_kabkota(conn: Connection) -> frozenset[str]:
    """The kabupaten/kota of the branches this database serves; empty when it names none (every region)."""
    return frozenset(str(k) for (k,) in conn.execute(text("SELECT DISTINCT kabkota_code FROM branch_region")))


def _code(value: str) -> str:
    """A region code as a message may repeat it: quoted, at most 20 characters, no control characters."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in value[:20])
    return repr(shown + ("…" if len(value) > 20 else ""))


def register_family(
    conn: Connection,
    kk: str,
    members: Sequence[NewPerson],
    segment: Segment,
    kelas: int | Sequence[int],
    *,
    billing_from: Month | None = None,
    activated_on: dt.date | None = None,
    today: dt.date | None = None,
) -> int:
    """Register a PBPU/BP family on one virtual account; returns the account id.

    Every person on the KK is registered in the same class (docs/rules.md §2). Billing starts the month after
    registration unless `billing_from` says otherwise; the account is active once the first payment is made
    (`activated_on`, docs/rules.md §6). `today`: no registration is dated after it.
    """
    record = _family_record(kk)
    if not segment.is_family_billed:
        raise RegistryError(record, "segment", "a family account is for pbpu or bp", f"got {segment}")
    family_kelas = check_kelas(_family_checks(conn, record, kk, members, kelas))
    registered_on = min(p.registered_on for p in members)
    _validated(conn, members, today)
    family_id, person_ids = _insert_family(conn, kk, members)
    account_id = conn.execute(
        text(
            "INSERT INTO account (kind, name, va, family_id, kabkota_code, opened_on, activated_on)"
            " VALUES ('family', :name, :va, :fid, :kab, :opened, :activated) RETURNING id"
        ),
        {
            "name": f"Keluarga {members[0].name}",
            "va": va_number(members[0].card_number),
            "fid": family_id,
            "kab": members[0].desa_code[:5],
            "opened": registered_on,
            "activated": activated_on,
        },
    ).scalar_one()
    start = billing_from or Month.of(registered_on) + 1
    add_memberships(conn, person_ids, segment, family_kelas, account_id, start, reason="registration")
    return int(account_id)


def register_state_bp_family(
    conn: Connection,
    kk: str,
    members: Sequence[NewPerson],
    segment: Segment,
    kelas: int | Sequence[int],
    pension: int | None = None,
    *,
    billing_from: Month | None = None,
    today: dt.date | None = None,
) -> int:
    """Register a pensioner's or a veteran's family (`Segment.is_state_bp`, docs/rules.md §2), whose contribution
    the government pays; returns the payer account id.

    Every person on the KK is registered in the same class, one the rule in force allows (by rank), on the payer
    account the rule data names (the central government's). The head of the family (the first member) is the
    principal: a BP Pensiunan's monthly `pension` is the base of the contribution, a BP Veteran's is a fixed amount
    (no pension); the family members carry none. The contribution covers the principal and the family members the
    rule includes. Billing starts the month after registration unless `billing_from` says otherwise; `today`: no
    registration is dated after it.
    """
    record = _family_record(kk)
    if not segment.is_state_bp:
        raise RegistryError(record, "segment", "a government-paid BP family is bp-pens or bp-vet", f"got {segment}")
    family_kelas = _family_checks(conn, record, kk, members, kelas)
    registered_on = min(p.registered_on for p in members)
    start = billing_from or Month.of(registered_on) + 1
    try:
        rule = state_bp_rule(segment, start)
    except RuleInputError as e:
        raise RegistryError(record, "registered_on", e.rule, e.detail) from None
    try:
        check_state_bp_kelas(segment, start, family_kelas)
        if len(members) > 1 + rule.family_members_included:
            raise RuleInputError(
                "members",
                f"a {segment.label} contribution covers the principal and at most {rule.family_members_included}"
                f" family members (spouse, children; {rule.basis}); other relatives register as PBPU",
                f"got {len(members)} persons",
            )
        if segment.is_pension_based:
            if pension is None:
                raise RuleInputError("pension", "a BP Pensiunan's contribution is a percentage of the monthly pension")
            wage = check_rupiah("pension", pension)
        elif pension is not None:
            raise RuleInputError("pension", f"a {segment.label}'s contribution is a fixed amount: no pension")
        else:
            wage = 0  # the principal's membership carries a wage, 0: a fixed amount (docs/rules.md §3)
    except RuleInputError as e:
        raise RegistryError(record, e.field, e.rule, e.detail) from None
    _validated(conn, members, today)
    _family_id, person_ids = _insert_family(conn, kk, members)
    account_id = government_account(conn, rule.payer, registered_on, members[0].desa_code[:5])
    principal, *family = person_ids
    add_memberships(conn, [principal], segment, family_kelas, account_id, start, wage=wage, reason="registration")
    if family:
        add_memberships(conn, family, segment, family_kelas, account_id, start, reason="registration")
    return account_id


def _family_record(kk: str) -> str:
    return f"family KK {kk[:6]}…" if kk.isascii() and kk.isprintable() else "family"


def _family_checks(
    conn: Connection, record: str, kk: str, members: Sequence[NewPerson], kelas: int | Sequence[int]
) -> int:
    """The rules every family registration meets: a KK number registered once, a family size the programme
    allows, one class for all its members (returned)."""
    if len(kk) != KK_DIGITS or not (kk.isascii() and kk.isdigit()):
        raise RegistryError(record, "kk", f"a Kartu Keluarga number has {KK_DIGITS} digits 0-9")
    try:
        check_family_size("members", len(members))
    except RuleInputError as e:
        raise RegistryError(record, e.field, e.rule, e.detail) from None
    classes = {kelas} if isinstance(kelas, int) else set(kelas)
    if len(classes) != 1:
        raise RegistryError(record, "kelas", "every member of a family is in the same class", str(classes))
    if conn.execute(text("SELECT 1 FROM family WHERE kk = :kk"), {"kk": kk}).first():
        raise RegistryError(record, "kk", "a family is registered once")
    return classes.pop()


def _insert_family(conn: Connection, kk: str, members: Sequence[NewPerson]) -> tuple[int, list[int]]:
    family_id = conn.execute(
        text("INSERT INTO family (kk, desa_code) VALUES (:kk, :desa) RETURNING id"),
        {"kk": kk, "desa": members[0].desa_code},
    ).scalar_one()
    return int(family_id), _insert_persons(conn, members, family_id)


def register_employer(conn: Connection, code: str, name: str, kind: str, kabkota_code: str, opened_on: dt.date) -> int:
    """Register an employer (kind `bu` or `pn`) and its payer account; returns the account id."""
    if kind not in ("bu", "pn"):
        raise RegistryError(f"employer {code}", "kind", "an employer is bu (business) or pn (government)")
    region = default_wilayah().region(kabkota_code)
    if region is None or region.level != "kabupaten_kota":
        raise RegistryError(f"employer {code}", "kabkota_code", "a known kabupaten/kota code", kabkota_code)
    employer_id = conn.execute(
        text("INSERT INTO employer (code, name, kind, kabkota_code) VALUES (:c, :n, :k, :kab) RETURNING id"),
        {"c": code, "n": name, "k": kind, "kab": kabkota_code},
    ).scalar_one()
    return int(
        conn.execute(
            text(
                "INSERT INTO account (kind, name, employer_id, kabkota_code, opened_on, activated_on)"
                " VALUES ('employer', :n, :e, :kab, :d, :d) RETURNING id"
            ),
            {"n": name, "e": employer_id, "kab": kabkota_code, "d": opened_on},
        ).scalar_one()
    )


def government_account(conn: Connection, kind: str, opened_on: dt.date, pemda_code: str | None = None) -> int:
    """The central government's account, or a Pemda's; created on first use."""
    if kind == "central_gov":
        found = conn.execute(text("SELECT id FROM account WHERE kind = 'central_gov'")).scalar()
    else:
        found = conn.execute(text("SELECT id FROM account WHERE pemda_code = :c"), {"c": pemda_code}).scalar()
    if found:
        return int(found)
    name = "Pemerintah Pusat" if kind == "central_gov" else f"Pemda {pemda_code}"
    return int(
        conn.execute(
            text(
                "INSERT INTO account (kind, name, pemda_code, kabkota_code, opened_on, activated_on)"
                " VALUES (:k, :n, :p, :p, :d, :d) RETURNING id"
            ),
            {"k": kind, "n": name, "p": pemda_code, "d": opened_on},
        ).scalar_one()
    )


def register_persons(conn: Connection, people: Sequence[NewPerson]) -> list[int]:
    """Register persons outside a PBPU family (PBI, PPU workers and dependants); memberships come separately."""
    return _insert_persons(conn, people, None)


def add_memberships(
    conn: Connection,
    person_ids: Sequence[int],
    segment: Segment,
    kelas: int | None,
    account_id: int | None,
    valid_from: Month,
    *,
    wage: int | None = None,
    extra_members: int = 0,
    reason: str,
) -> None:
    """Open a membership from `valid_from` for each person, ending the one in force the month before."""
    if segment.is_family_billed:
        check_kelas(kelas)
    if segment.is_state_bp:
        check_state_bp_kelas(segment, valid_from, kelas)
    if segment.is_principal_billed and wage is not None and wage < 0:
        raise RegistryError("membership", "wage", "a wage (a pension) is a non-negative whole Rupiah amount")
    ids = list(person_ids)
    params = {"ids": ids, "m": to_db(valid_from), "prev": to_db(valid_from - 1)}
    later = conn.execute(
        text("SELECT person_id FROM membership WHERE person_id IN :ids AND valid_from >= :m").bindparams(
            _expanding("ids")
        ),
        params,
    ).first()
    if later:
        raise RegistryError(
            f"person {later[0]}", "valid_from", "membership changes are made in order", f"{valid_from} or later exists"
        )
    conn.execute(
        text(
            "UPDATE membership SET valid_to = :prev WHERE person_id IN :ids AND (valid_to IS NULL OR valid_to >= :m)"
        ).bindparams(_expanding("ids")),
        params,
    )
    conn.execute(
        text(
            "INSERT INTO membership (person_id, segment, kelas, account_id, wage, extra_members, valid_from, reason)"
            " VALUES (:p, :s, :k, :a, :w, :x, :m, :r)"
        ),
        [
            {
                "p": pid,
                "s": segment.value,
                "k": kelas,
                "a": account_id,
                "w": wage,
                "x": extra_members,
                "m": params["m"],
                "r": reason,
            }
            for pid in ids
        ],
    )


def set_umk(conn: Connection, kabkota_code: str, year: int, amount: int, basis: str) -> None:
    """The kabupaten/kota minimum wage for a year: the floor of the PPU wage base."""
    conn.execute(
        text("INSERT INTO umk (kabkota_code, year, amount, basis) VALUES (:k, :y, :a, :b)"),
        {"k": kabkota_code, "y": year, "a": amount, "b": basis},
    )
