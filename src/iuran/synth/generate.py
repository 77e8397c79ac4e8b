"""Write a synthetic branch into an empty registry: regions' branch, UMK, employers, families, persons, accounts,
memberships, payer behaviour and opening balances, streamed in chunks of families (numpy arrays per chunk).

Everything is one transaction: a database holds a whole synthetic branch or none of it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, text

from iuran.db.engine import is_postgres
from iuran.db.months import to_db
from iuran.db.population import population_release, population_totals
from iuran.rules.membership import first_payment_window
from iuran.rules.month import Month
from iuran.rules.rulebook import default_rulebook, in_force
from iuran.rules.segments import Segment
from iuran.synth.names import FIRM_FORMS, FIRM_WORDS, GOVERNMENT_UNITS, PAYMENT_CHANNEL_INSTITUTION, PAYMENT_CHANNELS
from iuran.synth.people import People, Serials, dates, make_people, month_end_day, va_numbers
from iuran.synth.plan import SEG, SEGMENTS, Behaviour, Geography, Plan, make_plan
from iuran.synth.prices import FamilyPrices, PpuRates
from iuran.synth.progress import count
from iuran.synth.scenarios import Scenario, scenario
from iuran.synth.writer import BulkWriter
from iuran.wilayah import default_wilayah

I64 = NDArray[np.int64]
Progress = Callable[[str], None]

CHUNK_PERSONS = 100_000
ID_TABLES = ("family", "person", "employer", "account", "membership", "charge")


class SynthError(ValueError):
    """A synthetic branch that cannot be built here (e.g. the registry is not empty)."""


@dataclass(frozen=True)
class GenerationSummary:
    scenario: str
    scale: float
    seed: int
    opening: Month
    month: Month
    persons: int
    families: int
    employers: int
    accounts: int
    memberships: int
    opening_charges: int
    opening_amount: int
    seconds: float


def yyyymm(month_index: I64) -> I64:
    return (month_index // 12) * 100 + month_index % 12 + 1


def extra_family_members(family_size: I64, month_index: I64) -> I64:
    """A PPU worker's family members beyond those the percentage covers (`ppu_extra_member`) in each month."""
    if not len(family_size):
        return np.zeros(0, dtype=np.int64)
    first = int(month_index.min())
    rules = default_rulebook().ppu_extra_member
    included = np.array(
        [
            in_force(rules, Month.from_index(i).first_day(), "PPU extra family member").family_members_included
            for i in range(first, int(month_index.max()) + 1)
        ],
        dtype=np.int64,
    )
    # The worker and `included` family members are covered by the percentage.
    extra: I64 = np.maximum(family_size - 1 - included[month_index - first], 0)
    return extra


def first_payment_days(rng: np.random.Generator, registered: I64) -> I64:
    """Days from each new family's registration (a day number) to its first payment, within `first_payment_window`."""
    days, inverse = np.unique(registered, return_inverse=True)
    window = np.zeros((len(days), 2), dtype=np.int64)
    for i, x in enumerate(days.tolist()):
        day = dt.date(1970, 1, 1) + dt.timedelta(days=x)
        window[i] = [(d - day).days for d in first_payment_window(day)]
    lo, hi = window[inverse, 0], window[inverse, 1]
    if len(lo) and (lo == lo[0]).all() and (hi == hi[0]).all():
        one: I64 = rng.integers(int(lo[0]), int(hi[0]) + 1, len(lo))  # one window for all (as so far)
        return one
    each: I64 = rng.integers(lo, hi + 1)
    return each


def _nullable_month(month_index: I64) -> NDArray[np.object_]:
    out = yyyymm(month_index).astype(object)
    out[month_index < 0] = None
    return out


def check_empty(conn: Connection) -> None:
    """A synthetic branch is never mixed with real (or other synthetic) members and payers."""
    persons = conn.execute(text("SELECT count(*) FROM person")).scalar() or 0
    accounts = conn.execute(text("SELECT count(*) FROM account")).scalar() or 0
    if persons or accounts:
        held = f"{persons:,} persons" if persons else f"{accounts:,} payer accounts"
        raise SynthError(
            f"database: it already holds {held}; a synthetic branch is built only into an empty registry "
            "(use a fresh database)"
        )


def generate_branch(
    engine: Engine,
    name: str,
    scale: float,
    seed: int,
    *,
    created_at: dt.datetime | None = None,
    chunk_persons: int = CHUNK_PERSONS,
    progress: Progress | None = None,
) -> GenerationSummary:
    """Build the scenario's branch at `scale` into the empty registry of `engine`; deterministic for a seed."""
    if not 0 < scale <= 1.0:
        raise SynthError(f"scale: between 0 and 1, got {scale}")
    sc = scenario(name)
    started = time.monotonic()
    with engine.connect() as conn:
        check_empty(conn)
        population = scenario_population(conn, sc)
    geo = Geography.of(default_wilayah(), sorted(sc.coverage), population)
    plan = make_plan(sc, geo, scale, seed)
    created = created_at or dt.datetime.combine(sc.opening.first_day(), dt.time())
    say = progress or (lambda _m: None)
    say(
        f"plan: {count(plan.persons)} persons in {count(len(plan.families))} families, "
        f"{count(len(plan.employers))} employers"
    )
    with engine.begin() as conn:
        check_empty(conn)
        gen = _Generation(conn, plan, seed, created, say)
        gen.reference_data()
        gen.institutions()
        gen.families(chunk_persons)
        gen.finish()
        rows = gen.writer.rows
    analyze(engine)
    return GenerationSummary(
        scenario=sc.name,
        scale=scale,
        seed=seed,
        opening=sc.opening,
        month=sc.month,
        persons=rows.get("person", 0),
        families=rows.get("family", 0),
        employers=rows.get("employer", 0),
        accounts=rows.get("account", 0),
        memberships=rows.get("membership", 0),
        opening_charges=gen.opening_charges,
        opening_amount=gen.opening_amount,
        seconds=round(time.monotonic() - started, 2),
    )


def scenario_population(conn: Connection, sc: Scenario) -> dict[str, int]:
    """The population of the scenario's kabupaten/kota that its picture divides by: the release the coverage report
    of the picture's day reads (`iuran.db.population`)."""
    release = population_release(conn, sc.month.first_day())
    if release is None:
        raise SynthError("population: the database holds no population figures (run `iuran db init`)")
    found = population_totals(conn, release, sc.coverage)
    missing = sorted(set(sc.coverage) - set(found))
    if missing:
        raise SynthError(f"population: {release.source} has no figure for {', '.join(missing)}")
    return found


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load, so that the cycle's set-based SQL gets good plans."""
    with engine.begin() as conn:
        if is_postgres(conn):
            for table in (
                "family",
                "person",
                "employer",
                "account",
                "membership",
                "charge",
                "open_item",
                "synth_payer",
            ):
                conn.execute(text(f"ANALYZE {table}"))
        else:
            conn.execute(text("ANALYZE"))


class _Generation:
    def __init__(self, conn: Connection, plan: Plan, seed: int, created: dt.datetime, say: Progress) -> None:
        self.conn = conn
        self.plan = plan
        self.sc: Scenario = plan.scenario
        self.seed = seed
        self.created = created
        self.say = say
        self.writer = BulkWriter(conn)
        self.rng = np.random.default_rng([seed, 1])
        self.base = {
            t: int(conn.execute(text(f"SELECT COALESCE(max(id), 0) FROM {t}")).scalar() or 0) for t in ID_TABLES
        }
        self.next_id = dict(self.base)
        self.opening_charges = 0
        self.opening_amount = 0
        fam = plan.families
        first_month = Month.from_index(int(self.sc.opening.index - max(1, int(fam.arrears_months.max(initial=0)))))
        self.prices = FamilyPrices.between(first_month, self.sc.month)
        # Payer accounts: the central government, one Pemda per kabupaten/kota, employers, then families.
        n_kab = len(plan.geography.kab_codes)
        self.central = self.base["account"] + 1
        self.pemda = self.central + 1 + np.arange(n_kab, dtype=np.int64)
        self.employer_account = self.central + 1 + n_kab + np.arange(len(plan.employers), dtype=np.int64)
        family_billed = np.isin(fam.segment, [SEG[s] for s in SEGMENTS if s.is_family_billed])
        self.family_account = np.where(
            family_billed, self.central + n_kab + len(plan.employers) + np.cumsum(family_billed), -1
        )
        self.employer_id = self.base["employer"] + 1 + np.arange(len(plan.employers), dtype=np.int64)

    def _ids(self, table: str, n: int) -> I64:
        first = self.next_id[table] + 1
        self.next_id[table] += n
        return np.arange(first, first + n, dtype=np.int64)

    def _db(self, sql: str, **params: object) -> None:
        self.conn.execute(text(sql), params)

    # --- reference data ---------------------------------------------------------------------------------------

    def reference_data(self) -> None:
        sc, geo = self.sc, self.plan.geography
        branch = self.conn.execute(text("SELECT id FROM branch WHERE code = :c"), {"c": sc.branch_code}).scalar()
        if branch is None:
            branch = self.conn.execute(
                text("INSERT INTO branch (code, name) VALUES (:c, :n) RETURNING id"),
                {"c": sc.branch_code, "n": sc.branch_name},
            ).scalar_one()
        served = {
            r[0]
            for r in self.conn.execute(
                text("SELECT kabkota_code FROM branch_region WHERE branch_id = :b"), {"b": branch}
            )
        }
        for code in geo.kab_codes:
            if code not in served:
                self._db("INSERT INTO branch_region (branch_id, kabkota_code) VALUES (:b, :k)", b=branch, k=code)
        known = {(r[0], int(r[1])) for r in self.conn.execute(text("SELECT kabkota_code, year FROM umk"))}
        for (code, year), amount in sorted(sc.umk.items()):
            if (code, year) not in known:
                self._db(
                    "INSERT INTO umk (kabkota_code, year, amount, basis) VALUES (:k, :y, :a, :b)",
                    k=code,
                    y=year,
                    a=amount,
                    b=sc.umk_basis,
                )
        self._db(
            "INSERT INTO synth_run (scenario, scale, seed, opening_month, scenario_month, persons, created_at) "
            "VALUES (:s, :scale, :seed, :o, :m, :p, :t)",
            s=sc.name,
            scale=self.plan.scale,
            seed=self.seed,
            o=to_db(sc.opening),
            m=to_db(sc.month),
            p=self.plan.persons,
            t=self.created,
        )

    # --- governments and employers ----------------------------------------------------------------------------

    def institutions(self) -> None:
        geo, emp, sc = self.plan.geography, self.plan.employers, self.sc
        opened = dates(np.array([int(np.datetime64("2014-01-01", "D").astype(np.int64))]))[0]
        n_kab = len(geo.kab_codes)
        self.writer.write(
            "account",
            {
                "id": np.r_[self.central, self.pemda],
                "kind": np.array(["central_gov"] + ["pemda"] * n_kab),
                "name": np.array(["Pemerintah Pusat"] + [f"Pemda {n}" for n in geo.kab_names]),
                "pemda_code": np.array([None, *geo.kab_codes], dtype=object),
                "kabkota_code": np.array([None, *geo.kab_codes], dtype=object),
                "opened_on": np.array([opened] * (n_kab + 1)),
                "activated_on": np.array([opened] * (n_kab + 1)),
            },
        )
        self.next_id["account"] += n_kab + 1
        gov = np.r_[self.central, self.pemda]
        self._payers(
            gov,
            np.full(len(gov), Behaviour.REGULAR),
            np.full(len(gov), sc.opening.index),
            np.full(len(gov), -1),
            np.full(len(gov), -1),
            np.r_[5, np.full(n_kab, 8)],
            np.array([PAYMENT_CHANNEL_INSTITUTION] * len(gov)),
        )
        e = len(emp)
        if not e:
            return
        rng = self.rng
        kab_names = np.array(geo.kab_names)[emp.kab]
        firm = np.char.add(
            np.char.add(np.array(FIRM_FORMS)[rng.integers(0, len(FIRM_FORMS), e)], " "),
            np.char.add(
                np.char.add(np.array(FIRM_WORDS)[rng.integers(0, len(FIRM_WORDS), e)], " "),
                np.array(FIRM_WORDS)[rng.integers(0, len(FIRM_WORDS), e)],
            ),
        )
        unit = np.char.add(
            np.char.add(np.array(GOVERNMENT_UNITS)[rng.integers(0, len(GOVERNMENT_UNITS), e)], " "), kab_names
        )
        name = np.where(emp.kind == 0, firm, unit)
        code = np.char.zfill((10_000_000 + self.employer_id * 7 % 89_999_989).astype(np.str_), 8)
        kab_codes = np.array(geo.kab_codes)[emp.kab]
        self.writer.write(
            "employer",
            {
                "id": self.employer_id,
                "code": code,
                "name": name,
                "kind": np.where(emp.kind == 0, "bu", "pn"),
                "kabkota_code": kab_codes,
            },
        )
        self.next_id["employer"] += e
        opened_day = np.int64(int(np.datetime64("2014-01-01", "D").astype(np.int64))) + rng.integers(0, 2500, e)
        opened_day = np.minimum(opened_day, month_end_day(np.array(sc.opening.index - 25)))
        self.writer.write(
            "account",
            {
                "id": self.employer_account,
                "kind": np.array(["employer"] * e),
                "name": name,
                "employer_id": self.employer_id,
                "kabkota_code": kab_codes,
                "opened_on": dates(opened_day),
                "activated_on": dates(opened_day),
            },
        )
        self.next_id["account"] += e
        self._payers(
            self.employer_account,
            emp.behaviour,
            emp.first_paid,
            emp.last_paid,
            np.full(e, -1),
            emp.pay_day,
            np.array([PAYMENT_CHANNEL_INSTITUTION] * e),
        )
        self._employer_openings()

    def _employer_openings(self) -> None:
        """Opening arrears of employers: each unpaid month at the wage base and rates of that month."""
        fam, emp, sc = self.plan.families, self.plan.employers, self.sc
        owing = np.flatnonzero(emp.arrears_months > 0)
        if not len(owing):
            return
        workers = np.flatnonzero((fam.employer >= 0) & (fam.payer == 0))
        workers = workers[np.isin(fam.employer[workers], owing)]
        e_of = fam.employer[workers]
        kab_codes = self.plan.geography.kab_codes
        members = np.bincount(e_of, weights=fam.size[workers], minlength=len(emp)).astype(np.int64)
        for back in range(1, int(emp.arrears_months.max()) + 1):
            month = sc.opening - back
            extra = extra_family_members(fam.size[workers], np.full(len(workers), month.index))
            umk_by_kab = np.array([sc.umk[(code, month.year)] for code in kab_codes], dtype=np.int64)
            segment = np.where(emp.kind[e_of] == 0, "ppu-bu", "ppu-pn")
            amount = np.zeros(len(workers), dtype=np.int64)
            for seg in ("ppu-bu", "ppu-pn"):
                sel = segment == seg
                amount[sel] = PpuRates.of(month, seg).worker_month(
                    fam.wage[workers[sel]], umk_by_kab[emp.kab[e_of[sel]]], extra[sel]
                )
            total = np.bincount(e_of, weights=amount, minlength=len(emp)).astype(np.int64)
            due = owing[emp.arrears_months[owing] >= back]
            self._opening_rows(self.employer_account[due], np.full(len(due), month.index), members[due], total[due])

    def _opening_rows(self, account: I64, month_index: I64, members: I64, amount: I64) -> None:
        keep = amount > 0
        account, month_index, members, amount = account[keep], month_index[keep], members[keep], amount[keep]
        n = len(account)
        if not n:
            return
        ids = self._ids("charge", n)
        month = yyyymm(month_index)
        self.writer.write(
            "charge",
            {
                "id": ids,
                "account_id": account,
                "month": month,
                "kind": np.array(["opening"] * n),
                "members": members,
                "amount": amount,
                "created_at": np.array([self.created.isoformat(sep=" ")] * n),
            },
        )
        self.writer.write("open_item", {"charge_id": ids, "account_id": account, "month": month, "amount_open": amount})
        self.opening_charges += n
        self.opening_amount += int(amount.sum())

    def _payers(
        self,
        account: I64,
        behaviour: I64,
        first: I64,
        last: I64,
        skip: I64,
        pay_day: I64,
        channel: NDArray[np.str_],
    ) -> None:
        self.writer.write(
            "synth_payer",
            {
                "account_id": account,
                "behaviour": np.array([b.name.lower() for b in Behaviour])[behaviour],
                "first_paid": _nullable_month(first),
                "last_paid": _nullable_month(last),
                "skip_month": _nullable_month(skip),
                "pay_day": pay_day,
                "channel": channel,
            },
        )

    # --- families, persons, memberships -----------------------------------------------------------------------

    def families(self, chunk_persons: int) -> None:
        fam = self.plan.families
        serials = Serials(len(self.plan.geography.kec_codes))
        cum = np.cumsum(fam.size)
        start, seq = 0, 0
        scenario_day = int(np.datetime64(self.sc.month.first_day().isoformat(), "D").astype(np.int64))
        while start < len(fam):
            stop = int(np.searchsorted(cum, (cum[start - 1] if start else 0) + chunk_persons, side="right"))
            stop = max(stop, start + 1)
            rng = np.random.default_rng([self.seed, 2, start])
            people = make_people(
                rng, fam, slice(start, stop), self.plan.geography, serials, scenario_day, seq, self.seed
            )
            self._chunk(start, stop, people, rng)
            seq += len(people.family_of)
            self.say(f"families {count(stop)}/{count(len(fam))}, persons {count(seq)}")
            start = stop

    def _chunk(self, start: int, stop: int, people: People, rng: np.random.Generator) -> None:
        fam, geo = self.plan.families, self.plan.geography
        sl = slice(start, stop)
        n_fam = stop - start
        family_id = self._ids("family", n_fam)
        desa = geo.desa_codes[fam.desa[sl]]
        self.writer.write("family", {"id": family_id, "kk": people.kk, "desa_code": desa})

        f = people.family_of
        n = len(f)
        person_id = self._ids("person", n)
        p_desa = desa[f]
        kec = np.array(geo.kec_codes)[fam.kec[sl]][f]
        self.writer.write(
            "person",
            {
                "id": person_id,
                "nik": people.nik,
                "card_number": people.card,
                "name": people.name,
                "sex": np.where(people.sex_female, "F", "M"),
                "birth_date": dates(people.birth),
                "phone": people.phone,
                "family_id": family_id[f],
                "desa_code": p_desa,
                "kecamatan_code": kec,
                "kabkota_code": np.array(geo.kab_codes)[fam.kab[sl]][f],
                "registered_on": dates(people.registered[f]),
                "channel": people.channel[f],
            },
        )

        # Family accounts (PBPU/BP): VA from the head's card number, active since their first payment.
        account = self.family_account[sl]
        billed = np.flatnonzero(account > 0)
        head_index = np.flatnonzero(people.head)  # one per family, in family order
        if len(billed):
            head_card = people.card[head_index[billed]]
            head_name = np.array(people.name, dtype=object)[head_index[billed]]
            reg = people.registered[billed]
            self.writer.write(
                "account",
                {
                    "id": account[billed],
                    "kind": np.array(["family"] * len(billed)),
                    "name": np.array([f"Keluarga {x}" for x in head_name]),
                    "va": va_numbers(head_card),
                    "family_id": family_id[billed],
                    "kabkota_code": np.array(geo.kab_codes)[fam.kab[sl][billed]],
                    "opened_on": dates(reg),
                    "activated_on": dates(reg + first_payment_days(rng, reg)),
                },
            )
            g = start + billed
            names, weights = zip(*PAYMENT_CHANNELS, strict=True)
            channel = np.array(names)[rng.choice(len(names), size=len(billed), p=np.array(weights) / sum(weights))]
            self._payers(
                account[billed],
                fam.behaviour[g],
                fam.first_paid[g],
                fam.last_paid[g],
                fam.skip_month[g],
                fam.pay_day[g],
                channel,
            )
            self._family_openings(g, account[billed])

        self._memberships(sl, people, person_id)

    def _family_openings(self, g: I64, account: I64) -> None:
        fam, sc = self.plan.families, self.sc
        k = fam.arrears_months[g]
        owing = k > 0
        g, account, k = g[owing], account[owing], k[owing]
        if not len(g):
            return
        rep = np.repeat(np.arange(len(g)), k)
        within = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
        month_index = sc.opening.index - k[rep] + within
        price = self.prices.per_person(fam.kelas[g][rep], month_index)
        self._opening_rows(account[rep], month_index, fam.size[g][rep], price * fam.size[g][rep])

    def _memberships(self, sl: slice, people: People, person_id: I64) -> None:
        fam = self.plan.families
        f = people.family_of
        g = sl.start + f  # plan index of each person's family
        seg = fam.segment[g]
        reg_month = (people.registered[f].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)) + 1970 * 12
        valid_from = reg_month + 1  # billed from the month after registration
        payer = self._payer_account(g)
        # A PPU worker (the head) carries the wage; the percentage covers some family members, more cost extra.
        ppu = np.isin(seg, [SEG[s] for s in SEGMENTS if s.is_ppu])
        worker = ppu & people.head
        wage = np.where(worker, fam.wage[g], 0).astype(object)
        wage[~worker] = None
        extra = np.where(worker, extra_family_members(fam.size[g], valid_from), 0)
        kelas = fam.kelas[g].astype(object)
        kelas[kelas == 0] = None
        segment = np.array([s.value for s in SEGMENTS])[seg]
        until = fam.payer_until[g]
        lost = until >= 0
        # Deactivated PBI and dropped workers: paid for until `until`, then nobody pays (account NULL).
        first_account = np.where(lost, self._institution_account(g), payer).astype(object)
        first_account[first_account < 0] = None
        n = len(g)
        reasons = np.where(lost & ppu, "worker_dropped", np.where(lost, "pbi_deactivated", "registration"))
        ids = self._ids("membership", n + int(lost.sum()))
        self.writer.write(
            "membership",
            {
                "id": ids[:n],
                "person_id": person_id,
                "segment": segment,
                "kelas": kelas,
                "account_id": first_account,
                "wage": wage,
                "extra_members": extra,
                "valid_from": yyyymm(valid_from),
                "valid_to": _nullable_month(np.where(lost, until, -1)),
                "reason": np.array(["registration"] * n),
            },
        )
        if lost.any():
            m = int(lost.sum())
            self.writer.write(
                "membership",
                {
                    "id": ids[n:],
                    "person_id": person_id[lost],
                    "segment": segment[lost],
                    "kelas": kelas[lost],
                    "account_id": np.array([None] * m, dtype=object),
                    "wage": np.array([None] * m, dtype=object),
                    "extra_members": np.zeros(m, dtype=np.int64),
                    "valid_from": yyyymm(until[lost] + 1),
                    "valid_to": np.array([None] * m, dtype=object),
                    "reason": reasons[lost],
                },
            )

    def _institution_account(self, g: I64) -> I64:
        fam = self.plan.families
        seg = fam.segment[g]
        out = np.full(len(g), -1, dtype=np.int64)
        out = np.where(seg == SEG[Segment.PBI_APBN], self.central, out)
        out = np.where(seg == SEG[Segment.PBI_APBD], self.pemda[fam.kab[g]], out)
        has_employer = fam.employer[g] >= 0
        out[has_employer] = self.employer_account[fam.employer[g][has_employer]]
        return out

    def _payer_account(self, g: I64) -> I64:
        fam = self.plan.families
        out = np.where(self.family_account[g] > 0, self.family_account[g], self._institution_account(g))
        return np.where(fam.payer[g] < 0, -1, out)

    def finish(self) -> None:
        if is_postgres(self.conn):
            for table in ID_TABLES:
                self._db(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(max(id), 1) FROM {table}))"
                )
