"""Which config values are secrets: the schema says so by type, and a key's name says so where the
schema cannot (open sections, map entries, keys not typed yet).

`Secret` is a plain `str` to the code that uses it; the `Secrecy` marker it carries is what
`config/redaction.py` reads to hide the value in every output. `NotSecret` is for the rare field
whose name sounds like a secret but whose value is not one (`hooks.mappings[].sessionKey`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated


@dataclass(frozen=True)
class Secrecy:
    """Annotated metadata: whether a config value is a secret, whatever its key is called."""

    secret: bool


Secret = Annotated[str, Secrecy(True)]
NotSecret = Annotated[str, Secrecy(False)]

# Parts of a key's name that say its value is a secret (any case, anywhere in the name), so that
# OPENAI_API_KEY, botToken, signingSecret, db_password and privateKey all count.
SECRET_NAME_PARTS = ("token", "key", "secret", "password", "passwd", "credential", "authorization")


def name_says_secret(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SECRET_NAME_PARTS)
