"""The 9-section structured prompt of the original app. Key order matters: `style` first has the most weight."""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pixflow_tui.core.catalog import PROMPT_SECTIONS

SECTIONS = PROMPT_SECTIONS


class _Section(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Expression(_Section):
    facial: str = ""
    eyes: str = ""
    mouth: str = ""


class Pose(_Section):
    framing: str = ""
    body_position: str = ""
    arms: str = ""
    posture: str = ""
    expression: Expression = Field(default_factory=Expression)


class Lighting(_Section):
    setup: str = ""
    key_light: str = ""
    fill_light: str = ""
    shadows: str = ""
    mood: str = ""


class SetDesign(_Section):
    backdrop: str = ""
    surface: str = ""
    props: list[str] = Field(default_factory=list)
    atmosphere: str = ""


class Outfit(_Section):
    main: str = ""
    underneath: str = ""
    accessories: str = ""
    styling: str = ""


class Camera(_Section):
    lens: str = ""
    aperture: str = ""
    angle: str = ""
    focus: str = ""
    distortion: str = ""


class Hairstyle(_Section):
    style: str = ""
    parting: str = ""
    details: str = ""
    finish: str = ""


class Makeup(_Section):
    style: str = ""
    skin: str = ""
    eyes: str = ""
    lips: str = ""


class Effects(_Section):
    vignette: str = ""
    color_grade: str = ""
    lens_flare: str = ""
    atmosphere: str = ""
    grain: str = ""
    contrast: str = ""


class PromptOutput(_Section):
    style: str = ""
    pose: Pose = Field(default_factory=Pose)
    lighting: Lighting = Field(default_factory=Lighting)
    set_design: SetDesign = Field(default_factory=SetDesign)
    outfit: Outfit = Field(default_factory=Outfit)
    camera: Camera = Field(default_factory=Camera)
    hairstyle: Hairstyle = Field(default_factory=Hairstyle)
    makeup: Makeup = Field(default_factory=Makeup)
    effects: Effects = Field(default_factory=Effects)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.model_dump(), indent=indent, ensure_ascii=False)

    def short(self, width: int = 60) -> str:
        text = " ".join(self.style.split())
        return text if len(text) <= width else text[: width - 1] + "…"


class PromptEnvelope(_Section):
    """What a text model returns for a batch: `{"prompts": [...]}`."""

    prompts: list[PromptOutput]


class PromptParseError(ValueError):
    """Text that should hold a prompt does not; the message says what was wrong."""


def parse_prompt(data: str | dict[str, Any]) -> PromptOutput:
    """Parse a prompt from JSON text or a dict; raise PromptParseError naming the problem."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise PromptParseError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise PromptParseError(f"a prompt must be a JSON object, not {type(data).__name__}")
    try:
        return PromptOutput.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "prompt"
        raise PromptParseError(f"{where}: {first['msg']}") from None
