"""Who may change documents in the app. Reading is always open; writing needs a login when one is set up.

Two ways, for two kinds of deployment:
- a small office sets `BELEIDSZOEKER_ADMIN_PASSWORD` (plain) or `BELEIDSZOEKER_ADMIN_PASSWORD_HASH`
  (`beleidszoeker wachtwoord` prints one: `pbkdf2_sha256$<rounds>$<salt>$<hex>`);
- an organisation with single sign-on puts an `[auth]` section in `.streamlit/secrets.toml`
  (Streamlit's built-in OIDC, `st.login`); `BELEIDSZOEKER_ADMIN_EMAILS` (comma-separated) then
  limits writing to those accounts, otherwise every signed-in account may write.
Without either, the app runs as before on one's own machine: everyone who can open it may write.
Pure functions only; the page asks them and keeps the session's login.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

PASSWORD_ENV = "BELEIDSZOEKER_ADMIN_PASSWORD"
HASH_ENV = "BELEIDSZOEKER_ADMIN_PASSWORD_HASH"
EMAILS_ENV = "BELEIDSZOEKER_ADMIN_EMAILS"
ROUNDS = 200_000
PASSWORD_USER = "beheerder (wachtwoord)"
OPEN_USER = "lokaal (geen login ingesteld)"


@dataclass(frozen=True)
class AuthConfig:
    password: str = ""  # plain, from the environment
    password_hash: str = ""  # pbkdf2_sha256$rounds$salt$hex
    oidc: bool = False  # [auth] in secrets.toml
    admin_emails: tuple[str, ...] = ()

    @property
    def uses_password(self) -> bool:
        return bool(self.password or self.password_hash)

    @property
    def gated(self) -> bool:
        """True when writing needs a login."""
        return self.uses_password or self.oidc


def config_from(env: Mapping[str, str] | None = None, *, oidc: bool = False) -> AuthConfig:
    env = os.environ if env is None else env
    emails = tuple(e.strip().lower() for e in env.get(EMAILS_ENV, "").split(",") if e.strip())
    return AuthConfig(env.get(PASSWORD_ENV, ""), env.get(HASH_ENV, "").strip(), oidc, emails)


def hash_password(password: str, *, rounds: int = ROUNDS, salt: str | None = None) -> str:
    """A salted PBKDF2 hash to put in BELEIDSZOEKER_ADMIN_PASSWORD_HASH instead of the password."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds).hex()
    return f"pbkdf2_sha256${rounds}${salt}${digest}"


def check_password(given: str, config: AuthConfig) -> bool:
    """Constant-time comparison with the configured password or hash; False when none is set."""
    if config.password_hash:
        try:
            scheme, rounds, salt, digest = config.password_hash.split("$")
            if scheme != "pbkdf2_sha256":
                return False
            expected = hashlib.pbkdf2_hmac("sha256", given.encode(), salt.encode(), int(rounds)).hex()
        except ValueError:
            return False
        return hmac.compare_digest(expected, digest)
    if config.password:
        return hmac.compare_digest(given.encode(), config.password.encode())
    return False


def oidc_writer(config: AuthConfig, logged_in: bool, email: str | None) -> str | None:
    """The account name to log for an OIDC user allowed to write, else None."""
    if not (config.oidc and logged_in):
        return None
    who = (email or "").strip().lower()
    if config.admin_emails and who not in config.admin_emails:
        return None
    return who or "ingelogd (OIDC)"
