"""The examples in the rules engine's docstrings are true: each module's doctests run as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import iuran.rules

MODULES = sorted(m.name for m in pkgutil.iter_modules(iuran.rules.__path__, "iuran.rules."))


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_each_rules_module_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
