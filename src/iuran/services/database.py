"""The branch's database: open it at the schema this iuran needs, or bring it there when asked.

Migrations run only when asked (`iuran db init`, `iuran db upgrade`): every other use finds the schema at the
newest revision or stops with one line that says what to run.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from iuran.db.engine import make_engine
from iuran.db.migrate import current, head, upgrade
from iuran.registry.regions import load_regions


class SchemaNotCurrent(RuntimeError):
    """The database is not at the schema this iuran needs: names the revisions and the command to run."""


@dataclass(frozen=True)
class Upgraded:
    database: str
    before: str | None
    revision: str | None


def open_branch(url: str | None = None) -> Engine:
    """An engine on the branch's database, whose schema must be at the newest revision."""
    engine = make_engine(url)
    try:
        found, wanted = current(engine), head()
    except BaseException:
        engine.dispose()
        raise
    if found != wanted:
        engine.dispose()
        if found is None:
            raise SchemaNotCurrent("database: it holds no iuran schema; run `iuran db init` first")
        raise SchemaNotCurrent(
            f"database: the schema is at revision {found} and this iuran needs {wanted}; run `iuran db upgrade`"
        )
    return engine


def upgrade_database(url: str | None = None) -> Upgraded:
    """Apply the migrations not applied yet and load the reference data (region codes, population)."""
    engine = make_engine(url)
    try:
        before = current(engine)
        upgrade(engine)
        with engine.begin() as conn:
            load_regions(conn)
        return Upgraded(engine.url.render_as_string(hide_password=True), before, current(engine))
    finally:
        engine.dispose()
