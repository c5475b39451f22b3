"""Asset Monster's details pane: the highlighted job's state, picture facts or failure, and prompt."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pixflow_tui.core.jobs import JobState
from pixflow_tui.workflows.asset_monster import JobDetail


def detail_text(detail: JobDetail | None, marked: int = 0) -> Text:
    """The selected job in a few lines: state, dimensions and path (or the failure), prompt."""
    text = Text()
    if detail is None:
        text.append("No job selected.", style="dim")
        return text
    job = detail.job
    text.append(f"Job {job.id}", style="bold")
    text.append(f" · {job.status}", style="bold red" if job.status == JobState.FAILED else "bold")
    if job.parent_job_id:
        text.append(f" · remake of job {job.parent_job_id}", style="dim")
    if detail.image is not None and detail.image.rating:
        text.append(" · liked" if detail.image.rating == 1 else " · disliked",
                    style="green" if detail.image.rating == 1 else "red")
    text.append("\n")
    if job.status == JobState.FAILED:
        text.append(f"Reason: {job.error or 'no reason given'}\n", style="red")
    elif job.status == JobState.UNKNOWN:
        text.append("The app stopped while sending this job; the provider may have it. r retries it.\n",
                    style="magenta")
    else:
        text.append(detail.describe() + "\n", style="dim")
    if detail.prompt is not None:
        text.append(detail.prompt.short(240))
    if marked:
        text.append(f"\n{marked} marked (e exports them, v sends them to Img2Video)", style="dim")
    return text


class JobDetails(Static):
    _lines = -1

    def show(self, detail: JobDetail | None, marked: int = 0) -> None:
        text = detail_text(detail, marked)
        # the screen is laid out again only when the pane's height changes (its height is auto): a layout takes
        # tens of ms while a batch runs, and the selected job's details change with every state it goes through
        width = self.content_region.width
        lines = len(text.wrap(self.app.console, width)) if width > 0 else -1
        self.update(text, layout=lines != self._lines or lines < 0)
        self._lines = lines
