"""The error-mapping table shared by the fal and OpenAI providers (errors.py), without any server."""
from __future__ import annotations

import email.utils
import json
import time

import httpx
import pytest
from fal_client.auth import MissingCredentialsError
from fal_client.client import FalClientHTTPError

from pixflow_tui.providers.base import MissingKeyError, PermanentProviderError, TransientProviderError
from pixflow_tui.providers.errors import (
    describe_validation,
    fal_error,
    from_status,
    retry_after_from,
    scrub,
)


@pytest.mark.parametrize(("status", "transient"), [
    (400, False), (401, False), (403, False), (404, False), (422, False),
    (408, True), (409, True), (429, True), (500, True), (502, True), (503, True), (504, True),
])
def test_status_codes(status: int, transient: bool) -> None:
    error = from_status(status, "boom")
    assert error.transient is transient and error.status_code == status and "boom" in error.message


def test_content_policy_wins_over_the_status() -> None:
    error = from_status(422, "flagged", error_type="content_policy_violation")
    assert isinstance(error, PermanentProviderError)
    assert error.message == "refused by the provider's content policy: flagged"


def test_retry_after_in_seconds_milliseconds_and_http_dates() -> None:
    assert retry_after_from({"Retry-After": "12"}) == 12
    assert retry_after_from({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= (retry_after_from({"Retry-After": in_a_minute}) or 0) <= 60
    assert retry_after_from({"Retry-After": "soon"}) is None
    assert retry_after_from({}) is None


def test_validation_details_list_each_field() -> None:
    detail = [{"loc": ["body", "image_urls", 0], "msg": "invalid url", "type": "x"},
              {"loc": ["body"], "msg": "bad body", "type": "y"}]
    assert describe_validation(detail) == "image_urls.0: invalid url; bad body"


def test_fal_specific_exceptions() -> None:
    assert isinstance(fal_error(MissingCredentialsError("No credentials found")), MissingKeyError)
    assert "FAL_KEY is not set" in fal_error(MissingCredentialsError()).message
    assert isinstance(fal_error(ValueError("Unknown status: FAILED")), PermanentProviderError)
    assert isinstance(fal_error(httpx.ConnectTimeout("slow")), TransientProviderError)
    assert isinstance(fal_error(json.JSONDecodeError("x", "{", 0)), TransientProviderError)
    assert isinstance(fal_error(RuntimeError("odd")), PermanentProviderError)

    response = httpx.Response(429, headers={"Retry-After": "4"}, request=httpx.Request("POST", "http://x"))
    error = fal_error(FalClientHTTPError("slow down", 429, dict(response.headers), response))
    assert isinstance(error, TransientProviderError) and error.retry_after == 4


def test_scrub_removes_keys_and_masked_keys() -> None:
    text = "key fal-abc123:def456 and sk-proj-****wxyz and sk-live-1234567890"
    cleaned = scrub(text, ("fal-abc123:def456",))
    assert "fal-abc123" not in cleaned and "wxyz" not in cleaned and "1234567890" not in cleaned
