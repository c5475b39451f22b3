"""Bad inputs end with one line naming what was wrong and exit 2 (usage) or 3 (config/database), losing nothing."""
from __future__ import annotations

import json
import os
import sqlite3
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from pixflow_tui.cli import main
from pixflow_tui.config import load_settings
from pixflow_tui.store import Store
from pixflow_tui.store import postgres as store_postgres
from pixflow_tui.workflows.inputs import MAX_PIXELS, InputError, check_image_file, check_references


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("pixflow: ") and len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def png_declaring(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header declares `width` × `height` (never decoded in full by the checks)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00"))
                     + chunk(b"IEND", b""))
    return path


# ---------------------------------------------------------------------------------------------- huge images


def test_a_huge_reference_image_is_refused_by_name_and_size(tmp_path: Path) -> None:
    huge = png_declaring(tmp_path / "huge.png", 20_000, 20_000)  # beyond Pillow's own bomb limit
    with pytest.raises(InputError) as caught:
        check_references([str(huge)])
    message = str(caught.value)
    assert str(huge) in message and "400 megapixels" in message and "50 megapixels" in message


def test_an_image_just_over_the_limit_names_its_dimensions(tmp_path: Path) -> None:
    big = png_declaring(tmp_path / "big.png", 10_000, 6_000)  # under Pillow's limit, over ours
    assert 10_000 * 6_000 > MAX_PIXELS
    with pytest.raises(InputError, match="10000×6000 pixels, 60 megapixels"):
        check_image_file(big, what="source image")


def test_an_ordinary_image_still_passes(tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    Image.new("RGB", (64, 48), "red").save(small)
    assert check_image_file(small) == small.resolve()


def test_the_cli_refuses_a_huge_reference_with_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    huge = png_declaring(tmp_path / "huge.png", 20_000, 20_000)
    before = huge.read_bytes()
    code = main(["images", "generate", "--concept", "a red fox", "-n", "1", "--ref", str(huge), "--dry-run"])
    err = one_line_error(capsys)
    assert code == 2
    assert str(huge) in err and "megapixels" in err
    assert huge.read_bytes() == before


# ---------------------------------------------------------------------------------------------- settings


@pytest.mark.parametrize("url", ["bogus://x", "oracle://scott:tiger@db/orcl"])
def test_an_unknown_database_url_exits_3(monkeypatch: pytest.MonkeyPatch, capsys, url: str) -> None:
    monkeypatch.setenv("PIXFLOW_DATABASE_URL", url)
    assert main(["library", "history"]) == 3
    err = one_line_error(capsys)
    assert "database_url" in err.lower() and "unknown scheme" in err and "tiger" not in err


def test_an_empty_home_in_the_config_file_exits_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.delenv("PIXFLOW_HOME")
    config = Path(os.environ["PIXFLOW_CONFIG"])
    config.write_text('home = ""\n', encoding="utf-8")
    assert main(["doctor"]) == 3
    assert "home" in one_line_error(capsys)


def test_a_config_path_that_is_a_folder_exits_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "config-folder"
    folder.mkdir()
    monkeypatch.setenv("PIXFLOW_CONFIG", str(folder))
    assert main(["doctor"]) == 3
    assert str(folder) in one_line_error(capsys)


# ---------------------------------------------------------------------------------------------- database


def test_an_emptied_database_exits_3_and_stays_as_it_was(capsys) -> None:
    path = load_settings().database_path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    stamp = time.time() - 3600
    os.utime(path, (stamp, stamp))
    assert main(["library", "history"]) == 3
    err = one_line_error(capsys)
    assert "empty file" in err and "pixflow db restore" in err
    assert path.read_bytes() == b""


@pytest.fixture
def locked_library(capsys):
    """A library with one history entry and one job, while another process holds the write lock."""
    settings = load_settings()
    store = Store.open(settings)
    store.history.add(concept="still readable", prompts=[{"style": "x"}])
    store.close_thread_connection()
    holder = sqlite3.connect(settings.database_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE history SET concept = 'not committed'")
    capsys.readouterr()
    yield settings
    holder.rollback()
    holder.close()


@pytest.mark.parametrize("argv", [["library", "history"], ["library", "images"], ["library", "batches"],
                                  ["library", "assets"], ["jobs", "list"], ["doctor"]])
def test_read_only_commands_work_while_another_process_holds_the_write_lock(locked_library, capsys,
                                                                           argv: list[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    if argv == ["library", "history"]:
        assert "still readable" in out


def test_doctor_never_shows_a_database_password(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("PIXFLOW_DATABASE_URL", "postgresql://alice:s3cret-pw@127.0.0.1:1/pixflow")
    code = main(["doctor", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert "s3cret-pw" not in captured.out + captured.err
    assert json.loads(captured.out)["database"] == "postgresql://alice:***@127.0.0.1:1/pixflow"


def test_a_write_that_meets_a_held_lock_has_a_one_line_description(locked_library, monkeypatch) -> None:
    """What the CLI's main() prints for a write that waited out busy_timeout (see workflows.system)."""
    from pixflow_tui.store import sqlite as store_sqlite
    from pixflow_tui.workflows.system import database_failure

    monkeypatch.setitem(store_sqlite.PRAGMAS, "busy_timeout", 50)
    store = Store.open(locked_library)
    try:
        with pytest.raises(Exception) as caught:
            store.history.add(concept="waits", prompts=[{"style": "x"}])
    finally:
        store.close_thread_connection()
    message = database_failure(caught.value, locked_library)
    assert message is not None and "locked by another program" in message
    assert str(locked_library.database_path) in message and "\n" not in message
    assert database_failure(ValueError("not a database error"), locked_library) is None


def test_a_postgres_url_without_the_driver_exits_3_saying_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                                         capsys) -> None:
    monkeypatch.setattr(store_postgres, "driver_installed", lambda: False)  # the lock installs it for the tests
    monkeypatch.setenv("PIXFLOW_DATABASE_URL", "postgresql://alice:s3cret-pw@127.0.0.1:1/pixflow")
    assert main(["jobs", "list"]) == 3
    err = one_line_error(capsys)
    assert "pip install 'pixflow-tui[postgres]'" in err and "s3cret-pw" not in err
