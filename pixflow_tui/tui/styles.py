"""Where the Textual stylesheets live: inside the wheel (`pixflow_tui/styles/`) or the repo's top-level `styles/`."""
from __future__ import annotations

from pathlib import Path

import pixflow_tui

_PACKAGE_DIR = Path(pixflow_tui.__file__).parent


def styles_path(name: str) -> Path:
    """Absolute path of stylesheet `name`, so CSS_PATH does not depend on which module subclasses a screen."""
    packaged = _PACKAGE_DIR / "styles" / name
    if packaged.exists():
        return packaged
    return _PACKAGE_DIR.parent / "styles" / name
