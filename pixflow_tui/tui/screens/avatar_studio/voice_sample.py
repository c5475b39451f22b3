"""Hearing a voice before a run: its sample is made once (a short paid speech job, through the door), then kept
and played with the system player where there is a display (else its path is shown)."""
from __future__ import annotations

from textual.dom import DOMNode

from pixflow_tui.tui.paid import spend
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.paid_work import Committed, PaidPlan


def play_voice_sample(node: DOMNode, context: AppContext, voice: str) -> None:
    from pixflow_tui.workflows.asset_monster import ViewerLauncher
    from pixflow_tui.workflows.voices import plan_voice_preview, voice_info

    app = node.app

    def look() -> None:
        sample = voice_info(context, voice).preview
        if sample is not None:
            problem = ViewerLauncher().open(sample)
            app.call_from_thread(app.notify, problem or f"Playing the sample of {voice}.", title="Voice")
        else:
            app.call_from_thread(make)

    def make() -> None:
        def planned() -> PaidPlan:
            plan = plan_voice_preview(context, voice)
            assert plan is not None  # no sample yet (looked just before)
            return plan

        def made(_: Committed) -> None:
            app.notify(f"Making the sample of {voice}; press p again when it is done.", title="Voice")

        spend(node, context, planned, title=f"Make a sample of {voice}?", yes="Make it", on_done=made)

    start_thread(node, look, name="Finding the voice sample", group="voice-sample")
