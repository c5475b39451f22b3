"""Option lists, presets, model ids and unit prices, as the original app offers them. Prices are estimates in USD."""
from __future__ import annotations

from dataclasses import dataclass

from pixflow_tui.config import ASPECT_RATIOS, IMAGE_FORMATS, RESOLUTIONS

__all__ = ["ASPECT_RATIOS", "IMAGE_FORMATS", "RESOLUTIONS"]

VARIANTS_RANGE = (1, 4)
PROMPT_COUNT_RANGE = (1, 10)
# The 9 sections of a structured prompt, in order (`style` first has the most weight): core/prompt_schema.py
PROMPT_SECTIONS = ("style", "pose", "lighting", "set_design", "outfit", "camera", "hairstyle", "makeup", "effects")
CONCEPT_MAX_CHARS = 300
PROMPTS_AT_ONCE = 4  # prompts of one concept written at the same time (one text call each on the live path)
TEXT_TO_JSON_MAX_CHARS = 8000
MAX_REFERENCE_IMAGES = 5
MAX_BATCH_PROMPTS = 100  # the original capped one HTTP request at 20; a durable batch can take more
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_FORMATS = ("JPEG", "PNG", "WEBP")
IMAGE_DOWNLOAD_CAP = 50 * 1024 * 1024
VIDEO_DOWNLOAD_CAP = 500 * 1024 * 1024
AUDIO_DOWNLOAD_CAP = 50 * 1024 * 1024

# Img2Img (the edit model on chosen images, as the original app offers it): its own narrower choices
IMG2IMG_ASPECT_RATIOS = ("9:16", "1:1", "4:5")
IMG2IMG_FORMATS = ("jpeg", "png")
IMG2IMG_OUTPUTS_RANGE = (1, 4)
IMG2IMG_MAX_SOURCES = MAX_REFERENCE_IMAGES

# long side in pixels for each resolution tier
RESOLUTION_LONG_SIDE = {"1K": 1024, "2K": 2048, "4K": 4096}

VIDEO_DURATIONS = ("5", "10")  # the lengths offered (a model without one sends its nearest: video_duration_for)
VIDEO_ASPECT_RATIOS = ("9:16", "16:9", "1:1")
VIDEO_DEFAULT_PROMPT = "natural subject motion, subtle camera movement, cinematic quality"
TRANSITION_DEFAULT_PROMPT = "smooth cinematic transition between the two frames, natural motion, cinematic quality"
VIDEO_DEFAULT_NEGATIVE = "blur, distort, and low quality"
VIDEO_DEFAULT_CFG = 0.5

CAMERA_MOVEMENTS = (
    "the camera rotates around the subject",
    "the camera is stationary",
    "handheld device filming",
    "the camera zooms out",
    "the camera zooms in",
    "the camera follows the subject moving",
    "camera pans right",
    "camera tilts up",
    "camera tilts down",
    "camera orbits around",
)
CAMERA_SPEEDS = ("slow", "normal", "fast")
SHOT_TYPES = (
    "maintaining a Close Shot",
    "medium shot",
    "positioned at a Long Shot",
    "positioned at a Low Angle",
    "positioned at a higher angle",
    "Shallow Depth of Field",
    "capture the subject's front view",
    "profile shot",
    "Close-up",
)
MAX_CAMERA_MOVEMENTS = 3
MAX_SHOT_TYPES = 3


@dataclass(frozen=True)
class Voice:
    name: str
    voice_id: str
    description: str


VOICES = (
    Voice("Aria", "Aria", "female, US"),
    Voice("Roger", "Roger", "male, US"),
    Voice("Sarah", "Sarah", "female, US"),
    Voice("Laura", "Laura", "female, US"),
    Voice("Charlie", "Charlie", "male, AU"),
    Voice("George", "George", "male, UK"),
    Voice("Callum", "Callum", "male, transatlantic"),
    Voice("River", "River", "non-binary, US"),
    Voice("Lily", "Lily", "female, UK"),
    Voice("Bill", "Bill", "male, US, old"),
)
TONES = ("casual", "professional", "energetic", "friendly", "dramatic")
DEFAULT_TONE = "energetic"
LANGUAGES = {
    "EN": "English",
    "TR": "Turkish",
    "ES": "Spanish",
    "FR": "French",
    "DE": "German",
    "IT": "Italian",
    "PT": "Portuguese (Brazil)",
    "AR": "Arabic",
    "RU": "Russian",
    "JA": "Japanese",
}
WORDS_PER_SECOND = 2.5
SCRIPT_DURATION_RANGE = (5, 120)


@dataclass(frozen=True)
class Product:
    name: str
    slug: str
    color_primary: str
    color_accent: str


PRODUCTS = (
    Product("Clone AI", "clone-ai", "#7C3AED", "#A78BFA"),
    Product("Fyro", "fyro", "#EA580C", "#FB923C"),
    Product("Fling", "fling", "#DB2777", "#F472B6"),
    Product("Zurna", "zurna", "#0891B2", "#22D3EE"),
    Product("Impresso", "impresso", "#059669", "#34D399"),
)

# Model ids (fal endpoints and OpenAI models)
IMAGE_MODEL = "fal-ai/nano-banana-pro"
IMAGE_EDIT_MODEL = "fal-ai/nano-banana-pro/edit"
VIDEO_MODELS = {
    "kling": "fal-ai/kling-video/v2.5-turbo/pro/image-to-video",
    "hailuo": "fal-ai/minimax/hailuo-02/standard/image-to-video",
}
DEFAULT_VIDEO_MODEL = "kling"
SPEECH_MODEL = "fal-ai/elevenlabs/tts/eleven-v3"
TRANSCRIBE_MODEL = "fal-ai/wizper"
LIPSYNC_MODEL = "fal-ai/bytedance/omnihuman/v1.5"
LIPSYNC_RESOLUTION = "720p"
LIPSYNC_MAX_AUDIO_SECONDS = 60.0  # the lipsync model's audio limit at 720p (30 s at 1080p)
# Hedra Character-3, the lipsync provider when HEDRA_API_KEY is set: jobs are stored and priced under the name,
# the id (setting hedra_model_id, env HEDRA_MODEL_ID) is what Hedra's API takes as ai_model_id
HEDRA_LIPSYNC_MODEL = "hedra/character-3"
HEDRA_CHARACTER3_MODEL_ID = "d1dd37a3-e39a-4854-a298-6510289f9cf2"
HEDRA_RESOLUTION = "720p"
HEDRA_ASPECT_RATIO = "9:16"
TEXT_MODEL = "gpt-4o"
TEXT_CONVERT_MODEL = "gpt-5.2"  # text → prompt "convert with the model" (setting convert_model)
RESEARCH_WEB_MODEL = "gpt-4o-mini"  # web-grounded research through the Responses API (setting research_web_model)


@dataclass(frozen=True)
class UnitPrice:
    per_unit: float
    unit: str  # "image", "second", "1k_chars"


UNIT_PRICES: dict[str, UnitPrice] = {
    IMAGE_MODEL: UnitPrice(0.15, "image"),
    IMAGE_EDIT_MODEL: UnitPrice(0.15, "image"),
    VIDEO_MODELS["kling"]: UnitPrice(0.07, "second"),
    VIDEO_MODELS["hailuo"]: UnitPrice(0.045, "second"),
    SPEECH_MODEL: UnitPrice(0.10, "1k_chars"),
    LIPSYNC_MODEL: UnitPrice(0.14, "second"),
    # Hedra bills in credits (its API reports a generation's credit_cost) and publishes no USD price per second:
    # estimated at the fal lipsync's price
    HEDRA_LIPSYNC_MODEL: UnitPrice(0.14, "second"),
}
# 4K images cost twice the base price at fal
RESOLUTION_PRICE_FACTOR = {"1K": 1.0, "2K": 1.0, "4K": 2.0}


def image_model_for(reference_count: int) -> str:
    return IMAGE_EDIT_MODEL if reference_count else IMAGE_MODEL


def image_size(aspect_ratio: str, resolution: str) -> tuple[int, int]:
    """Pixel size for an aspect ratio at a resolution tier (long side from the tier, sides even)."""
    w_ratio, h_ratio = (int(part) for part in aspect_ratio.split(":"))
    long_side = RESOLUTION_LONG_SIDE[resolution]
    if w_ratio >= h_ratio:
        width, height = long_side, round(long_side * h_ratio / w_ratio)
    else:
        width, height = round(long_side * w_ratio / h_ratio), long_side
    return width - width % 2, height - height % 2


# ---- what each fal model takes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelArguments:
    """The input fields a model accepts (fal's input schema); requests send nothing else."""

    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field, the values it takes)

    @property
    def accepted(self) -> frozenset[str]:
        return self.required | self.optional

    def values(self, name: str) -> tuple[str, ...] | None:
        return dict(self.choices).get(name)


_IMAGE_CHOICES = (("aspect_ratio", ASPECT_RATIOS), ("resolution", RESOLUTIONS), ("output_format", IMAGE_FORMATS))
# The one table of every model's arguments: core/requests.py builds requests from it, the demo provider refuses
# what it does not list, and a test checks it against the fal emulator's schema of each model.
MODEL_ARGUMENTS: dict[str, ModelArguments] = {
    IMAGE_MODEL: ModelArguments(frozenset({"prompt"}),
                                frozenset({"aspect_ratio", "resolution", "output_format", "num_images", "seed"}),
                                _IMAGE_CHOICES),
    IMAGE_EDIT_MODEL: ModelArguments(frozenset({"prompt", "image_urls"}),
                                     frozenset({"aspect_ratio", "resolution", "output_format", "num_images",
                                                "seed"}),
                                     _IMAGE_CHOICES),
    VIDEO_MODELS["kling"]: ModelArguments(
        frozenset({"prompt", "image_url"}),
        frozenset({"duration", "aspect_ratio", "negative_prompt", "cfg_scale", "tail_image_url"}),
        (("duration", ("5", "10")), ("aspect_ratio", VIDEO_ASPECT_RATIOS))),
    # Hailuo 02 takes its own lengths and follows the image's shape: no aspect ratio, negative prompt or cfg
    VIDEO_MODELS["hailuo"]: ModelArguments(
        frozenset({"prompt", "image_url"}), frozenset({"duration", "prompt_optimizer", "end_image_url"}),
        (("duration", ("6", "10")),)),
    SPEECH_MODEL: ModelArguments(frozenset({"text"}),
                                 frozenset({"voice", "stability", "similarity_boost", "speed",
                                            "apply_text_normalization"})),
    LIPSYNC_MODEL: ModelArguments(frozenset({"image_url", "audio_url"}), frozenset({"resolution"}),
                                  (("resolution", ("720p", "1080p")),)),
    TRANSCRIBE_MODEL: ModelArguments(frozenset({"audio_url"}), frozenset({"task", "language", "chunk_level"}),
                                     (("task", ("transcribe", "translate")), ("chunk_level", ("segment", "word")))),
    # not a fal model: the fields of the app's Hedra request, which providers/hedra.py maps onto Hedra's API
    HEDRA_LIPSYNC_MODEL: ModelArguments(frozenset({"image_url", "audio_url"}),
                                        frozenset({"ai_model_id", "resolution", "aspect_ratio", "text_prompt"})),
}
FAL_MODELS = frozenset(MODEL_ARGUMENTS) - {HEDRA_LIPSYNC_MODEL}
# the field naming a video's last frame (a start/end transition), per video model
VIDEO_END_FRAME_FIELD = {VIDEO_MODELS["kling"]: "tail_image_url", VIDEO_MODELS["hailuo"]: "end_image_url"}


def video_durations(model_id: str) -> tuple[str, ...]:
    return MODEL_ARGUMENTS[model_id].values("duration") or VIDEO_DURATIONS


def video_duration_for(model_id: str, chosen: str) -> str:
    """The length `model_id` is really sent: the chosen one when it takes it, else its shortest at least as long
    (Hailuo has no 5 s: it makes 6 s, and is priced for 6)."""
    offered = video_durations(model_id)
    if chosen in offered:
        return chosen
    longer = [d for d in offered if float(d) >= float(chosen)]
    return min(longer, key=float) if longer else max(offered, key=float)
