"""Typed settings, read from PRONGSAI_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Every knob of a deployment, one validated object."""

    model_config = SettingsConfigDict(env_prefix="PRONGSAI_", extra="ignore", frozen=True)

    data_dir: Path = Path("var")
    database_url: str | None = None
    secret_key: SecretStr | None = None
    log_signing_key_file: Path | None = None
    log_origin: str | None = Field(default=None, pattern=r"^[^\s+]+$")
    public_base_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    ocid_prefix: str = Field(default="ocds-prongsai", pattern=r"^ocds-[a-z0-9]{6,}$")
    display_time_zone: str = "Asia/Bangkok"
    default_currency: str = Field(default="THB", pattern=r"^[A-Z]{3}$")
    default_locale: str = Field(default="en", pattern=r"^(en|th)$")
    cookie_secure: bool = True
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    signin_rate_limit: str = "10/minute"
    account_rate_limit: str = "10/hour"
    account_link_hours: int = Field(default=48, ge=1, le=24 * 30)
    password_reset_minutes: int = Field(default=30, ge=5, le=24 * 60)
    rate_limit_storage: str = "memory://"
    # Addresses (or networks, comma-separated) of the reverse proxies whose X-Forwarded-For
    # names the client; empty, the connecting address is the client, whatever it claims.
    trusted_proxies: str = Field(default="", pattern=r"^[0-9A-Fa-f.:/, ]*$")
    run_scheduler: bool = True
    opening_key_file: Path | None = None
    smtp_url: str | None = Field(default=None, pattern=r"^smtps?(\+starttls)?://")
    mail_from: str = "Prongsai <no-reply@prongsai.invalid>"
    procurement_min_tender_days: int = Field(default=7, ge=0, le=365)
    procurement_min_days_after_amendment: int = Field(default=3, ge=0, le=60)
    procurement_max_document_bytes: int = Field(default=10_000_000, ge=1_000, le=200_000_000)
    # A request body without files (JSON, a form): refused over this, before it is read.
    # Routes that take files have limits sized to their documents (see each package's routes).
    request_max_bytes: int = Field(default=1_000_000, ge=10_000, le=100_000_000)
    permits_holiday_country: str = Field(default="TH", pattern=r"^[A-Z]{2}$")
    permits_officer_display: str = Field(default="name", pattern=r"^(name|badge)$")
    permits_late_entry_days: int = Field(default=3, ge=0, le=365)
    permits_upload_max_bytes: int = Field(default=10_000_000, ge=1_000, le=200_000_000)
    permits_subscriptions_per_address: int = Field(default=20, ge=1, le=10_000)
    permits_stream_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    # The deploying body's identity: its name in each language, its colour, its emblem.
    body_name: str = Field(default="Prongsai", min_length=1, max_length=120)
    body_name_th: str = Field(default="โปร่งใส", min_length=1, max_length=120)
    brand_colour: str = Field(default="#0b5cad", pattern=r"^#[0-9a-fA-F]{6}$")
    emblem_file: Path | None = None

    @field_validator("display_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("signin_rate_limit", "account_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate such as '10/minute'") from exc
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'prongsai.sqlite3'}"

    @property
    def signing_key_path(self) -> Path:
        """Where the transparency log's Ed25519 signing key lives."""
        return self.log_signing_key_file or self.data_dir / "log-signing-key.pem"

    @property
    def opening_key_path(self) -> Path:
        """Where the key that seals tenders' bid keys until their opening time lives."""
        return self.opening_key_file or self.data_dir / "opening-key"

    @property
    def origin(self) -> str:
        """The transparency log's origin line (its public name)."""
        if self.log_origin:
            return self.log_origin
        url = self.public_base_url
        return f"{url.host}{'' if url.port in (80, 443, None) else f':{url.port}'}/prongsai-log"

    @property
    def zone(self) -> ZoneInfo:
        """The display time zone; times are stored in UTC."""
        return ZoneInfo(self.display_time_zone)

    def secret(self) -> str:
        """The signing secret for cookies and CSRF tokens, made once per data folder."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            write_private_file(path, secrets.token_urlsafe(48).encode())
        return path.read_text().strip()


def write_private_file(path: Path, content: bytes) -> None:
    """Create a file readable by its owner only (mode 0600), never overwriting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation failure into one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "PRONGSAI_" + str(error["loc"][0]).upper() if error["loc"] else "PRONGSAI_*"
            lines.append(f"invalid setting {name}: {error['msg']}")
        raise SettingsError("; ".join(lines)) from None
