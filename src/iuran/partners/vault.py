"""Client secrets encrypted at rest. SNAP's transaction signature is an HMAC with the partner's client secret, so the
biller must be able to read the secret back: it is stored encrypted (Fernet: AES-128-CBC and HMAC-SHA256) under a
key kept outside the database, in a file only the service's user can read (`IURAN_SECRET_KEY_FILE`, by default
`var/iuran-secret.key`, created on first use). Someone with a copy of the database alone has no secret."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from iuran.rules.errors import RuleInputError

DEFAULT_KEY_FILE = Path("var") / "iuran-secret.key"


class Vault:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def at(cls, path: Path, *, create: bool) -> Vault:
        """The vault of the key in `path`; `create`: a new key written there (mode 0600) when there is none."""
        if not path.exists():
            if not create:
                raise RuleInputError("secret_key", "the key of the partners' secrets is in its file", str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(Fernet.generate_key())
        try:
            return cls(path.read_bytes().strip())
        except ValueError:
            raise RuleInputError("secret_key", "the key file holds a Fernet key", str(path)) from None

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise RuleInputError(
                "secret_key", "the partners' secrets open with the key they were sealed with"
            ) from None


def key_file(env: dict[str, str] | None = None) -> Path:
    """The key file in use: `IURAN_SECRET_KEY_FILE`, else the default (read at the edge)."""
    value = (env if env is not None else os.environ).get("IURAN_SECRET_KEY_FILE")
    return Path(value) if value else DEFAULT_KEY_FILE
