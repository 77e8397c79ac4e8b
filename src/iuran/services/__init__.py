"""The use cases: what a branch officer, a bank, a scheduled job or a family does with iuran.

Each use case is a function over a unit of work (`unit_of_work.UnitOfWork`), which carries the transaction, the
time of the operation, the rulebook and the actor. The faces (the command line, and next the bank API and the web
app) parse their input, call one use case and render its result; nothing below the use cases reads a clock, a
global rulebook or "who is logged in".
"""
