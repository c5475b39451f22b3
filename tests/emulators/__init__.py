"""Local HTTP emulators of fal's queue/storage API and OpenAI's chat/speech API, for tests that drive the real SDKs."""

from .fal_emulator import FalEmulator, FalRequest, Fault, StoredFile, Upload, fal_client_overrides, point_fal_client_at
from .openai_emulator import OpenAIEmulator, ScriptedResponse

__all__ = [
    "FalEmulator",
    "FalRequest",
    "Fault",
    "OpenAIEmulator",
    "ScriptedResponse",
    "StoredFile",
    "Upload",
    "fal_client_overrides",
    "point_fal_client_at",
]
