"""Storage: SQLite as the embedded default, PostgreSQL in production; schema by Alembic migrations."""
