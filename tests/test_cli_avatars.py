"""`pixflow avatars ...`, run in-process on the demo providers (zero latency); live runs against the fal emulator."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pixflow_tui.cli import main
from pixflow_tui.config import load_settings
from pixflow_tui.store import Store
from tests.cli_helpers import run, run_json




@pytest.fixture
def red_photo(tmp_path: Path) -> Path:
    path = tmp_path / "red portrait.png"
    Image.new("RGB", (360, 640), (200, 30, 30)).save(path)
    return path


def test_list_on_an_empty_gallery(capsys) -> None:
    code, out, err = run(capsys, "avatars", "list")
    assert code == 0 and "no avatars yet" in out and "pixflow avatars import" in out
    assert run_json(capsys, "avatars", "list") == (0, [])


def test_import_then_list(capsys, red_photo: Path) -> None:
    code, out, err = run(capsys, "avatars", "import", str(red_photo))
    assert code == 0 and "imported file:" in out, err
    assert red_photo.is_file()  # the original stays where it was
    code, listed = run_json(capsys, "avatars", "list")
    assert code == 0 and len(listed) == 1
    (avatar,) = listed
    folder = load_settings().avatars_folder
    assert avatar["source"] == "curated" and avatar["name"] == "red portrait"
    assert Path(avatar["path"]).parent == folder and avatar["key"] == f"file:{avatar['path']}"
    code, out, err = run(capsys, "avatars", "list")
    assert code == 0 and "curated" in out and "red portrait" in out
    # a second import of the same name gets a new name, never overwrites
    code, result = run_json(capsys, "avatars", "import", str(red_photo))
    assert code == 0 and result["imported"][0]["name"] == "red portrait 2"


def test_import_of_a_text_file_names_it(capsys, tmp_path: Path, red_photo: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    code, out, err = run(capsys, "avatars", "import", str(notes))
    assert code == 2 and str(notes) in err and "not an image" in err
    assert len(err.strip().splitlines()) == 1
    # with a good image alongside, the good one is imported and the bad one named
    code, out, err = run(capsys, "avatars", "import", str(red_photo), str(notes))
    assert code == 2 and "red portrait" in out and str(notes) in err
    assert [a["name"] for a in run_json(capsys, "avatars", "list")[1]] == ["red portrait"]


def test_generate_two_demo_avatars_then_list_and_check(capsys) -> None:
    code, out, err = run(capsys, "avatars", "generate", "--gender", "female", "--age", "adult", "-n", "2")
    assert code == 0, err  # demo work costs nothing: no --yes needed
    assert "2/2 avatars (demo output)" in out and out.count("image:") == 2
    code, listed = run_json(capsys, "avatars", "list", "--check")
    assert code == 0 and len(listed) == 2
    assert {a["source"] for a in listed} == {"generated"} and all(a["green"] for a in listed)
    for avatar in listed:
        assert Path(avatar["path"]).is_file()
        code, out, err = run(capsys, "avatars", "check", avatar["key"])
        assert code == 0 and "green box: yes" in out
    code, result = run_json(capsys, "avatars", "check", listed[0]["path"])  # a path works as well as a key
    assert code == 0 and result["green"] is True and result["key"] == listed[0]["key"]


def test_generate_json_and_dry_run(capsys) -> None:
    code, plan = run_json(capsys, "avatars", "generate", "--gender", "male", "--age", "senior", "--outfit",
                          "business", "-n", "3", "--dry-run")
    assert code == 0 and plan["dry_run"] is True and plan["cost_estimate"] == 0
    assert plan["avatar"]["outfit"] == "business"
    assert Store.open(load_settings()).batches.list() == []
    code, summary = run_json(capsys, "avatars", "generate", "--gender", "male", "--age", "senior")
    assert code == 0 and summary["done"] == summary["total"] == 1
    assert [a["green"] for a in summary["avatars"]] == [True]


@pytest.mark.parametrize("args, message", [
    (["--gender", "robot", "--age", "adult"], "invalid choice: 'robot'"),
    (["--gender", "female", "--age", "teen"], "invalid choice: 'teen'"),
    (["--gender", "female", "--age", "adult", "--outfit", "gown"], "invalid choice: 'gown'"),
])
def test_generate_choices_come_from_the_option_lists(capsys, args: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["avatars", "generate", *args])
    assert exited.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["-n", "5"], "1–4 avatars"),
    (["-n", "0"], "1–4 avatars"),
    (["--reference", "/no/such.png"], "/no/such.png does not exist"),
])
def test_generate_bad_input_is_one_line(capsys, args: list[str], message: str) -> None:
    code, out, err = run(capsys, "avatars", "generate", "--gender", "female", "--age", "adult", *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_live_generate_without_yes_and_no_terminal_writes_nothing(capsys, live_cli) -> None:
    code, out, err = run(capsys, "avatars", "generate", "--gender", "female", "--age", "adult", "-n", "2")
    assert code == 2 and "add --yes" in err
    store = Store.open(load_settings())
    assert store.batches.list() == [] and store.jobs.list() == []
    assert not (load_settings().outputs_dir / "avatar_studio").exists()


def test_live_over_the_budget_cap_exits_4(capsys, monkeypatch, live_cli, red_photo: Path) -> None:
    monkeypatch.setenv("PIXFLOW_BUDGET_CAP", "0.01")
    code, out, err = run(capsys, "avatars", "generate", "--gender", "female", "--age", "adult", "-n", "4", "--yes")
    assert code == 4 and "budget cap of $0.01" in err
    code, out, err = run(capsys, "avatars", "green", str(red_photo), "--yes")
    assert code == 4 and "budget cap" in err
    assert Store.open(load_settings()).jobs.list() == []


def test_green_version_of_a_red_image(capsys, red_photo: Path) -> None:
    code, out, err = run(capsys, "avatars", "import", str(red_photo))
    assert code == 0
    (original,) = run_json(capsys, "avatars", "list")[1]
    code, out, err = run(capsys, "avatars", "check", original["key"])
    assert code == 1 and "green box: no" in out and "green-box version" in out
    code, summary = run_json(capsys, "avatars", "green", original["key"])
    assert code == 0 and summary["done"] == 1, summary
    (made,) = summary["avatars"]
    assert made["source"] == "generated" and made["green"] is True
    code, out, err = run(capsys, "avatars", "check", made["key"])
    assert code == 0 and "green box: yes" in out
    listed = run_json(capsys, "avatars", "list")[1]
    assert {a["key"] for a in listed} == {original["key"], made["key"]}  # the original is kept
    (job,) = summary["jobs"]
    shown = run_json(capsys, "jobs", "show", str(job["job_id"]))[1]
    assert shown["request"]["files"]["image_urls"] == [original["path"]]


def test_mark_a_library_image_and_bad_keys(capsys, red_photo: Path) -> None:
    code, out, err = run(capsys, "avatars", "mark", "999")
    assert code == 2 and "there is no image 999" in err
    code, out, err = run(capsys, "avatars", "check", "image:12345")
    assert code == 2 and "there is no avatar image:12345" in err
    code, out, err = run(capsys, "avatars", "green", "/no/such.png")
    assert code == 2 and "there is no avatar /no/such.png" in err
    code, out, err = run(capsys, "avatars", "check", str(red_photo))  # any image file can be checked
    assert code == 1 and "green box: no" in out


def test_mark_an_image_from_another_module(capsys) -> None:
    code, summary = run_json(capsys, "images", "generate", "--concept", "portrait of a baker", "-n", "1",
                             "--resolution", "1K")
    assert code == 0 and summary["done"] == 1
    store = Store.open(load_settings())
    (image,) = store.images.list()
    code, marked = run_json(capsys, "avatars", "mark", str(image.id))
    assert code == 0 and marked["key"] == f"image:{image.id}" and marked["source"] == "library"
    listed = run_json(capsys, "avatars", "list")[1]
    assert [(a["key"], a["source"]) for a in listed] == [(f"image:{image.id}", "library")]
    assert run_json(capsys, "avatars", "mark", str(image.id))[1] == marked  # marking twice changes nothing
    assert len(run_json(capsys, "avatars", "list")[1]) == 1


def test_a_tiny_image_in_the_gallery_does_not_break_list_check(capsys) -> None:
    folder = load_settings().avatars_folder
    folder.mkdir(parents=True)
    Image.new("RGB", (3000, 8), (0, 200, 0)).save(folder / "banner.png")
    code, listed = run_json(capsys, "avatars", "list", "--check")
    assert code == 0 and listed[0]["green"] is None and "too small" in listed[0]["green_text"]
    code, out, err = run(capsys, "avatars", "check", str(folder / "banner.png"))
    assert code == 2 and "too small" in err


def test_green_check_of_a_tiny_image_is_an_input_error(tmp_path: Path) -> None:
    from pixflow_tui.workflows.avatars import green_check
    from pixflow_tui.workflows.inputs import InputError

    path = tmp_path / "banner.png"
    Image.new("RGB", (3000, 8), (0, 200, 0)).save(path)
    with pytest.raises(InputError):
        green_check(path)


def test_live_generate_with_yes_goes_through_the_door(capsys, live_cli) -> None:
    code, summary = run_json(capsys, "avatars", "generate", "--gender", "female", "--age", "adult", "-n", "2",
                             "--yes")
    assert code == 0 and summary["done"] == summary["total"] == 2 and summary["demo"] is False
    assert {job["provider"] for job in summary["jobs"]} == {"fal"} and summary["cost_estimate"] > 0
    assert len(summary["avatars"]) == 2 and {a["source"] for a in summary["avatars"]} == {"generated"}


def test_marking_a_generated_avatar_answers_as_the_gallery_shows_it(capsys) -> None:
    code, summary = run_json(capsys, "avatars", "generate", "--gender", "female", "--age", "adult")
    (made,) = summary["avatars"]
    code, marked = run_json(capsys, "avatars", "mark", str(made["image_id"]))
    (listed,) = run_json(capsys, "avatars", "list")[1]
    assert marked["source"] == listed["source"] == "generated"
