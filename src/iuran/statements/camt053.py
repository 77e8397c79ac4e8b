"""ISO 20022 camt.053 (bank to customer statement), read with lxml as a stream (a statement of a million entries
is never held whole). Each credit entry (`Ntry` with `CdtDbtInd` CRDT) gives its booking date and, per transaction
detail, the amount and the payer's reference: `Refs/EndToEndId` (else the entry's `AcctSvcrRef`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from iuran.rules.errors import RuleInputError
from iuran.statements.lines import StatementLine, check_currency, check_reference, whole_rupiah


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _child(element: etree._Element, *path: str) -> etree._Element | None:
    for name in path:
        found = next((c for c in element if _local(c.tag) == name), None)
        if found is None:
            return None
        element = found
    return element


def _text(element: etree._Element | None) -> str | None:
    return element.text.strip() if element is not None and element.text else None


def _day(entry: etree._Element, n: int) -> dt.date:
    for path in (("BookgDt", "Dt"), ("BookgDt", "DtTm"), ("ValDt", "Dt")):
        value = _text(_child(entry, *path))
        if value:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                break
    raise RuleInputError("BookgDt", "every entry has its booking date", f"entry {n}")


def _amount(element: etree._Element | None, n: int) -> int:
    if element is None or not element.text:
        raise RuleInputError("Amt", "every entry has its amount", f"entry {n}")
    check_currency(element.get("Ccy"), n)
    try:
        return whole_rupiah(Decimal(element.text.strip()), n)
    except InvalidOperation:
        raise RuleInputError("Amt", "an amount in decimal digits", f"entry {n}") from None


def _first(*elements: etree._Element | None) -> etree._Element | None:
    return next((e for e in elements if e is not None), None)  # (an element without children is falsy)


def read_camt053(path: Path) -> Iterator[StatementLine]:
    entries = lines = 0
    try:
        for _, entry in etree.iterparse(str(path), events=("end",), resolve_entities=False, no_network=True):
            if _local(entry.tag) != "Ntry":
                continue
            entries += 1
            if _text(_child(entry, "CdtDbtInd")) == "CRDT" and _text(_child(entry, "RvslInd")) != "true":
                day = _day(entry, entries)
                details = [d for d in entry.iter() if _local(d.tag) == "TxDtls"] or [None]
                for detail in details:
                    lines += 1
                    if detail is None:
                        amount, reference = _child(entry, "Amt"), _text(_child(entry, "AcctSvcrRef"))
                    else:
                        amount = _first(_child(detail, "Amt"), _child(detail, "AmtDtls", "TxAmt", "Amt"))
                        amount = _first(amount, _child(entry, "Amt"))
                        reference = _text(_child(detail, "Refs", "EndToEndId")) or _text(_child(entry, "AcctSvcrRef"))
                    yield StatementLine(lines, day, _amount(amount, entries), check_reference(reference, entries))
            entry.clear()
            while entry.getprevious() is not None:  # the entries read: gone from the tree too
                del entry.getparent()[0]
    except etree.XMLSyntaxError as e:
        raise RuleInputError("file", "a camt.053 statement (XML)", f"line {e.lineno}") from None
    if entries == 0:
        raise RuleInputError("file", "a camt.053 statement", "no Ntry entry")
