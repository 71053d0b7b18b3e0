"""Configuration from flags and ACCORD_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_DATABASE_URL = "sqlite:///accord.db"


class SettingsError(ValueError):
    """A setting that cannot be used, named."""


@dataclass(frozen=True)
class Database:
    """Where the history lives: a SQLite file or a PostgreSQL database."""

    url: str
    kind: str  # "sqlite" or "postgresql"
    path: str = ""
    host: str = "127.0.0.1"
    port: int = 5432
    name: str = ""
    user: str = ""
    password: str = field(default="", repr=False)

    @property
    def eventsourcing_env(self) -> dict[str, str]:
        """The environment eventsourcing's persistence modules read."""
        if self.kind == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.path,
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.name,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_CONNECT_TIMEOUT": "10",
        }

    @property
    def psycopg_conninfo(self) -> str:
        parts = [f"dbname={self.name}", f"host={self.host}", f"port={self.port}"]
        if self.user:
            parts.append(f"user={self.user}")
        if self.password:
            parts.append(f"password={self.password}")
        return " ".join(parts)


def database_from_url(url: str | None = None) -> Database:
    """`sqlite:///path.db` or `postgresql://user:password@host:port/name` (host may be a
    socket directory given as `?host=/path`)."""
    url = url or os.environ.get("ACCORD_DATABASE_URL") or DEFAULT_DATABASE_URL
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if parsed.netloc:
            path = parsed.netloc + "/" + path
        if not path:
            raise SettingsError(f"--database: no file in '{url}' (use sqlite:///path.db)")
        return Database(url=url, kind="sqlite", path=str(Path(path)))
    if parsed.scheme in ("postgresql", "postgres"):
        query = parse_qs(parsed.query)
        host = query.get("host", [parsed.hostname or "127.0.0.1"])[0]
        name = parsed.path.lstrip("/")
        if not name:
            raise SettingsError(f"--database: no database name in '{url}'")
        return Database(
            url=url,
            kind="postgresql",
            host=host,
            port=parsed.port or int(query.get("port", ["5432"])[0]),
            name=name,
            user=unquote(parsed.username or ""),
            password=unquote(parsed.password or ""),
        )
    raise SettingsError(f"--database: '{url}' is neither sqlite:///path nor postgresql://...")


def audit_key() -> bytes:
    """The audit key, kept outside the database: `ACCORD_AUDIT_KEY`, or the file named by
    `ACCORD_AUDIT_KEY_FILE` (default `~/.config/accord/audit.key`), created on first use
    with owner-only permissions."""
    text = os.environ.get("ACCORD_AUDIT_KEY")
    if text:
        return text.encode("utf-8")
    default = (
        Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "accord" / "audit.key"
    )
    path = Path(os.environ.get("ACCORD_AUDIT_KEY_FILE", default))
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


DEFAULT_TIMEZONE = "Europe/London"


def time_zone(name: str | None = None) -> str:
    """The deployment's time zone (`ACCORD_TIMEZONE`, an IANA name, default
    Europe/London): the page shows and takes local times in it; storage and the API stay
    UTC. Raises SettingsError, naming the variable, for a name zoneinfo does not know."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name is None:
        name = os.environ.get("ACCORD_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"ACCORD_TIMEZONE: '{name}' is not an IANA time zone name "
            f"(such as {DEFAULT_TIMEZONE} or Europe/Paris)"
        ) from None
    return name


def smtp_settings() -> tuple[str, str] | None:
    """(`ACCORD_SMTP_URL`, `ACCORD_SMTP_FROM`), or None when e-mail is not configured."""
    url = os.environ.get("ACCORD_SMTP_URL", "").strip()
    if not url:
        return None
    return url, os.environ.get("ACCORD_SMTP_FROM", "").strip()


def public_url() -> str:
    """`ACCORD_PUBLIC_URL`: the address people reach this server at (links in e-mails);
    empty when not set (the request's own origin is used)."""
    return os.environ.get("ACCORD_PUBLIC_URL", "").strip().rstrip("/")


def round_check_seconds() -> float:
    """How often a process that projects looks for check-in rounds due to close."""
    text = os.environ.get("ACCORD_ROUND_CHECK_SECONDS", "").strip()
    try:
        value = float(text) if text else 30.0
    except ValueError:
        raise SettingsError("ACCORD_ROUND_CHECK_SECONDS: a number of seconds") from None
    if not 0.05 <= value <= 3600:
        raise SettingsError("ACCORD_ROUND_CHECK_SECONDS: from 0.05 to 3600")
    return value


def _positive(name: str, low: float, high: float) -> float | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name}: a number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: from {low:g} to {high:g}")
    return value


def session_idle_hours() -> float | None:
    """`ACCORD_SESSION_IDLE_HOURS`: how long a sign-in session lasts unused (None: the
    default, 8 hours)."""
    return _positive("ACCORD_SESSION_IDLE_HOURS", 0.01, 24 * 31)


def session_days() -> float | None:
    """`ACCORD_SESSION_DAYS`: how long a sign-in session lasts at most (None: the
    default, 7 days)."""
    return _positive("ACCORD_SESSION_DAYS", 0.01, 366)


def cookie_secure() -> bool | None:
    """`ACCORD_COOKIE_SECURE`: `1` always marks the session cookie `Secure`; `0` never
    does (a server reached over plain HTTP, not on loopback); unset or `auto`: `Secure`
    unless the server is reached on loopback."""
    text = os.environ.get("ACCORD_COOKIE_SECURE", "").strip().lower()
    if text in ("", "auto"):
        return None
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError("ACCORD_COOKIE_SECURE: 1, 0 or auto")


def trusted_proxies() -> tuple[str, ...]:
    """`ACCORD_TRUSTED_PROXIES`: the addresses (or networks, `10.0.0.0/8`) of the reverse
    proxies whose `X-Forwarded-For` names the client; empty: trust no proxy, the
    connecting address is the client's."""
    import ipaddress

    text = os.environ.get("ACCORD_TRUSTED_PROXIES", "")
    found: list[str] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise SettingsError(
                f"ACCORD_TRUSTED_PROXIES: '{part}' is not an address or a network"
            ) from None
        found.append(part)
    return tuple(found)


@dataclass(frozen=True)
class OidcSettings:
    """Single sign-on by OpenID Connect (`ACCORD_OIDC_*`)."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    actor_claim: str = "email"
    allowed_domains: tuple[str, ...] = ()
    provider_name: str = ""


_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def oidc_settings() -> OidcSettings | None:
    """The OpenID provider Accord's people sign in with, or None when `ACCORD_OIDC_ISSUER`
    is not set. Raises SettingsError naming the variable at fault."""
    issuer = os.environ.get("ACCORD_OIDC_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    parsed = urlparse(issuer)
    loopback = (parsed.hostname or "") in _LOOPBACK_HOSTS or (parsed.hostname or "").startswith(
        "127."
    )
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise SettingsError(
            f"ACCORD_OIDC_ISSUER: '{issuer}' must be an https:// address (http:// only on "
            "loopback, for testing)"
        )
    if parsed.query or parsed.fragment:
        raise SettingsError("ACCORD_OIDC_ISSUER: an issuer has no query or fragment")
    client_id = os.environ.get("ACCORD_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        raise SettingsError(
            "ACCORD_OIDC_CLIENT_ID: required with ACCORD_OIDC_ISSUER (the client id the "
            "provider gave Accord)"
        )
    secret = os.environ.get("ACCORD_OIDC_CLIENT_SECRET", "").strip()
    secret_file = os.environ.get("ACCORD_OIDC_CLIENT_SECRET_FILE", "").strip()
    if secret and secret_file:
        raise SettingsError(
            "ACCORD_OIDC_CLIENT_SECRET and ACCORD_OIDC_CLIENT_SECRET_FILE: give one, not both"
        )
    if secret_file:
        try:
            secret = Path(secret_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise SettingsError(
                f"ACCORD_OIDC_CLIENT_SECRET_FILE: cannot read '{secret_file}' "
                f"({error.strerror or type(error).__name__})"
            ) from None
        if not secret:
            raise SettingsError(f"ACCORD_OIDC_CLIENT_SECRET_FILE: '{secret_file}' is empty")
    if not secret:
        raise SettingsError(
            "ACCORD_OIDC_CLIENT_SECRET (or ACCORD_OIDC_CLIENT_SECRET_FILE): required with "
            "ACCORD_OIDC_ISSUER"
        )
    claim = os.environ.get("ACCORD_OIDC_ACTOR_CLAIM", "").strip() or "email"
    if not claim.isascii() or not claim.replace("_", "").replace("-", "").isalnum():
        raise SettingsError(f"ACCORD_OIDC_ACTOR_CLAIM: '{claim}' is not a claim name")
    domains: list[str] = []
    for part in os.environ.get("ACCORD_OIDC_ALLOWED_DOMAINS", "").split(","):
        domain = part.strip().lstrip("@").lower().rstrip(".")
        if not domain:
            continue
        if "." not in domain or any(c in domain for c in "/@: ") or not domain.isprintable():
            raise SettingsError(f"ACCORD_OIDC_ALLOWED_DOMAINS: '{part.strip()}' is not a domain")
        domains.append(domain)
    name = os.environ.get("ACCORD_OIDC_PROVIDER_NAME", "").strip() or parsed.hostname or issuer
    if len(name) > 100 or not name.isprintable():
        raise SettingsError("ACCORD_OIDC_PROVIDER_NAME: 1 to 100 printable characters")
    return OidcSettings(issuer, client_id, secret, claim, tuple(domains), name)
