"""The Library's CLI twins, in-process: listings with filters and search, rate, export, presets, edits."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pixflow_tui.cli import main
from pixflow_tui.config import load_settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import Store
from tests.cli_helpers import run, run_json




@pytest.fixture
def library(tmp_path: Path) -> dict[str, object]:
    store = Store.open(load_settings())
    batch = store.batches.create(module="asset_monster", name="fox run", concept="red fox")
    images = []
    for n, (concept, style) in enumerate([("red fox in snow", "golden hour silk"), ("blue whale", "violet dusk"),
                                          ("red fox at night", "neon rain")]):
        job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="demo-image", request={},
                                batch_id=batch.id if n != 1 else None)
        path = tmp_path / f"img{n}.png"
        Image.new("RGB", (24, 32), (200, 40 * n, 10)).save(path)
        images.append(store.images.add(job_id=job.id, local_path=str(path), file_name=path.name, concept=concept,
                                       prompt={"style": style}, batch_id=job.batch_id, model="demo-image"))
    video = store.assets.add(kind="video", local_path=str(tmp_path / "v.mp4"), prompt="slow push in",
                             source_image=images[0].id, metadata={"concept": "red fox in snow"})
    history = store.history.add(concept="red fox", prompts=[{"style": "a"}, {"style": "b"}])
    favorite = store.favorites.add(prompt={"style": "silk"}, name="Silk look")
    store.close_thread_connection()
    return {"images": images, "video": video, "batch": batch, "history": history, "favorite": favorite}


def test_images_listing_with_search_rating_and_limit(capsys, library) -> None:
    images = library["images"]
    code, rows = run_json(capsys, "library", "images")
    assert code == 0 and [r["id"] for r in rows] == [i.id for i in reversed(images)]
    code, rows = run_json(capsys, "library", "images", "-q", "fox")
    assert [r["id"] for r in rows] == [images[2].id, images[0].id]
    code, rows = run_json(capsys, "library", "images", "--limit", "1")
    assert len(rows) == 1
    code, out, _ = run(capsys, "rate", str(images[1].id), "like")
    assert code == 0 and "like" in out
    code, rows = run_json(capsys, "library", "images", "--rating", "like")
    assert [r["id"] for r in rows] == [images[1].id] and rows[0]["rating"] == 1
    code, rows = run_json(capsys, "library", "images", "--rating", "none")
    assert sorted(r["id"] for r in rows) == sorted([images[0].id, images[2].id])
    code, rows = run_json(capsys, "library", "images", "--batch", str(library["batch"].id), "-q", "neon")
    assert [r["id"] for r in rows] == [images[2].id]
    code, out, err = run(capsys, "library", "images", "--limit", "0")
    assert code == 2 and "--limit" in err
    code, out, err = run(capsys, "library", "images", "--dates", "yesterday-ish")
    assert code == 2 and "not a date" in err


LEAN_PROBE = """
import contextlib, io, json, sys
from pixflow_tui.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "pydantic", "PIL", "asyncio", "peewee", "logging",
                                                        "playhouse", "zipfile"})
ours = sorted(m for m in sys.modules if m in {"pixflow_tui.store.opened", "pixflow_tui.store.models",
                                              "pixflow_tui.store.library_pages", "pixflow_tui.workflows.context",
                                              "pixflow_tui.workflows.cli_support"})
print("PROBE " + json.dumps({"code": code, "rows": len(json.loads(out.getvalue())), "heavy": heavy, "ours": ours}))
"""


@pytest.mark.parametrize("argv", [["library", "images", "--json"], ["jobs", "list", "--json"]], ids=" ".join)
def test_a_listing_loads_no_ui_validation_imaging_event_loop_or_store_set_up(library, argv: list[str]) -> None:
    """`library images --json` and `jobs list --json` read and print: no Textual, pydantic, Pillow or asyncio (each
    costs start-up), and, the library being current, neither peewee, logging, the store's set-up nor the
    AppContext (the quick read path: workflows/quick_reads.py)."""
    result = subprocess.run([sys.executable, "-c", LEAN_PROBE, *argv], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ), stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("PROBE "))
    probe = json.loads(line[len("PROBE "):])
    assert probe == {"code": 0, "rows": len(library["images"]), "heavy": [], "ours": []}  # one job per image


LISTINGS = [["library", "images"], ["library", "images", "--json"], ["library", "assets", "--json"],
            ["library", "assets", "--kind", "video"], ["library", "images", "--rating", "none", "--json"],
            ["library", "assets", "--concept", "fox", "--limit", "2", "--json"],
            ["library", "images", "--made-by", "nobody"], ["library", "images", "--tag", "none-such"],
            ["library", "history"], ["library", "history", "--json"], ["library", "favorites", "--json"],
            ["library", "favorites"], ["library", "batches"], ["library", "batches", "--json", "-q", "fox"],
            ["library", "batches", "--tag", "none-such", "--json"], ["jobs", "list"], ["jobs", "list", "--json"],
            ["jobs", "list", "--status", "pending", "--limit", "2", "--json"]]
QUICK = (("library", "quick_outputs"), ("library", "quick_history"), ("library", "quick_favorites"),
         ("library", "quick_batches"), ("jobs", "quick_jobs"))


@pytest.mark.parametrize("argv", LISTINGS, ids=" ".join)
def test_a_listing_prints_the_same_read_quickly_or_through_the_store(capsys, monkeypatch, library,
                                                                      argv: list[str]) -> None:
    """The quick read (the file alone) and the store print the same, byte for byte, errors included."""
    import importlib

    taken: list[bool] = []
    for module, name in QUICK:
        cli_module = importlib.import_module(f"pixflow_tui.cli.{module}")

        def watched(*args: object, quick: Any = getattr(cli_module, name)) -> object:
            found = quick(*args)
            taken.append(found is not None)
            return found

        monkeypatch.setattr(cli_module, name, watched)
    quick = run(capsys, *argv)
    assert taken == ([] if "nobody" in argv else [True])  # an unknown person: the quick read raised the error
    for module, name in QUICK:
        monkeypatch.setattr(importlib.import_module(f"pixflow_tui.cli.{module}"), name, lambda *args: None)
    assert run(capsys, *argv) == quick
    assert quick[0] == (1 if "nobody" in argv else 0)


def test_assets_listing_includes_videos(capsys, library) -> None:
    code, rows = run_json(capsys, "library", "assets", "--kind", "video")
    assert code == 0 and [r["key"] for r in rows] == [f"asset:{library['video'].id}"]
    assert rows[0]["concept"] == "red fox in snow" and rows[0]["source_image_id"] == library["images"][0].id
    code, rows = run_json(capsys, "library", "assets", "-q", "push")
    assert [r["kind"] for r in rows] == ["video"]


def test_rate_errors_and_clear(capsys, library) -> None:
    image = library["images"][0]
    assert run(capsys, "rate", str(image.id), "dislike")[0] == 0
    code, data = run_json(capsys, "rate", str(image.id), "clear")
    assert code == 0 and data == {"image_id": image.id, "rating": None}
    code, out, err = run(capsys, "rate", "9999", "like")
    assert code == 1 and "no image 9999" in err
    with pytest.raises(SystemExit) as exited:
        main(["rate", str(image.id), "meh"])
    assert exited.value.code == 2


def test_show_prints_lineage(capsys, library) -> None:
    image = library["images"][0]
    code, data = run_json(capsys, "library", "show", str(image.id))
    assert code == 0 and data["key"] == f"image:{image.id}"
    assert [n["kind"] for n in data["lineage"]["made_into"]] == ["video"]
    assert data["lineage"]["made_from"][0] == {"kind": "concept", "label": "red fox in snow", "key": None,
                                               "depth": 0}
    code, out, _ = run(capsys, "library", "show", f"asset:{library['video'].id}")
    assert code == 0 and "made from:" in out and f"image #{image.id}" in out
    assert run(capsys, "library", "show", "bogus")[0] == 2
    assert run(capsys, "library", "show", "image:424242")[0] == 1


def test_history_favorites_and_batches(capsys, library) -> None:
    code, rows = run_json(capsys, "library", "history")
    assert code == 0 and [(r["concept"], r["prompt_count"]) for r in rows] == [("red fox", 2)]
    code, out, err = run(capsys, "library", "history", "--clear")
    assert code == 2 and "--yes" in err
    code, rows = run_json(capsys, "library", "favorites", "-q", "silk")
    assert [r["name"] for r in rows] == ["Silk look"]
    favorite_id = str(library["favorite"].id)
    assert run(capsys, "library", "favorites", "--rename", favorite_id, "Velvet look")[0] == 0
    code, rows = run_json(capsys, "library", "favorites")
    assert [r["name"] for r in rows] == ["Velvet look"]
    assert run(capsys, "library", "favorites", "--delete", favorite_id)[0] == 0
    assert run(capsys, "library", "favorites", "--delete", favorite_id)[0] == 1
    batch_id = str(library["batch"].id)
    code, data = run_json(capsys, "library", "batches", "--add-tag", batch_id, "client-a")
    assert code == 0 and data["tags"] == ["client-a"]
    code, rows = run_json(capsys, "library", "batches", "--tag", "client-a")
    assert [(r["id"], r["outputs"]) for r in rows] == [(library["batch"].id, 2)]  # two of the three images
    assert run(capsys, "library", "batches", "--remove-tag", batch_id, "client-b")[0] == 1
    assert run(capsys, "library", "batches", "--remove-tag", batch_id, "client-a")[0] == 0
    assert run_json(capsys, "library", "batches", "--tag", "client-a")[1] == []
    assert run(capsys, "library", "history", "--delete", str(library["history"].id))[0] == 0
    assert run(capsys, "library", "history", "--clear", "--yes")[0] == 0
    assert run_json(capsys, "library", "history")[1] == []


def test_export_by_ids_and_by_batch(capsys, library, tmp_path: Path) -> None:
    images = library["images"]
    target = tmp_path / "out" / "two.zip"
    code, data = run_json(capsys, "export", str(images[0].id), str(images[1].id), "-o", str(target))
    assert code == 0 and data["files"] == 2
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("prompts.json"))
        assert sorted(archive.namelist()) == ["images/img0.png", "images/img1.png", "prompts.json"]
    assert [e["image_id"] for e in manifest["images"]] == [images[0].id, images[1].id]
    code, data = run_json(capsys, "export", "--batch", str(library["batch"].id), "-o", str(tmp_path / "b.zip"))
    assert code == 0 and data["files"] == 2
    assert run(capsys, "export", "-o", str(tmp_path / "x.zip"))[0] == 2
    assert run(capsys, "export", "999", "-o", str(tmp_path / "x.zip"))[0] == 1
    Path(images[0].local_path).unlink()
    code, out, _ = run(capsys, "export", str(images[0].id), "-o", str(tmp_path / "m.zip"))
    assert code == 1 and "missing file" in out


def test_presets_export_and_import(capsys, tmp_path: Path) -> None:
    store = Store.open(load_settings())
    store.presets.create(name="Teal grade", kind="prompt", data={"style": "teal"})
    store.presets.create(name="Slow push", kind="video", data={"movements": ["push in"]})
    store.close_thread_connection()
    target = tmp_path / "presets.json"
    code, data = run_json(capsys, "presets", "export", str(target), "--kind", "video")
    assert code == 0 and data["presets"] == 1
    assert [p["name"] for p in json.loads(target.read_text())["presets"]] == ["Slow push"]
    code, data = run_json(capsys, "presets", "import", str(target))
    assert code == 0 and [p["name"] for p in data["imported"]] == ["Slow push"]
    code, listed = run_json(capsys, "presets", "list", "--kind", "video")
    assert [p["name"] for p in listed] == ["Slow push", "Slow push"]
    bad = tmp_path / "bad.json"
    bad.write_text("{\"format\": \"other\"}")
    code, out, err = run(capsys, "presets", "import", str(bad))
    assert code == 1 and "not a Pixflow presets file" in err


def test_search_over_history_and_batches(capsys, library) -> None:
    store = Store.open(load_settings())
    store.history.add(concept="blue whale", prompts=[{"style": "deep sea"}])
    store.batches.create(module="img2video", name="whale videos", concept="blue whale")
    store.close_thread_connection()
    assert [r["concept"] for r in run_json(capsys, "library", "history", "-q", "whale")[1]] == ["blue whale"]
    assert [r["concept"] for r in run_json(capsys, "library", "history", "-q", "fox")[1]] == ["red fox"]
    assert [r["name"] for r in run_json(capsys, "library", "batches", "-q", "whale")[1]] == ["whale videos"]


def test_bad_files_and_folders_fail_with_a_clear_message(capsys, library, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    code, _, err = run(capsys, "export", str(library["images"][0].id), "-o", str(blocked / "x.zip"))
    assert code == 1 and "cannot write" in err and str(blocked / "x.zip") in err
    code, _, err = run(capsys, "presets", "export", str(blocked / "presets.json"))
    assert code == 1 and "cannot write" in err
    code, _, err = run(capsys, "presets", "import", str(tmp_path / "nowhere.json"))
    assert code == 1 and "cannot read" in err and "nowhere.json" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{\"format\": \"pixflow-presets\", \"presets\": [")
    code, _, err = run(capsys, "presets", "import", str(broken))
    assert code == 1 and "is not a presets file" in err
    assert run_json(capsys, "presets", "list")[1] == []  # nothing was imported


def test_images_made_by_and_rated_by_a_person(capsys, library) -> None:
    images = library["images"]
    me = load_settings().user
    assert run(capsys, "--user", "bob", "rate", str(images[1].id), "dislike")[0] == 0  # Bob rates my image
    code, rows = run_json(capsys, "--user", "bob", "library", "images")
    assert code == 0 and [r["id"] for r in rows] == [i.id for i in reversed(images)]  # shared with Bob
    code, rows = run_json(capsys, "library", "images", "--rated-by", "bob")
    assert code == 0 and [(r["id"], r["rating"]) for r in rows] == [(images[1].id, None)]  # my rating: none
    code, rows = run_json(capsys, "library", "images", "--made-by", me)
    assert code == 0 and len(rows) == 3
    code, rows = run_json(capsys, "library", "images", "--made-by", "bob")
    assert code == 0 and rows == []
    code, out, err = run(capsys, "library", "images", "--rated-by", "zed")
    assert code == 1 and "rated by 'zed'" in err and "bob" in err
