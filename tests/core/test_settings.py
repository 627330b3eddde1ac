import stat

import pytest

from core.settings import Settings, SettingsError, load_settings


def test_defaults_put_a_sqlite_file_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PRONGSAI_DATABASE_URL", raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'prongsai.sqlite3'}"
    assert settings.display_time_zone == "Asia/Bangkok"
    assert settings.default_currency == "THB"


def test_environment_variables_are_read_with_the_prefix(monkeypatch):
    monkeypatch.setenv("PRONGSAI_DEFAULT_CURRENCY", "EUR")
    monkeypatch.setenv("PRONGSAI_OCID_PREFIX", "ocds-abc123")
    settings = load_settings()
    assert settings.default_currency == "EUR"
    assert settings.ocid_prefix == "ocds-abc123"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PRONGSAI_DISPLAY_TIME_ZONE", "Mars/Olympus"),
        ("PRONGSAI_DATABASE_URL", "mysql://nope"),
        ("PRONGSAI_DEFAULT_CURRENCY", "baht"),
        ("PRONGSAI_SESSION_HOURS", "many"),
        ("PRONGSAI_PUBLIC_BASE_URL", "not a url"),
        ("PRONGSAI_SIGNIN_RATE_LIMIT", "often"),
    ],
)
def test_a_malformed_setting_is_named_in_one_line(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert variable in message
    assert "\n" not in message


def test_secret_is_made_once_with_owner_only_permissions(tmp_path):
    settings = Settings(data_dir=tmp_path / "var")
    first = settings.secret()
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path / "var").secret() == first
    assert len(first) >= 40


def test_a_given_secret_is_used_and_nothing_is_written(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", secret_key="from-the-environment")
    assert settings.secret() == "from-the-environment"
    assert not (tmp_path / "var").exists()


def test_log_origin_defaults_to_the_public_host():
    settings = Settings(public_base_url="https://prongsai.go.th")
    assert settings.origin == "prongsai.go.th/prongsai-log"
