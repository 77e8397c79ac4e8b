"""Synthetic branches: a realistic registry and ledger history that reproduces a published picture.

`build_scenario(engine, name, scale, seed)` generates a branch (`generate`) from a scenario (`scenarios`), plays its
months through the real cycle and payments import (`play`) and reads the resulting picture (`picture`).
"""
