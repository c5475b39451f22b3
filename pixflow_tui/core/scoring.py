"""Local quality and variety checks of prompts, after the original app's. Advisory: they never block."""
from __future__ import annotations

import re
from typing import Any

from pixflow_tui.core.prompt_schema import PromptOutput

FABRICS = ("silk", "satin", "linen", "cotton", "wool", "cashmere", "leather", "denim", "velvet", "chiffon", "tweed",
           "organza", "lace", "jersey", "suede", "corduroy", "crepe", "taffeta", "tulle", "knit", "mohair", "poplin")
COLOURS = ("black", "white", "ivory", "cream", "red", "crimson", "burgundy", "pink", "blush", "orange", "rust",
           "yellow", "mustard", "gold", "golden", "green", "olive", "emerald", "sage", "teal", "blue", "navy",
           "cobalt", "purple", "lavender", "brown", "camel", "tan", "beige", "grey", "gray", "silver", "charcoal")
CUTS = ("fitted", "oversized", "tailored", "cropped", "wrap", "a-line", "bias-cut", "high-waisted", "wide-leg",
        "slim", "relaxed", "structured", "draped", "belted", "double-breasted", "midi", "maxi", "mini", "slip")
VAGUE_OUTFITS = ("nice outfit", "casual clothes", "stylish outfit", "trendy outfit", "fashionable clothes",
                 "beautiful dress", "elegant outfit")
LOCKED_TERMS = ("blonde", "brunette", "redhead", "asian", "african", "caucasian", "latina", "young", "teen",
                "beautiful", "gorgeous", "pretty", "handsome", "sexy", "slim body", "curvy", "blue eyes",
                "green eyes", "pale skin")
AESTHETICS = {
    "editorial": ("editorial", "magazine", "vogue", "high fashion"),
    "lifestyle": ("lifestyle", "candid", "everyday", "natural moment"),
    "minimal": ("minimal", "clean", "seamless", "simple backdrop"),
    "intimate": ("intimate", "close", "soft", "tender"),
    "fashion-forward": ("avant-garde", "bold", "fashion-forward", "statement"),
}
EMOTIONS = {
    "romantic": ("romantic", "dreamy", "warm glow"),
    "playful": ("playful", "fun", "whimsical", "cheeky"),
    "confident": ("confident", "powerful", "strong", "bold"),
    "intimate": ("intimate", "quiet", "vulnerable"),
    "mysterious": ("mysterious", "moody", "shadow", "enigmatic"),
}
_MINIMA = (("style", 100), ("pose.framing", 30), ("lighting.setup", 40), ("set_design.backdrop", 50),
           ("camera.lens", 20), ("outfit.main", 40))


def _field(prompt: PromptOutput, dotted: str) -> str:
    value: Any = prompt
    for part in dotted.split("."):
        value = getattr(value, part)
    return str(value)


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words)


def prompt_issues(prompt: PromptOutput) -> list[str]:
    """What falls short of the checks, one readable line each (empty when the prompt passes)."""
    issues = [f"{name} is shorter than {minimum} characters" for name, minimum in _MINIMA
              if len(_field(prompt, name)) < minimum]
    outfit = prompt.outfit.main
    if _has_any(outfit, VAGUE_OUTFITS):
        issues.append("outfit.main is vague; name fabric, colour and cut")
    if not _has_any(outfit, FABRICS):
        issues.append("outfit.main names no fabric")
    if sum(_has_any(outfit, words) for words in (FABRICS, COLOURS, CUTS)) < 2:
        issues.append("outfit.main should name at least two of fabric, colour and cut")
    text = prompt.to_json()
    if "CRITICAL:" not in text:
        issues.append("no CRITICAL: hero element")
    locked = [term for term in LOCKED_TERMS if _has_any(text, (term,))]
    if locked:
        issues.append("describes identity traits the reference controls: " + ", ".join(locked))
    return issues


def prompt_score(prompt: PromptOutput) -> int:
    score = 100
    if _has_any(prompt.outfit.main, VAGUE_OUTFITS) or not _has_any(prompt.outfit.main, FABRICS):
        score -= 20
    if len(prompt.lighting.setup + prompt.lighting.key_light) < 50:
        score -= 15
    if len(prompt.pose.framing + prompt.pose.body_position) < 40:
        score -= 10
    if "CRITICAL:" not in prompt.style:
        score -= 5
    if not _has_any(prompt.makeup.skin, ("natural", "pore", "pores", "texture")):
        score -= 5
    if len(prompt.style) < 50:
        score -= 10
    return max(0, score)


def band(score: float) -> str:
    return "excellent" if score >= 85 else "good" if score >= 70 else "fair" if score >= 50 else "poor"


def variety_score(prompts: list[PromptOutput]) -> dict[str, Any]:
    n = len(prompts)
    texts = [" ".join((p.style, p.lighting.mood, p.set_design.atmosphere, p.outfit.styling)).lower() for p in prompts]
    aesthetics = {name for name, words in AESTHETICS.items() for t in texts if _has_any(t, words)}
    emotions = {name for name, words in EMOTIONS.items() for t in texts if _has_any(t, words)}
    lighting = {p.lighting.setup[:40].lower() for p in prompts}
    keys = [f"{p.pose.framing}|{p.outfit.main[:30]}|{p.lighting.setup[:25]}".lower() for p in prompts]
    duplicates = n - len(set(keys))
    need = min(3, n)
    passed = len(aesthetics) >= need and len(emotions) >= need and len(lighting) >= need and duplicates == 0
    denominator = max(5, n)
    score = (len(aesthetics) / denominator + len(emotions) / denominator + len(lighting) / denominator) / 3 * 100
    weaknesses = []
    if len(aesthetics) < need:
        weaknesses.append(f"only {len(aesthetics)} distinct aesthetics (want {need})")
    if len(emotions) < need:
        weaknesses.append(f"only {len(emotions)} distinct moods (want {need})")
    if len(lighting) < need:
        weaknesses.append(f"only {len(lighting)} distinct lighting setups (want {need})")
    if duplicates:
        weaknesses.append(f"{duplicates} near-duplicate prompt(s)")
        score -= 20
    return {"passed": passed, "score": round(max(0.0, min(100.0, score)), 1), "aesthetics": sorted(aesthetics),
            "emotions": sorted(emotions), "lighting_setups": len(lighting), "duplicates": duplicates,
            "weaknesses": weaknesses}


def quality_metrics(prompts: list[PromptOutput]) -> dict[str, Any]:
    if not prompts:
        return {"overall": 0, "band": "poor", "individual": [], "issues": []}
    individual = [prompt_score(p) for p in prompts]
    issues = [prompt_issues(p) for p in prompts]
    specificity = sum(100 - 10 * len(i) for i in issues) / len(prompts)
    completeness = sum(sum(bool(_field(p, name)) for name, _ in _MINIMA) / len(_MINIMA) * 100 for p in prompts) / len(prompts)
    variety = variety_score(prompts)
    detail = sum(min(100, len(p.to_json()) / 25) for p in prompts) / len(prompts)
    overall = (0.30 * sum(individual) / len(individual) + 0.25 * max(0, specificity) + 0.15 * completeness
               + 0.15 * (100 if variety["passed"] else 60) + 0.15 * detail)
    return {"overall": round(overall, 1), "band": band(overall), "individual": individual, "issues": issues}
