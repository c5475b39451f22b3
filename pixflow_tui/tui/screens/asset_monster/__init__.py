"""Asset Monster: batch image generation with live status, previews, rating and regenerate."""
from pixflow_tui.tui.screens.asset_monster.screen import AssetMonsterScreen

__all__ = ["AssetMonsterScreen"]
