"""One way for a command to open the shared context, run, and turn what users cause into one line and an exit
code (the workflows' errors load only when a command runs: `pixflow --version` stays light)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pixflow_tui.cli.common import ExitCode, error
from pixflow_tui.config import Settings

if TYPE_CHECKING:
    from pixflow_tui.workflows.context import AppContext

INTERRUPTED = "interrupted; submitted jobs keep running at the provider — `pixflow jobs resume` finishes them"


def with_context(settings: Settings, body: Callable[[AppContext], int], *, interrupted: str = INTERRUPTED) -> int:
    from pixflow_tui.workflows.cli_support import open_context
    from pixflow_tui.workflows.inputs import InputError
    from pixflow_tui.workflows.paid_work import BudgetExceeded
    from pixflow_tui.workflows.prompts import PromptGenerationError
    from pixflow_tui.workflows.scripts import ScriptProviderError

    ctx = open_context(settings)
    if ctx is None:
        return ExitCode.CONFIG
    try:
        return int(body(ctx))
    except BudgetExceeded as exc:  # the budget changed between the plan and the commit
        error(str(exc))
        return ExitCode.BUDGET
    except InputError as exc:
        error(str(exc))
        return ExitCode.USAGE
    except PromptGenerationError as exc:
        error(str(exc))
        return ExitCode.FAILED
    except ScriptProviderError as exc:
        error(f"the provider failed: {exc}")
        return ExitCode.FAILED
    except KeyboardInterrupt:
        error(interrupted)
        return ExitCode.INTERRUPTED
    finally:
        ctx.close()
