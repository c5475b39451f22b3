"""Asset Monster: shows its jobs live; later issues add the controls."""
from __future__ import annotations

from pixflow_tui.tui.screens.base import JobModuleScreen


class AssetMonsterScreen(JobModuleScreen):
    MODULE = "asset_monster"
    INTRO = "Generate image batches from prompts, with reference images to keep identity."
    EMPTY = (
        "No batches yet — make prompts in Prompt Factory (press 1), then send "
        "them here to generate images."
    )
