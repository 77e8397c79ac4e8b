"""`iuran simulate …`: what the rules engine says, for partners' scripts and for the branch desk."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date, parse_month
from iuran.rules.contribution import contribution
from iuran.rules.penalty import service_penalty
from iuran.rules.program import check_extra_members, check_family_size, check_months_since_jkn, check_rupiah
from iuran.rules.reactivation import reactivation_quote
from iuran.rules.rehab import rehab_offer
from iuran.rules.segments import Segment

app = typer.Typer(help="Simulate contributions, reactivation, penalties and REHAB plans.", no_args_is_help=True)


class FamilySegment(StrEnum):
    pbpu = "pbpu"
    bp = "bp"


class RehabVersion(StrEnum):
    v2022 = "2022"
    v2025 = "2025"


SegmentOpt = Annotated[Segment, typer.Option("--segment", help="Membership segment.", case_sensitive=False)]
KelasOpt = Annotated[int, typer.Option("--kelas", min=1, max=3, help="Class 1, 2 or 3.")]
MembersOpt = Annotated[int, typer.Option("--members", help="People in the family.")]


@app.command("contribution")
def simulate_contribution(
    segment: SegmentOpt,
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    kelas: Annotated[int | None, typer.Option("--kelas", min=1, max=3)] = None,
    members: MembersOpt = 1,
    wage: Annotated[int | None, typer.Option("--wage", help="Monthly wage, Rupiah (PPU).")] = None,
    umk: Annotated[int | None, typer.Option("--umk", help="Kabupaten/kota minimum wage (PPU).")] = None,
    extra_members: Annotated[int, typer.Option("--extra-members", help="PPU family beyond 4.")] = 0,
    pension: Annotated[
        int | None, typer.Option("--pension", help="Monthly pension, Rupiah (BP Pensiunan, bp-pens).")
    ] = None,
) -> None:
    """The contribution for one payer in one month, with each party's share."""
    c = contribution(
        segment,
        parse_month("month", month),
        kelas=kelas,
        members=check_family_size("members", members),
        wage=None if wage is None else check_rupiah("wage", wage),
        umk=None if umk is None else check_rupiah("umk", umk),
        extra_members=check_extra_members("extra_members", extra_members),
        pension=None if pension is None else check_rupiah("pension", pension),
    )
    s = c.shares
    emit(
        {
            "month": str(c.month),
            "segment": c.segment.value,
            "total": c.total,
            "shares": {
                "participant": s.participant,
                "government": s.government,
                "employer": s.employer,
                "worker": s.worker,
            },
            "basis": "; ".join(c.basis),
        }
    )


@app.command("reactivation")
def simulate_reactivation(
    segment: Annotated[FamilySegment, typer.Option("--segment", case_sensitive=False)],
    kelas: KelasOpt,
    members: MembersOpt,
    unpaid_since: Annotated[str, typer.Option("--unpaid-since", help="First unpaid month, YYYY-MM.")],
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM-DD")],
) -> None:
    """What a suspended family pays to be active again: the months in arrears the rule of the day bills (at most 24
    since September 2018), this month, and before July 2016 the late fee; in 2020 only the latest 6 months, the rest
    deferred."""
    q = reactivation_quote(
        Segment(segment.value),
        kelas,
        check_family_size("members", members),
        parse_month("unpaid_since", unpaid_since),
        parse_date("as_of", as_of),
    )
    emit(
        {
            "months_in_arrears": q.months_in_arrears,
            "months_billed": len(q.billed_months),
            "written_off_months": len(q.written_off_months),
            "arrears_amount": q.arrears_amount,
            "current_month_amount": q.current_month_amount,
            "late_fee": q.late_fee,
            "deferred_months": len(q.deferred_months),
            "deferred_amount": q.deferred_amount,
            "remainder_due": q.remainder_due.isoformat() if q.remainder_due else None,
            "total": q.total,
            "basis": "; ".join(q.basis),
        }
    )


@app.command("penalty")
def simulate_penalty(
    inacbg: Annotated[int, typer.Option("--inacbg", help="INA-CBG estimate, Rupiah.")],
    months_in_arrears: Annotated[int, typer.Option("--months-in-arrears")],
    reactivated: Annotated[str, typer.Option("--reactivated", help="YYYY-MM-DD")],
    admitted: Annotated[str, typer.Option("--admitted", help="YYYY-MM-DD")],
) -> None:
    """The service penalty for an inpatient admission soon after reactivation."""
    reactivated_on = parse_date("reactivated", reactivated)
    p = service_penalty(
        check_rupiah("inacbg", inacbg, minimum=0),
        check_months_since_jkn("months_in_arrears", months_in_arrears, reactivated_on),
        reactivated_on,
        parse_date("admitted", admitted),
    )
    emit(
        {
            "penalty": p.penalty,
            "rate": p.rate_bp / 10_000,
            "months_counted": p.months_counted,
            "in_window": p.in_window,
            "capped": p.capped,
        }
    )


@app.command("rehab")
def simulate_rehab(
    segment: SegmentOpt,
    kelas: KelasOpt,
    members: MembersOpt,
    unpaid_since: Annotated[str, typer.Option("--unpaid-since", help="First unpaid month, YYYY-MM.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Registration date, YYYY-MM-DD")],
    version: Annotated[RehabVersion | None, typer.Option("--version", help="REHAB version.")] = None,
) -> None:
    """Whether a family may register for REHAB and the installment schedule it gets."""
    offer = rehab_offer(
        segment,
        kelas,
        check_family_size("members", members),
        parse_month("unpaid_since", unpaid_since),
        parse_date("as_of", as_of),
        version.value if version else None,
    )
    emit(
        {
            "eligible": offer.eligible,
            "reason": offer.reason,
            "installments": [{"due": i.due.isoformat(), "amount": i.amount} for i in offer.installments],
            "total": offer.total,
        }
    )
