"""Settings: defaults, then `config.toml`, then `PIXFLOW_<NAME>` environment variables (env wins).

API keys come only from `FAL_KEY` / `OPENAI_API_KEY` / `HEDRA_API_KEY` or the config file, and never appear in a
repr, a log line or an error message.
"""
from __future__ import annotations

import getpass
import math
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

APP_NAME = "pixflow"
PROVIDER_MODES = ("auto", "demo", "live")
IMAGE_RENDERERS = ("auto", "kitty", "sixel", "halfcell", "unicode", "none")
ASPECT_RATIOS = ("9:16", "16:9", "1:1", "4:3", "3:4", "4:5", "5:4", "3:2", "2:3", "21:9")
RESOLUTIONS = ("1K", "2K", "4K")
IMAGE_FORMATS = ("png", "jpeg", "webp")
RESEARCH_MODES = ("web", "model", "off")  # Prompt Factory's research step before prompts are written


class SettingsError(ValueError):
    """A setting has a value that is not allowed; the message is one line naming both."""


def _choice(allowed: tuple[str, ...]) -> Callable[[str, Any], str]:
    def parse(name: str, value: Any) -> str:
        text = str(value).strip()
        for option in allowed:
            if text.lower() == option.lower():
                return option
        raise SettingsError(f"setting {name}={value!r} is not allowed; use one of: {', '.join(allowed)}")

    return parse


def _int_range(low: int, high: int) -> Callable[[str, Any], int]:
    def parse(name: str, value: Any) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise SettingsError(f"setting {name}={value!r} is not a whole number; use {low}–{high}") from None
        if not low <= number <= high:
            raise SettingsError(f"setting {name}={value!r} is out of range; use {low}–{high}")
        return number

    return parse


def _non_negative_float(name: str, value: Any) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise SettingsError(f"setting {name}={value!r} is not a number; use a number ≥ 0") from None
    if not math.isfinite(number):  # "nan" and "inf" parse as floats, and nan would disable every comparison
        raise SettingsError(f"setting {name}={value!r} is not a finite number; use a number ≥ 0")
    if number < 0:
        raise SettingsError(f"setting {name}={value!r} is negative; use a number ≥ 0")
    return number


def _optional_budget(name: str, value: Any) -> float | None:
    if value is None or str(value).strip().lower() in ("", "none", "off"):
        return None
    return _non_negative_float(name, value)


def _optional_text(name: str, value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _url(name: str, value: Any) -> str | None:
    text = _optional_text(name, value)
    if text is not None and not text.startswith(("http://", "https://")):
        raise SettingsError(f"setting {name}={value!r} is not a URL; use http://host[:port][/path] or https://…")
    return text


# URL schemes of the databases Pixflow's SQL supports (peewee's playhouse.db_url names; "+pool" variants too)
DATABASE_SCHEMES = ("sqlite", "sqliteext", "postgres", "postgresql", "postgresext", "postgresqlext")


def _url_password(text: str) -> tuple[int, int] | None:
    """Where the password of a URL (scheme://user:password@host/…) sits in `text`, or None. The last "@" before
    the query ends the credentials, so a password holding "/" or "@" is found whole."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return None
    authority = rest.split("?", 1)[0]
    at = authority.rfind("@")
    colon = authority.find(":", 0, at) if at > 0 else -1
    if colon < 0:
        return None
    start = len(scheme) + len(sep) + colon + 1
    return start, len(scheme) + len(sep) + at


def redact_url(text: str) -> str:
    """`text` with the password of a URL (scheme://user:password@host, or ?password=…) replaced by ***."""
    span = _url_password(text)
    if span is not None:
        text = text[:span[0]] + "***" + text[span[1]:]
    return re.sub(r"([?&]password=)[^&\s]*", r"\1***", text, flags=re.IGNORECASE)


def scrub_password(text: str, url: str | None) -> str:
    """`text` (an error message, a log line) with the password of the database URL `url` replaced by *** wherever
    it appears, as written or percent-decoded."""
    if not url:
        return text
    secrets = set()
    span = _url_password(url)
    if span is not None:
        secrets.add(url[span[0]:span[1]])
    secrets.update(re.findall(r"[?&]password=([^&\s]*)", url, flags=re.IGNORECASE))
    for secret in sorted(secrets - {"", "***"}, key=len, reverse=True):
        for form in {secret, unquote(secret)}:
            text = text.replace(form, "***")
    return redact_url(text)


def _database_url(name: str, value: Any) -> str | None:
    text = _optional_text(name, value)
    if text is None or "://" not in text:
        return text
    scheme = text.split("://", 1)[0].lower()
    if scheme.split("+", 1)[0] not in DATABASE_SCHEMES:
        raise SettingsError(
            f"setting {name}={redact_url(text)!r} has an unknown scheme {scheme!r}; "
            "use a SQLite file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE"
        )
    return text


def _path(name: str, value: Any) -> Path:
    text = str(value).strip()
    if not text:
        raise SettingsError(f"setting {name}={value!r} is empty; use a folder path")
    # absolute, so the TUI and the CLI find the same data whatever folder they are started from
    return Path(text).expanduser().absolute()


@dataclass(frozen=True)
class Settings:
    home: Path
    config_path: Path
    provider_mode: str = "auto"
    concurrency: int = 4
    budget_cap: float | None = None
    default_aspect_ratio: str = "9:16"
    default_resolution: str = "2K"
    default_format: str = "jpeg"
    image_renderer: str = "auto"
    demo_latency: float = 3.0
    database_url: str | None = None
    user: str = field(default_factory=lambda: _os_user())
    openai_base_url: str | None = None
    fal_base_url: str | None = None
    hedra_base_url: str | None = None  # Hedra's public API (https://api.hedra.com/web-app/public) when unset
    hedra_model_id: str = "d1dd37a3-e39a-4854-a298-6510289f9cf2"  # Character-3 (= catalog.HEDRA_CHARACTER3_MODEL_ID)
    avatars_dir: Path | None = None  # the curated avatar gallery; <home>/avatars when unset
    research: str = "web"  # web-grounded (falls back to the model when the server cannot search), model, or off
    research_web_model: str = "gpt-4o-mini"  # the Responses API model of web research (= catalog.RESEARCH_WEB_MODEL)
    convert_model: str = "gpt-5.2"  # text → prompt "convert with the model" (= catalog.TEXT_CONVERT_MODEL)
    # a shared outputs folder (a network mount every machine of a team sees); <home>/outputs when unset
    outputs_root: Path | None = None
    fal_key: str | None = field(default=None, repr=False)
    openai_api_key: str | None = field(default=None, repr=False)
    hedra_api_key: str | None = field(default=None, repr=False)  # lipsync goes to Hedra when set (and live)
    keymap: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def database_path(self) -> Path:
        return self.home / "pixflow.db"

    @property
    def outputs_dir(self) -> Path:
        return self.outputs_root or self.home / "outputs"

    @property
    def thumbnails_dir(self) -> Path:
        return self.home / "thumbnails"

    @property
    def avatars_folder(self) -> Path:
        return self.avatars_dir or self.home / "avatars"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def demo_dir(self) -> Path:
        """Where the offline demo provider keeps its request state, so demo jobs survive a restart."""
        return self.home / "demo-provider"

    @property
    def live(self) -> bool:
        """True when media and text work goes to the real providers."""
        if self.provider_mode == "auto":
            return bool(self.fal_key or self.openai_api_key)
        return self.provider_mode == "live"

    @property
    def mode_label(self) -> str:
        return "LIVE" if self.live else "DEMO"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getpass raises a bare KeyError/OSError when the uid has no name
        return "local"


# setting name -> parser; each one can be set in config.toml or as PIXFLOW_<NAME>
_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "provider_mode": _choice(PROVIDER_MODES),
    "concurrency": _int_range(1, 64),
    "budget_cap": _optional_budget,
    "default_aspect_ratio": _choice(ASPECT_RATIOS),
    "default_resolution": _choice(RESOLUTIONS),
    "default_format": _choice(IMAGE_FORMATS),
    "image_renderer": _choice(IMAGE_RENDERERS),
    "demo_latency": _non_negative_float,
    "database_url": _database_url,
    "user": _optional_text,
    "openai_base_url": _url,
    "fal_base_url": _url,
    "hedra_base_url": _url,
    "hedra_model_id": _optional_text,
    "avatars_dir": lambda name, value: _path(name, value) if str(value or "").strip() else None,
    "research": _choice(RESEARCH_MODES),
    "research_web_model": _optional_text,
    "convert_model": _optional_text,
    "outputs_root": lambda name, value: _path(name, value) if str(value or "").strip() else None,
    "fal_key": _optional_text,
    "openai_api_key": _optional_text,
    "hedra_api_key": _optional_text,
}
# Standard variable names that take precedence over PIXFLOW_<NAME> for the same setting.
_STANDARD_ENV = {"fal_key": "FAL_KEY", "openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL",
                 "hedra_api_key": "HEDRA_API_KEY", "hedra_model_id": "HEDRA_MODEL_ID"}
_SECRETS = {"fal_key", "openai_api_key", "hedra_api_key"}


def default_config_path(env: Mapping[str, str]) -> Path:
    if env.get("PIXFLOW_CONFIG"):
        return Path(env["PIXFLOW_CONFIG"]).expanduser()
    import platformdirs  # only for a default folder: PIXFLOW_CONFIG / PIXFLOW_HOME set, a command runs without it

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _read_config_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    if path.exists() and not path.is_file():
        raise SettingsError(f"config file {path} is a folder, not a file; point PIXFLOW_CONFIG at a config.toml")
    if not path.is_file():
        return {}, warnings
    import tomllib  # only with a config file to read: most starts have none

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"config file {path} cannot be read: {exc.strerror}") from None
    has_secret = any(data.get(name) for name in _SECRETS)
    if has_secret and os.name == "posix" and path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.append(f"config file {path} holds an API key and is readable by others; run: chmod 600 {path}")
    return data, warnings


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from defaults, the config file and the environment; raise SettingsError on a bad value."""
    env = os.environ if env is None else env
    config_path = default_config_path(env)
    file_values, warnings = _read_config_file(config_path)

    unknown = sorted(set(file_values) - set(_PARSERS) - {"home", "keymap"})
    if unknown:
        allowed = ", ".join(sorted([*_PARSERS, "home", "keymap"]))
        raise SettingsError(f"config file {config_path} has unknown setting {unknown[0]!r}; known settings: {allowed}")

    values: dict[str, Any] = {}
    for name, parse in _PARSERS.items():
        raw: Any = file_values.get(name)
        source_name = name
        env_name = f"PIXFLOW_{name.upper()}"
        if env_name in env and name not in _SECRETS:  # keys: only the provider's own variable names
            raw, source_name = env[env_name], env_name
        standard = _STANDARD_ENV.get(name)
        if standard and env.get(standard):
            raw, source_name = env[standard], standard
        if raw is None:
            continue
        parsed = parse(source_name, raw)
        if parsed is not None:
            values[name] = parsed

    # an empty home is an error, not "use the default": data would silently land somewhere unexpected
    if "PIXFLOW_HOME" in env:
        home = _path("PIXFLOW_HOME", env["PIXFLOW_HOME"])
    elif "home" in file_values:
        home = _path("home", file_values["home"])
    else:
        import platformdirs

        home = _path("home", platformdirs.user_data_dir(APP_NAME))

    keymap = file_values.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise SettingsError(f"config file {config_path} [keymap] must map binding ids to key strings, e.g. rate-like = \"l\"")

    return Settings(home=home, config_path=config_path, keymap=dict(keymap), warnings=tuple(warnings), **values)


def with_user(settings: Settings, name: str) -> Settings:
    """`settings` acting as the person `name` (`pixflow --user NAME`)."""
    parsed = _optional_text("--user", name)
    if parsed is None:
        raise SettingsError("--user needs a name, e.g. --user alice")
    return replace(settings, user=parsed)


def setting_names() -> list[str]:
    return [f.name for f in fields(Settings) if f.name in _PARSERS]
