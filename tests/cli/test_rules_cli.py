"""`iuran rules show --on DATE [--format json|table]`: the rule data in force on a day, each entry with its basis."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from iuran.cli import rules
from iuran.rules.errors import RuleInputError
from iuran.rules.rulebook import Rulebook

TABLES = [f.name for f in dataclasses.fields(Rulebook)]
TABLE_KEYS = {"in_force", "key", "dated", "entries", "next_effective"}


def _root() -> typer.Typer:
    """`rules.app` under a root command, as `iuran.cli.main` registers it (`app.add_typer(rules.app, name="rules")`)."""
    root = typer.Typer()
    root.add_typer(rules.app, name="rules")
    return root


def invoke(*args: str) -> Any:
    return CliRunner().invoke(_root(), ["rules", "show", *args])


def show_json(on: str) -> Any:
    result = invoke("--on", on)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_has_every_table_of_the_rulebook_with_the_entry_in_force_and_its_basis() -> None:
    doc = show_json("2017-09-05")
    assert set(doc) == {"on", "tables"}
    assert doc["on"] == "2017-09-05"
    assert list(doc["tables"]) == TABLES
    for name, table in doc["tables"].items():
        assert set(table) == TABLE_KEYS, name
        for e in table["entries"]:
            assert e["basis"], name
            assert ("effective" in e) == table["dated"], name
    # The rules of 5 September 2017, each with its source (docs/rules.md §4): at most 12 months of arrears billed,
    # suspended more than a month after the 10th, no late fee.
    assert doc["tables"]["reactivation"]["entries"] == [
        {
            "effective": "2016-07-01",
            "max_months_in_arrears": 12,
            "basis": "Perpres 19/2016 Pasal 17A.1 ayat (1)",
            "months_to_reactivate": 0,
            "remainder_due": None,
        }
    ]
    assert doc["tables"]["reactivation"]["next_effective"] == "2018-09-18"
    suspension = {e["payer"]: e for e in doc["tables"]["suspension"]["entries"]}
    assert (suspension["family"]["months_tolerated"], suspension["family"]["grace_days"]) == (0, 10)
    assert suspension["family"]["basis"].startswith("Perpres 19/2016 Pasal 17A.1 ayat (1)")
    fees = {e["payer"]: e for e in doc["tables"]["late_fee"]["entries"]}
    assert fees["family"]["bp_per_month"] == 0 and "Perpres 19/2016" in fees["family"]["basis"]
    first_payment = doc["tables"]["new_pbpu"]["entries"][0]
    assert first_payment["first_payment_min_days"] == 14 and "1/2015" in first_payment["basis"]
    assert doc["tables"]["rehab"] == {
        "in_force": False,
        "key": "version",
        "dated": True,
        "entries": [],
        "next_effective": "2022-01-01",
    }
    assert doc["tables"]["virtual_account"]["entries"][0]["prefixes"] == ["88888", "89888"]


def test_json_on_1_may_2024() -> None:
    tables = show_json("2024-05-01")["tables"]
    pbpu = tables["pbpu_rate"]["entries"]
    assert len(pbpu) == 1
    assert pbpu[0]["kelas3_participant"] == 35_000
    assert pbpu[0]["effective"] == "2021-01-01"
    assert tables["reactivation"]["entries"][0]["max_months_in_arrears"] == 24
    assert [e["segment"] for e in tables["ppu_rate"]["entries"]] == ["ppu-bu", "ppu-pn"]
    assert tables["ppu_rate"]["key"] == "segment"
    family = [e for e in tables["payment_policy"]["entries"] if e["payer"] == "family"]
    assert [e["settles"] for e in family] == ["whole_bill"]


def test_table_for_people() -> None:
    result = invoke("--on", "2024-05-01", "--format", "table")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Aturan yang berlaku pada 2024-05-01")
    assert out.endswith("\n")
    for name in TABLES:
        assert f"[{name}]" in out
    assert "kelas3_participant         35.000" in out
    assert "max_months_in_arrears  24" in out
    assert "dasar hukum (basis): Perpres 64/2020 Pasal 34" in out
    assert "segment ppu-bu · berlaku sejak 2015-07-01" in out
    assert "employer_bp  400 bp (4,00%)" in out
    assert (
        "UHC Awards  [uhc_award]  docs/rules.md §10\n  tidak berlaku (not in force): entri pertama berlaku 2026-01-01"
        in out
    )


def test_table_says_no_cap_where_the_rule_data_says_0() -> None:
    result = invoke("--on", "2016-06-30", "--format", "TABLE")
    assert result.exit_code == 0, result.output
    assert "max_months_in_arrears  0 = tanpa batas (no cap)" in result.stdout
    assert "perubahan berikutnya (next change): 2016-07-01" in result.stdout


def test_table_on_5_september_2017_shows_each_rule_with_its_source() -> None:
    result = invoke("--on", "2017-09-05", "--format", "table")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert (
        "Pengaktifan kembali: bulan tunggakan yang ditagih  [reactivation]  docs/rules.md §4\n"
        "  berlaku sejak 2016-07-01\n"
        "    dasar hukum (basis): Perpres 19/2016 Pasal 17A.1 ayat (1)\n"
        "    max_months_in_arrears  12\n"
        "    months_to_reactivate   0 = semua bulan yang ditagih (every billed month)\n"
        "    remainder_due          -\n"
        "  perubahan berikutnya (next change): 2018-09-18"
    ) in out
    assert "payer family · berlaku sejak 2016-07-01\n    dasar hukum (basis): Perpres 19/2016 Pasal 17A.1" in out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--on", "2024-13-01"), "on"),
        (("--on", "05/09/2017"), "on"),
        (("--on", "2024-05-01", "--format", "csv"), "format"),
    ],
)
def test_bad_input_is_a_rule_input_error_naming_the_field(args: tuple[str, ...], field: str) -> None:
    result = invoke(*args)
    assert isinstance(result.exception, RuleInputError)
    assert result.exception.field == field
    assert result.stdout == ""


@pytest.fixture
def main_with_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`iuran.cli.main.main` with the rules command, whether or not main registers it yet."""
    from iuran.cli import main as cli_main

    if not any(g.name == "rules" for g in cli_main.app.registered_groups):
        app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
        app.registered_groups = [*cli_main.app.registered_groups]
        app.add_typer(rules.app, name="rules")
        monkeypatch.setattr(cli_main, "app", app)
    yield


@pytest.mark.parametrize(
    ("args", "field"),
    [(("--on", "2024-02-30"), "on"), (("--on", "2024-05-01", "--format", "xml"), "format")],
)
def test_through_main_bad_input_is_one_line_and_exit_2(
    main_with_rules: None, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], field: str
) -> None:
    from iuran.cli.main import main

    with pytest.raises(SystemExit) as e:
        main(["rules", "show", *args])
    out, err = capsys.readouterr()
    assert e.value.code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"iuran: {field}: ")
    assert "Traceback" not in err


def test_through_main_prints_json(main_with_rules: None, capsys: pytest.CaptureFixture[str]) -> None:
    from iuran.cli.main import main

    with pytest.raises(SystemExit) as e:
        main(["rules", "show", "--on", "2014-01-01"])
    out, err = capsys.readouterr()
    assert (e.value.code, err) == (0, "")
    ppu = json.loads(out)["tables"]["ppu_rate"]["entries"]
    assert [(r["segment"], r["employer_bp"], r["worker_bp"]) for r in ppu] == [
        ("ppu-bu", 400, 50),
        ("ppu-pn", 300, 200),
    ]
