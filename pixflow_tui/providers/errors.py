"""Turn whatever the fal and OpenAI client libraries raise into our ProviderError family.

Every message is run through `scrub()` so an API key never reaches a log line, a job row or the screen.
"""
from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from pixflow_tui.providers.base import (
    MissingKeyError,
    PermanentProviderError,
    ProviderError,
    TransientProviderError,
)

class SubmitUncertainError(TransientProviderError):
    """A submit was sent but its answer was lost: the provider may hold the task although no request id came back.

    Retrying may pay for the task twice; the engine should record the job as `unknown` rather than resubmit.
    """


FAL_KEY_HELP = (
    "FAL_KEY is not set: create a key at https://fal.ai/dashboard/keys, then `export FAL_KEY=...` "
    "(or put fal_key = \"...\" in config.toml, mode 600), or run with PIXFLOW_PROVIDER_MODE=demo"
)
OPENAI_KEY_HELP = (
    "OPENAI_API_KEY is not set: create a key at https://platform.openai.com/api-keys, then "
    "`export OPENAI_API_KEY=...` (or put openai_api_key = \"...\" in config.toml, mode 600; "
    "OPENAI_BASE_URL points at any OpenAI-compatible server), or run with PIXFLOW_PROVIDER_MODE=demo"
)
CONTENT_POLICY_PREFIX = "refused by the provider's content policy: "

# fal request-error types (docs: model-apis/request-errors) that describe infrastructure trouble, not our input.
FAL_TRANSIENT_ERROR_TYPES = frozenset({
    "request_timeout", "startup_timeout", "runner_scheduling_failure", "runner_connection_timeout",
    "runner_disconnected", "runner_connection_refused", "runner_connection_error", "runner_incomplete_response",
    "runner_server_error", "internal_error", "internal_server_error", "downstream_service_unavailable",
})
_TRANSIENT_STATUS = frozenset({408, 409, 425, 429})
_MAX_MESSAGE = 500


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Remove every secret (and obvious key-looking tokens) from `text`."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    # OpenAI echoes a masked key ("sk-proj-****abcd"); drop even that.
    return re.sub(r"\bsk-[A-Za-z0-9_\-*]{6,}", "sk-***", text)


def _short(text: str, limit: int = _MAX_MESSAGE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_after_from(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from `retry-after-ms` / `Retry-After` (seconds or an HTTP date); None when absent."""
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def describe_validation(detail: Any) -> str:
    """fal/pydantic-style `[{loc, msg, type}]` as `field: msg; other.field: msg`."""
    if not isinstance(detail, list):
        return str(detail)
    parts = []
    for item in detail:
        if not isinstance(item, dict):
            parts.append(str(item))
            continue
        loc = [str(p) for p in item.get("loc") or [] if p != "body"]
        where = ".".join(loc)
        msg = str(item.get("msg") or item.get("message") or item.get("type") or "invalid")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


def _html_title(text: str) -> str:
    match = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    return match.group(1).strip() if match else text


def is_content_policy(error_type: str | None, detail: Any, message: str) -> bool:
    if error_type and "content_policy" in error_type:
        return True
    if isinstance(detail, list) and any(
        isinstance(item, dict) and "content_policy" in str(item.get("type", "")) for item in detail
    ):
        return True
    lowered = message.lower()
    return "content policy" in lowered or "content_policy" in lowered or "flagged by a content checker" in lowered


def from_status(status: int, message: str, *, headers: Mapping[str, str] | None = None,
                error_type: str | None = None, detail: Any = None, who: str = "fal") -> ProviderError:
    """The mapping for an HTTP error status, shared by both providers."""
    message = _short(message) or f"HTTP {status}"
    if is_content_policy(error_type, detail, message):
        return PermanentProviderError(CONTENT_POLICY_PREFIX + message, status_code=status)
    if status == 429:
        return TransientProviderError(f"{who} is rate limiting requests (429): {message}",
                                      retry_after=retry_after_from(headers), status_code=status)
    if status in _TRANSIENT_STATUS or status >= 500:
        return TransientProviderError(f"{who} had a temporary problem ({status}): {message}",
                                      retry_after=retry_after_from(headers), status_code=status)
    if status in (401, 403):
        return PermanentProviderError(f"{who} refused the API key ({status}): {message}", status_code=status)
    if status == 422:
        return PermanentProviderError(f"{who} rejected the input (422): {message}", status_code=status)
    return PermanentProviderError(f"{who} rejected the request ({status}): {message}", status_code=status)


def submit_may_have_landed(exc: BaseException) -> bool:
    """True when a failed submit may still have been accepted: the request went out, the answer was lost or garbled."""
    lost_answer = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)
    return isinstance(exc, (*lost_answer, json.JSONDecodeError, KeyError))


def fal_error(exc: BaseException, *, context: str = "", secrets: Iterable[str | None] = ()) -> ProviderError:
    """Map an exception raised by fal_client (or httpx under it) to a ProviderError."""
    import fal_client.client as fc
    from fal_client.auth import MissingCredentialsError

    secrets = tuple(secrets)
    where = f" ({context})" if context else ""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, MissingCredentialsError):
        return MissingKeyError(FAL_KEY_HELP)
    if isinstance(exc, fc.FalClientHTTPError):
        detail = exc.message
        text = describe_validation(detail) if isinstance(detail, list) else _html_title(str(detail))
        return from_status(exc.status_code, scrub(text + where, secrets), headers=exc.response_headers,
                           error_type=exc.error_type, detail=detail, who="fal")
    if isinstance(exc, fc.FalClientTimeoutError):
        return TransientProviderError(scrub(f"fal timed out{where}: {exc}", secrets))
    if isinstance(exc, httpx.HTTPStatusError):  # the storage token endpoint raises plain httpx errors
        response = exc.response
        text = _html_title(response.text)
        try:
            body = response.json()
            if isinstance(body, dict) and "detail" in body:
                text = describe_validation(body["detail"])
        except ValueError:
            pass
        return from_status(response.status_code, scrub(text + where, secrets), headers=dict(response.headers),
                           error_type=response.headers.get("x-fal-error-type"), who="fal")
    if isinstance(exc, httpx.TimeoutException):
        return TransientProviderError(scrub(f"fal did not answer in time{where}: {type(exc).__name__}", secrets))
    if isinstance(exc, httpx.TransportError):
        reason = str(exc) or type(exc).__name__
        return TransientProviderError(scrub(f"could not reach fal{where}: {reason}", secrets))
    if isinstance(exc, json.JSONDecodeError):
        return TransientProviderError(f"fal answered with malformed JSON{where}: {exc.msg}")
    if isinstance(exc, ValueError) and str(exc).startswith("Unknown status"):
        return PermanentProviderError(scrub(f"fal reported a status this app does not know{where}: {exc}", secrets))
    if isinstance(exc, KeyError):
        return PermanentProviderError(f"fal answered without the expected field {exc}{where}")
    return PermanentProviderError(scrub(f"unexpected error talking to fal{where}: {type(exc).__name__}: {exc}",
                                        secrets))


def openai_error(exc: BaseException, *, context: str = "", secrets: Iterable[str | None] = ()) -> ProviderError:
    """Map an exception raised by the openai SDK to a ProviderError."""
    import openai

    secrets = tuple(secrets)
    where = f" ({context})" if context else ""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        message = str(body.get("message") or exc.message)
        code = str(body.get("code") or "")
        text = scrub(_short(message) + where, secrets)
        headers = dict(exc.response.headers)
        if exc.status_code == 429 and code == "insufficient_quota":
            return PermanentProviderError(f"OpenAI quota exhausted (429): {text}", status_code=429)
        error_type = code if "content_policy" in code or "content_filter" in code else None
        if error_type:
            return PermanentProviderError(CONTENT_POLICY_PREFIX + text, status_code=exc.status_code)
        return from_status(exc.status_code, text, headers=headers, error_type=error_type, who="OpenAI")
    if isinstance(exc, openai.APITimeoutError):
        return TransientProviderError(f"OpenAI did not answer in time{where}")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        reason = f": {type(cause).__name__}" if cause is not None else ""
        return TransientProviderError(scrub(f"could not reach OpenAI{where}{reason}", secrets))
    if isinstance(exc, openai.OpenAIError):
        if "Missing credentials" in str(exc) or "api_key client option" in str(exc):
            return MissingKeyError(OPENAI_KEY_HELP)
        return PermanentProviderError(scrub(f"OpenAI error{where}: {_short(str(exc))}", secrets))
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return TransientProviderError(f"OpenAI did not answer in time{where}")
    return PermanentProviderError(scrub(f"unexpected error talking to OpenAI{where}: {type(exc).__name__}: "
                                        f"{_short(str(exc))}", secrets))
