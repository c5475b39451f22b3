"""One binding id per shared action, used by every screen and widget that offers it: one `[keymap]` line
remaps the action everywhere. Ids of earlier versions still work in a user's config."""
from __future__ import annotations

from collections.abc import Mapping

LIKE = "rate-like"
DISLIKE = "rate-dislike"
CLEAR_RATING = "rate-clear"
REGENERATE = "regenerate"
CANCEL_JOB = "cancel-job"
FAVOURITE = "favourite-prompt"
SEND_TO_IMG2VIDEO = "send-to-img2video"
OPEN = "open-file"
COPY_PROMPT = "copy-prompt"
EXPORT = "export"
TRANSFORM = "transform-image"  # Img2Img on the chosen images

_EARLIER_IDS = {
    LIKE: ("am-like", "library-like", "viewer-like"),
    DISLIKE: ("am-dislike", "library-dislike", "viewer-dislike"),
    CLEAR_RATING: ("am-clear-rating", "library-clear-rating", "viewer-clear-rating"),
    REGENERATE: ("am-regenerate", "library-regenerate", "i2v-regenerate"),
    CANCEL_JOB: ("am-cancel", "i2v-cancel"),
    FAVOURITE: ("am-favorite", "library-favorite", "pf-favourite"),
    SEND_TO_IMG2VIDEO: ("am-to-video", "library-to-video"),
    OPEN: ("am-open", "library-open", "viewer-open"),
    COPY_PROMPT: ("am-copy-prompt", "library-copy", "i2v-copy-prompt", "pf-copy", "prompt-copy", "favorite-copy"),
    EXPORT: ("am-export", "library-export", "i2v-export"),
}
EARLIER_IDS = {old: new for new, olds in _EARLIER_IDS.items() for old in olds}


def user_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """The user's `[keymap]` with ids of earlier versions read as today's (today's id wins when both are set)."""
    translated = {EARLIER_IDS.get(binding_id, binding_id): keys for binding_id, keys in keymap.items()
                  if binding_id in EARLIER_IDS}
    return {**translated, **{k: v for k, v in keymap.items() if k not in EARLIER_IDS}}
