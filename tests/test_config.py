"""Settings: defaults, then config.toml, then PIXFLOW_<NAME> (env wins); keys; clear one-line errors."""
from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from pixflow_tui.config import Settings, SettingsError, load_settings, setting_names

# name -> (default, a value for config.toml and what it becomes, an env value and what it becomes)
CASES: dict[str, tuple[Any, tuple[Any, Any], tuple[str, Any]]] = {
    "provider_mode": ("auto", ("demo", "demo"), ("LIVE", "live")),
    "concurrency": (4, (8, 8), (" 16 ", 16)),
    "budget_cap": (None, (12.5, 12.5), ("3", 3.0)),
    "default_aspect_ratio": ("9:16", ("16:9", "16:9"), ("1:1", "1:1")),
    "default_resolution": ("2K", ("1K", "1K"), ("4k", "4K")),
    "default_format": ("jpeg", ("png", "png"), ("WEBP", "webp")),
    "image_renderer": ("auto", ("kitty", "kitty"), ("sixel", "sixel")),
    "demo_latency": (3.0, (1.5, 1.5), ("0.25", 0.25)),
    "database_url": (None, ("/srv/file.db", "/srv/file.db"), ("sqlite:////srv/env.db", "sqlite:////srv/env.db")),
    "user": (getpass.getuser(), ("alice", "alice"), ("bob", "bob")),
    "openai_base_url": (None, ("http://file:1/v1", "http://file:1/v1"), ("https://env:2/v1", "https://env:2/v1")),
    "fal_base_url": (None, ("http://file:3", "http://file:3"), ("http://env:4", "http://env:4")),
    "avatars_dir": (None, ("/srv/avatars", Path("/srv/avatars")), ("/srv/env-avatars", Path("/srv/env-avatars"))),
    "outputs_root": (None, ("/mnt/team/outputs", Path("/mnt/team/outputs")), ("/mnt/env", Path("/mnt/env"))),
    "fal_key": (None, ("fal-from-file", "fal-from-file"), ("fal-from-env", "fal-from-env")),
    "openai_api_key": (None, ("sk-from-file", "sk-from-file"), ("sk-from-env", "sk-from-env")),
    "hedra_base_url": (None, ("http://file:5/public", "http://file:5/public"), ("http://env:6", "http://env:6")),
    "hedra_model_id": ("d1dd37a3-e39a-4854-a298-6510289f9cf2", ("model-file", "model-file"),
                       ("model-env", "model-env")),
    "hedra_api_key": (None, ("hedra-from-file", "hedra-from-file"), ("hedra-from-env", "hedra-from-env")),
    "research": ("web", ("model", "model"), ("OFF", "off")),
    "research_web_model": ("gpt-4o-mini", ("gpt-4.1", "gpt-4.1"), ("gpt-4o", "gpt-4o")),
    "convert_model": ("gpt-5.2", ("gpt-4o", "gpt-4o"), (" gpt-5 ", "gpt-5")),
}


def toml_value(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def write_config(path: Path, values: dict[str, Any], mode: int = 0o600) -> Path:
    path.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in values.items()), encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A bare environment: only where the data folder and the config file are."""
    return {"PIXFLOW_HOME": str(tmp_path / "home"), "PIXFLOW_CONFIG": str(tmp_path / "config.toml")}


@pytest.fixture
def config_file(env: dict[str, str]) -> Path:
    return Path(env["PIXFLOW_CONFIG"])


def load_error(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    return str(caught.value)


STANDARD_ENV = {"fal_key": "FAL_KEY", "openai_api_key": "OPENAI_API_KEY",  # keys have no PIXFLOW_ variable
                "hedra_api_key": "HEDRA_API_KEY"}


def test_every_setting_is_covered_here() -> None:
    assert set(setting_names()) == set(CASES)


# ---------------------------------------------------------------------------------------------- precedence


def test_defaults(env: dict[str, str]) -> None:
    settings = load_settings(env)
    for name, (default, _, _) in CASES.items():
        assert getattr(settings, name) == default, name
    assert settings.keymap == {} and settings.warnings == ()


@pytest.mark.parametrize("name", sorted(CASES))
def test_file_beats_default_and_env_beats_file(env: dict[str, str], config_file: Path, name: str) -> None:
    default, (file_value, from_file), (env_value, from_env) = CASES[name]
    write_config(config_file, {name: file_value})
    assert getattr(load_settings(env), name) == from_file
    assert from_file != default

    env[STANDARD_ENV.get(name, f"PIXFLOW_{name.upper()}")] = env_value
    assert getattr(load_settings(env), name) == from_env
    assert from_env != from_file

    config_file.unlink()
    assert getattr(load_settings(env), name) == from_env


def test_real_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXFLOW_CONCURRENCY", "9")
    assert load_settings().concurrency == 9


# ---------------------------------------------------------------------------------------------- keys and URLs


def test_standard_key_variables_win(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"fal_key": "fal-file", "openai_api_key": "sk-file"})
    env |= {"PIXFLOW_FAL_KEY": "fal-pixflow", "FAL_KEY": "fal-standard",
            "PIXFLOW_OPENAI_API_KEY": "sk-pixflow", "OPENAI_API_KEY": "sk-standard"}
    settings = load_settings(env)
    assert (settings.fal_key, settings.openai_api_key) == ("fal-standard", "sk-standard")


def test_keys_are_not_read_from_pixflow_variables(env: dict[str, str]) -> None:
    settings = load_settings(env | {"PIXFLOW_FAL_KEY": "fal-pixflow", "PIXFLOW_OPENAI_API_KEY": "sk-pixflow"})
    assert (settings.fal_key, settings.openai_api_key) == (None, None)


def test_keys_from_the_environment_alone(env: dict[str, str]) -> None:
    settings = load_settings(env | {"FAL_KEY": "fal-1", "OPENAI_API_KEY": "sk-2"})
    assert (settings.fal_key, settings.openai_api_key) == ("fal-1", "sk-2")


def test_hedra_settings(env: dict[str, str], config_file: Path) -> None:
    from pixflow_tui.core import catalog

    assert load_settings(env).hedra_model_id == catalog.HEDRA_CHARACTER3_MODEL_ID
    settings = load_settings(env | {"PIXFLOW_HEDRA_API_KEY": "no", "HEDRA_MODEL_ID": "m-standard",
                                    "PIXFLOW_HEDRA_MODEL_ID": "m-pixflow"})
    assert settings.hedra_api_key is None and settings.hedra_model_id == "m-standard"
    settings = load_settings(env | {"HEDRA_API_KEY": "hedra-secret-1"})
    assert settings.hedra_api_key == "hedra-secret-1" and "hedra-secret-1" not in repr(settings)
    write_config(config_file, {"hedra_api_key": "hedra-file"}, mode=0o644)
    assert any("chmod 600" in w for w in load_settings(env).warnings)


def test_an_empty_standard_variable_does_not_hide_the_file(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"fal_key": "fal-file"})
    assert load_settings(env | {"FAL_KEY": ""}).fal_key == "fal-file"


def test_base_urls(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"openai_base_url": "http://file/v1", "fal_base_url": "http://file-fal"})
    env |= {"PIXFLOW_OPENAI_BASE_URL": "http://pixflow/v1", "OPENAI_BASE_URL": "http://localhost:11434/v1",
            "PIXFLOW_FAL_BASE_URL": "http://127.0.0.1:9999"}
    settings = load_settings(env)
    assert settings.openai_base_url == "http://localhost:11434/v1"
    assert settings.fal_base_url == "http://127.0.0.1:9999"


# ---------------------------------------------------------------------------------------------- provider mode


@pytest.mark.parametrize(
    ("mode", "keys", "live"),
    [
        ("auto", {}, False),
        ("auto", {"FAL_KEY": "k"}, True),
        ("auto", {"OPENAI_API_KEY": "k"}, True),
        ("demo", {"FAL_KEY": "k", "OPENAI_API_KEY": "k"}, False),
        ("live", {}, True),
    ],
)
def test_provider_mode(env: dict[str, str], mode: str, keys: dict[str, str], live: bool) -> None:
    settings = load_settings(env | keys | {"PIXFLOW_PROVIDER_MODE": mode})
    assert settings.provider_mode == mode
    assert settings.live is live
    assert settings.mode_label == ("LIVE" if live else "DEMO")


def test_auto_with_a_key_in_the_file_is_live(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"openai_api_key": "sk-file"})
    assert load_settings(env).mode_label == "LIVE"


# ---------------------------------------------------------------------------------------------- bad values


BAD_ENV = [
    ("PIXFLOW_PROVIDER_MODE", "turbo", "auto, demo, live"),
    ("PIXFLOW_CONCURRENCY", "0", "1–64"),
    ("PIXFLOW_CONCURRENCY", "65", "1–64"),
    ("PIXFLOW_CONCURRENCY", "lots", "1–64"),
    ("PIXFLOW_CONCURRENCY", "2.5", "1–64"),
    ("PIXFLOW_BUDGET_CAP", "-5", "≥ 0"),
    ("PIXFLOW_BUDGET_CAP", "ten dollars", "≥ 0"),
    ("PIXFLOW_BUDGET_CAP", "nan", "≥ 0"),
    ("PIXFLOW_DEMO_LATENCY", "-1", "≥ 0"),
    ("PIXFLOW_DEMO_LATENCY", "inf", "≥ 0"),
    ("PIXFLOW_DEFAULT_ASPECT_RATIO", "7:3", "9:16, 16:9, 1:1"),
    ("PIXFLOW_DEFAULT_RESOLUTION", "8K", "1K, 2K, 4K"),
    ("PIXFLOW_DEFAULT_FORMAT", "gif", "png, jpeg, webp"),
    ("PIXFLOW_IMAGE_RENDERER", "ascii", "auto, kitty, sixel, halfcell, unicode, none"),
    ("PIXFLOW_OPENAI_BASE_URL", "localhost:8080", "http://"),
    ("OPENAI_BASE_URL", "ftp://models", "http://"),
    ("PIXFLOW_FAL_BASE_URL", "fal.example", "http://"),
]


@pytest.mark.parametrize(("variable", "value", "allowed"), BAD_ENV)
def test_a_bad_env_value_is_one_line_naming_setting_value_and_allowed(
    env: dict[str, str], variable: str, value: str, allowed: str
) -> None:
    message = load_error(env | {variable: value})
    assert "\n" not in message
    assert variable in message
    assert repr(value) in message
    assert allowed in message


@pytest.mark.parametrize(
    ("line", "name", "shown", "allowed"),
    [
        ("concurrency = 0", "concurrency", "0", "1–64"),
        ('provider_mode = "fast"', "provider_mode", "'fast'", "auto, demo, live"),
        ("default_resolution = 2", "default_resolution", "2", "1K, 2K, 4K"),
        ("demo_latency = -0.5", "demo_latency", "-0.5", "≥ 0"),
        ("concurrency = true", "concurrency", "True", "1–64"),
    ],
)
def test_a_bad_file_value_names_the_setting(env: dict[str, str], config_file: Path, line: str, name: str,
                                            shown: str, allowed: str) -> None:
    config_file.write_text(line + "\n")
    message = load_error(env)
    assert "\n" not in message
    assert f"setting {name}={shown}" in message
    assert allowed in message


def test_unknown_key_in_the_file(env: dict[str, str], config_file: Path) -> None:
    config_file.write_text('concurrency = 2\ncolour = "red"\n')
    message = load_error(env)
    assert "\n" not in message
    assert "'colour'" in message and str(config_file) in message
    assert "concurrency" in message  # lists what is known


def test_invalid_toml(env: dict[str, str], config_file: Path) -> None:
    config_file.write_text("concurrency = = 4\n")
    message = load_error(env)
    assert "\n" not in message
    assert "not valid TOML" in message and str(config_file) in message
    assert "line 1" in message


def test_config_that_is_not_utf8(env: dict[str, str], config_file: Path) -> None:
    config_file.write_bytes(b"user = \"\xff\xfe\"\n")
    assert "not valid TOML" in load_error(env)


def test_bad_keymap(env: dict[str, str], config_file: Path) -> None:
    config_file.write_text("[keymap]\nrate-like = 5\n")
    assert "[keymap]" in load_error(env)
    config_file.write_text('[keymap]\nrate-like = "L"\n')
    assert load_settings(env).keymap == {"rate-like": "L"}


def test_an_error_never_shows_a_key(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"fal_key": "fal-top-secret", "concurrency": 0}, mode=0o644)
    message = load_error(env | {"OPENAI_API_KEY": "sk-top-secret"})
    assert "top-secret" not in message


# ---------------------------------------------------------------------------------------------- file permissions, repr


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_warning_when_a_file_with_a_key_is_readable_by_others(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"fal_key": "fal-secret-value"}, mode=0o644)
    settings = load_settings(env)
    assert len(settings.warnings) == 1
    warning = settings.warnings[0]
    assert str(config_file) in warning and "chmod 600" in warning and "readable by others" in warning
    assert "fal-secret-value" not in warning

    config_file.chmod(0o640)  # group-readable counts too
    assert len(load_settings(env).warnings) == 1
    config_file.chmod(0o600)
    assert load_settings(env).warnings == ()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_no_warning_for_a_readable_file_without_keys(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"concurrency": 2}, mode=0o644)
    assert load_settings(env).warnings == ()
    write_config(config_file, {"fal_key": ""}, mode=0o644)
    assert load_settings(env).warnings == ()


def test_keys_never_appear_in_repr(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"fal_key": "fal-file-secret"})
    settings = load_settings(env | {"OPENAI_API_KEY": "sk-env-secret"})
    assert settings.fal_key == "fal-file-secret" and settings.openai_api_key == "sk-env-secret"
    for text in (repr(settings), str(settings), f"{settings}"):
        assert "fal-file-secret" not in text and "sk-env-secret" not in text
    assert "provider_mode='auto'" in repr(settings)  # the repr itself still works


# ---------------------------------------------------------------------------------------------- paths


def test_everything_lives_under_pixflow_home(env: dict[str, str], tmp_path: Path) -> None:
    settings = load_settings(env)
    home = tmp_path / "home"
    assert settings.home == home
    assert settings.database_path == home / "pixflow.db"
    for folder in (settings.outputs_dir, settings.thumbnails_dir, settings.logs_dir):
        assert folder.parent == home
    assert settings.config_path == tmp_path / "config.toml"


def test_home_from_the_file_and_env_wins(env: dict[str, str], config_file: Path, tmp_path: Path) -> None:
    write_config(config_file, {"home": str(tmp_path / "from-file")})
    assert load_settings({"PIXFLOW_CONFIG": str(config_file)}).home == tmp_path / "from-file"
    assert load_settings(env).home == tmp_path / "home"


def test_defaults_from_platformdirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))  # so no real config file is read
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    settings = load_settings({})
    assert settings.home == Path(platformdirs.user_data_dir("pixflow"))
    assert settings.config_path == Path(platformdirs.user_config_dir("pixflow")) / "config.toml"


def test_home_is_absolute_and_expands_the_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings({"PIXFLOW_HOME": "data", "PIXFLOW_CONFIG": "none.toml"}).home == tmp_path / "data"
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert load_settings({"PIXFLOW_HOME": "~/px", "PIXFLOW_CONFIG": "none.toml"}).home == tmp_path / "user" / "px"


def test_settings_are_frozen(env: dict[str, str]) -> None:
    settings = load_settings(env)
    with pytest.raises(AttributeError):
        settings.concurrency = 99  # type: ignore[misc]
    assert isinstance(settings, Settings)


# ---------------------------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("source", ["file", "env"])
def test_an_empty_home_is_an_error(env: dict[str, str], config_file: Path, source: str) -> None:
    if source == "file":
        del env["PIXFLOW_HOME"]
        write_config(config_file, {"home": ""})
    else:
        env["PIXFLOW_HOME"] = "  "
    message = load_error(env)
    assert "home" in message.lower() and "empty" in message and "\n" not in message


def test_a_config_path_that_is_a_folder_is_an_error(env: dict[str, str], config_file: Path) -> None:
    config_file.mkdir()
    message = load_error(env)
    assert str(config_file) in message and "folder" in message and "\n" not in message


@pytest.mark.parametrize("url", ["bogus://x", "mysql://u@h/db", "http://host/db"])
def test_an_unknown_database_scheme_is_an_error(env: dict[str, str], url: str) -> None:
    message = load_error(env | {"PIXFLOW_DATABASE_URL": url})
    scheme = url.split(":")[0]
    assert f"unknown scheme {scheme!r}" in message and "PIXFLOW_DATABASE_URL" in message and "\n" not in message


def test_a_bad_database_url_never_shows_its_password(env: dict[str, str], config_file: Path) -> None:
    write_config(config_file, {"database_url": "bogus://alice:s3cret-pw@db.example/pixflow"})
    message = load_error(env)
    assert "s3cret-pw" not in message and "alice:***@db.example" in message


@pytest.mark.parametrize("url", ["postgresql://u:p@h/db", "postgres://h/db", "sqlite:///x.db", "postgresql+pool://h/d"])
def test_supported_database_schemes_are_accepted(env: dict[str, str], url: str) -> None:
    assert load_settings(env | {"PIXFLOW_DATABASE_URL": url}).database_url == url
