"""The preview's lineage, both ways and more than one step: concept → history → prompt → image → video → lipsync,
and an image made again from the same job."""
from __future__ import annotations

from lib_helpers import open_library, open_store, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.core.jobs import JobKind


async def test_lineage_reaches_back_to_the_concept_and_forward_to_every_descendant(make_app, settings) -> None:
    history = open_store(settings).history.add(concept="red fox 0", prompts=[{"style": "red fox look number 0"}])
    made = seed(settings, images=1, liked=(), history=0)
    image, video = made.images[0], made.videos[0]
    store = open_store(settings)
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={}, parent_job_id=image.job_id)
    again = store.images.add(job_id=job.id, local_path="/gone/again.png", file_name="again.png",
                             concept="red fox 0", prompt=image.prompt)
    lipsync = store.assets.add(kind="lipsync", local_path="/gone/talk.mp4", prompt="hello", source_asset=video.id)
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        table = table_of(tab)
        assert table.keys()[0] == f"asset:{lipsync.id}" and table.keys()[-1] == f"image:{image.id}"
        lineage = screen.query_one("#preview-lineage")

        def text() -> str:
            return str(lineage.render())

        await wait_for(pilot, lambda: "Made from" in text(), what="the lipsync's lineage")
        made_from = text().split("Made from", 1)[1]
        order = ["red fox 0", f"history #{history.id}", "red fox look number 0", f"image #{image.id}",
                 f"video #{video.id}", f"lipsync #{lipsync.id}"]
        positions = [made_from.find(part) for part in order]
        assert -1 not in positions and positions == sorted(positions), (order, made_from)
        assert "Nothing made from it yet." in text()

        await pilot.press("end")  # the first image
        await wait_for(pilot, lambda: "Made into" in text(), what="the image's descendants")
        made_into = text().split("Made into", 1)[1]
        assert f"video #{video.id}" in made_into and f"lipsync #{lipsync.id}" in made_into
        assert f"regenerated: image #{again.id}" in made_into
        lines = made_into.splitlines()

        def indent(part: str) -> int:
            line = next(line for line in lines if part in line)
            return len(line) - len(line.lstrip())

        assert indent(f"lipsync #{lipsync.id}") > indent(f"video #{video.id}")  # made from the video, not the image

        assert table.keys()[1] == f"image:{again.id}"
        await pilot.press("home", "down")  # the image made again says which job it came from
        await wait_for(pilot, lambda: f"regenerated from job #{image.job_id}" in text(), what="the regeneration")
