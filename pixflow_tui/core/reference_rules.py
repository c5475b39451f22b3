"""Prompts written with a reference photo keep the person of that photo (the original app's
`enforceReferenceDrivenPrompt`): the style starts with the identity rule and the hairstyle with the hair rule,
unless they already say so."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixflow_tui.core.prompt_schema import PromptOutput

REFERENCE_STYLE_PREFIX = (
    "Use the reference image(s) as the identity source: keep each person's face, identity, age and expression "
    "character and the number of people exactly as in the reference; several references may be given; do not "
    "add, remove or merge people.")
REFERENCE_HAIR_PREFIX = "Match the reference hair length and style exactly."


def _mentions_reference(text: str) -> bool:
    return "reference image" in text.lower() or "reference photo" in text.lower()


def enforce_reference_rules(prompt: PromptOutput) -> PromptOutput:
    """`prompt` with the identity rule before its style and the hair rule before its hairstyle, each added only
    when the text does not already mention the reference."""
    style = prompt.style
    if not _mentions_reference(style):
        style = f"{REFERENCE_STYLE_PREFIX} {style}".strip()
    hair = prompt.hairstyle.style
    if "reference" not in hair.lower():
        hair = f"{REFERENCE_HAIR_PREFIX} {hair}".strip()
    return prompt.model_copy(update={"style": style,
                                     "hairstyle": prompt.hairstyle.model_copy(update={"style": hair})})
