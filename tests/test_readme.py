"""The README, walked as a newcomer walks it after `make demo`: every command of its command-line blocks runs.

The first `sh` block is `make demo` and `make test`; this test plays `make demo` (the same `iuran db init` and
`iuran synth`, at a smaller scale: the walk does not depend on the scale) in a fresh directory holding the
repository's `examples/`, then runs every line of the other `sh` blocks there, in order: `. .venv/bin/activate`
and `export` change the environment the following lines see, each `iuran …` line runs the command in this process
and must exit 0. A line the test cannot run fails it, so that the README stays a walk that works.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iuran.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DEMO_SCALE = "0.002"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def sh_blocks(text: str) -> list[str]:
    return BLOCK.findall(text)


def commands(block: str) -> list[tuple[int, list[str]]]:
    """The block's commands as words (comments dropped, `\\` continuations joined), each with its line in the
    block."""
    found: list[tuple[int, list[str]]] = []
    pending, first = "", 0
    for number, line in enumerate(block.splitlines(), start=1):
        if not pending:
            first = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        words = shlex.split(pending + line, comments=True)
        pending = ""
        if words:
            found.append((first, words))
    return found


def makefile_demo_commands() -> list[list[str]]:
    """The `iuran` commands of the Makefile's demo recipe that build the branch (db init, synth)."""
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    built = []
    for line in recipe.splitlines():
        words = line.split()
        if len(words) > 1 and words[0].endswith("/iuran") and words[1] in ("db", "synth"):
            built.append(words[1:])
    return built


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(args)
    out, err = capsys.readouterr()
    code = e.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def test_the_readme_has_the_make_block_then_the_walk() -> None:
    blocks = sh_blocks(README.read_text(encoding="utf-8"))
    assert [words[:2] for _, words in commands(blocks[0])] == [["make", "demo"], ["make", "test"]]
    walk = [words for block in blocks[1:] for _, words in commands(block)]
    assert walk[:2] == [[".", ".venv/bin/activate"], ["export", "IURAN_DATABASE_URL=sqlite:///var/demo.sqlite"]]


def test_activating_the_venv_puts_iuran_on_the_path(tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    if not (venv / "bin" / "activate").is_file():
        pytest.skip("not running inside a virtual environment")
    (tmp_path / ".venv").symlink_to(venv, target_is_directory=True)
    path = os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep) if not (Path(d) / "iuran").exists())
    found = subprocess.run(
        ["bash", "-c", ". .venv/bin/activate && iuran --version"],
        cwd=tmp_path,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("iuran ")


def test_the_walk_runs_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "var").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IURAN_DATABASE_URL", raising=False)
    demo = ["--database", "sqlite:///var/demo.sqlite"]
    build = makefile_demo_commands()
    assert [c[:2] for c in build] == [["db", "init"], ["synth", "--scenario"]]
    for args in build:
        args = [DEMO_SCALE if a == "$(DEMO_SCALE)" else a for a in args if a != "$(DEMO)"]
        code, _out, err = run([*args, *demo], capsys)
        assert code == 0, f"make demo: iuran {' '.join(args)}: {err}"

    blocks = sh_blocks(README.read_text(encoding="utf-8"))[1:]
    ran = 0
    for b, block in enumerate(blocks, start=2):
        for line, words in commands(block):
            where = f"README sh block {b}, line {line}: {' '.join(words)}"
            if words[0] in (".", "source"):
                assert words[1:] == [".venv/bin/activate"], where
                assert (Path(sys.prefix) / "bin" / "iuran").exists(), f"{where}: no iuran in {sys.prefix}/bin"
                continue
            if words[0] == "export":
                for assignment in words[1:]:
                    name, _, value = assignment.partition("=")
                    monkeypatch.setenv(name, value)
                continue
            assert words[0] == "iuran", f"{where}: the walk runs iuran commands only"
            code, out, err = run(words[1:], capsys)
            assert code == 0, f"{where}: exit {code}: {err.strip()}"
            assert out, f"{where}: printed nothing"
            ran += 1
    assert ran >= 20
    assert (tmp_path / "var" / "payments-2023-11.csv").is_file()

    # The walk leaves a plausible December: the branch as active as on 1 November, the new families in it.
    code, out, _err = run(["report", "activeness", "--as-of", "2023-12-01", "--format", "json"], capsys)
    december = _total_activeness(out)
    code, out, _err = run(["report", "activeness", "--as-of", "2023-11-01", "--format", "json"], capsys)
    assert abs(december - _total_activeness(out)) < 0.02


def _total_activeness(report_json: str) -> float:
    return float(json.loads(report_json)["total"]["activeness"])
