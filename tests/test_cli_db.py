"""`pixflow db check|backup|restore`: reports, exit codes, and that nothing is lost or changed by mistake."""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from pixflow_tui.cli import db as db_cli
from pixflow_tui.cli import main
from pixflow_tui.config import Settings, load_settings
from pixflow_tui.store import LATEST_VERSION, backups_folder
from tests.cli_helpers import run, run_json




GENERATED = "a red fox"  # the library fixture's own history entry


def history(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The concepts of the history entries the test added."""
    code, entries = run_json(capsys, "library", "history")
    assert code == 0
    return sorted(entry["concept"] for entry in entries if entry["concept"] != GENERATED)


def sql(settings: Settings, statement: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(settings.database_path)
    with conn:
        conn.execute(statement, params)
    conn.close()


def age(path: Path, seconds: float) -> None:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


@pytest.fixture
def library(capsys: pytest.CaptureFixture[str]) -> Settings:
    """A library with one finished demo batch of two images (files, sidecars and rows)."""
    assert main(["images", "generate", "--concept", GENERATED, "-n", "2", "--yes"]) == 0
    capsys.readouterr()
    return load_settings()


def image_paths(settings: Settings) -> list[Path]:
    with sqlite3.connect(settings.database_path) as conn:
        return [Path(row[0]) for row in conn.execute("SELECT local_path FROM generated_images ORDER BY id")]


def add_history(settings: Settings, concept: str) -> None:
    sql(settings, "INSERT INTO history (user_id, concept, prompts, prompt_count, source, created_at) "
                  "VALUES (1, ?, '[]', 0, 'generate', '2024-01-01')", (concept,))


# ---------------------------------------------------------------------------------------------- check


def test_check_of_a_sound_library_exits_0(library: Settings, capsys) -> None:
    assert len(image_paths(library)) == 2
    code, out, _ = run(capsys, "db", "check")
    assert code == 0
    assert "integrity          ok" in out and out.strip().endswith("no problems found")
    code, report = run_json(capsys, "db", "check")
    assert code == 0 and report["ok"] is True and report["problems"] == 0


def test_check_finds_every_kind_of_problem(library: Settings, capsys) -> None:
    folder = image_paths(library)[0].parent
    gone = image_paths(library)[1]
    gone.unlink()
    stray = folder / "stray.jpg"
    stray.write_bytes(b"not known to the database")
    old_part = folder / ".b00001_009.jpg.abc.part"
    old_part.write_bytes(b"half a download")
    age(old_part, 2 * 3600)
    young_part = folder / ".b00001_010.jpg.def.part"
    young_part.write_bytes(b"a download in progress")
    conn = sqlite3.connect(library.database_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    with conn:
        conn.execute("INSERT INTO image_ratings (user_id, image_id, rating, rated_at, updated_at) "
                     "VALUES (1, 999, 1, '2024-01-01', '2024-01-01')")
    conn.close()

    code, report = run_json(capsys, "db", "check")
    assert code == 1 and report["ok"] is False
    assert report["orphans"] == {"image_ratings.image_id": 1}
    assert report["leftover_parts"] == [str(old_part)]
    assert report["recent_parts"] == [str(young_part)]
    assert report["untracked_files"] == [str(stray)]
    assert {(m["table"], m["path"]) for m in report["missing_files"]} == {
        ("generated_images", str(gone)), ("jobs", str(gone))}
    assert report["problems"] == 3 + len(report["missing_files"])

    code, out, _ = run(capsys, "db", "check")
    assert code == 1
    for expected in ("image_ratings.image_id: 1", str(old_part), "--fix", str(stray), str(gone), "problems found"):
        assert expected in out
    assert old_part.exists() and young_part.exists() and stray.exists()  # a check changes nothing


def test_check_fix_removes_only_old_part_files(library: Settings, capsys) -> None:
    folder = image_paths(library)[0].parent
    old_part, young_part, stray = folder / ".a.part", folder / ".b.part", folder / "stray.png"
    for file in (old_part, young_part, stray):
        file.write_bytes(b"x")
    age(old_part, 2 * 3600)
    age(stray, 2 * 3600)

    code, report = run_json(capsys, "db", "check", "--fix")
    assert report["removed_parts"] == [str(old_part)] and report["leftover_parts"] == []
    assert code == 1  # the stray file is still a problem, left for a person to judge
    assert not old_part.exists() and young_part.exists() and stray.exists()
    assert all(path.exists() for path in image_paths(library))

    stray.unlink()
    assert run(capsys, "db", "check", "--fix")[0] == 0


def test_check_reports_a_damaged_index(library: Settings, capsys) -> None:
    conn = sqlite3.connect(library.database_path)
    with conn:
        conn.execute("CREATE TABLE zz (a, b)")
        conn.execute("CREATE INDEX zz_i ON zz (a)")
        conn.executemany("INSERT INTO zz VALUES (?, ?)", [(i, -i) for i in range(20)])
    with conn:
        conn.execute("PRAGMA writable_schema = 1")
        conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX zz_i ON zz (b)' WHERE name = 'zz_i'")
    conn.close()
    code, report = run_json(capsys, "db", "check")
    assert code == 1 and any("zz_i" in line for line in report["integrity"])


def test_check_of_an_emptied_database_is_a_problem_not_a_new_library(capsys) -> None:
    path = load_settings().database_path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    age(path, 3600)
    code, out, _ = run(capsys, "db", "check")
    assert code == 1 and "PROBLEM: " in out and "empty file" in out
    assert path.read_bytes() == b""


# ---------------------------------------------------------------------------------------------- backup


def test_backup_defaults_to_a_timestamped_file_in_the_backups_folder(library: Settings, capsys) -> None:
    add_history(library, "kept in the backup")
    code, result = run_json(capsys, "db", "backup")
    assert code == 0
    made = Path(result["backup"])
    assert made.parent == backups_folder(library)
    assert made.name.startswith("pixflow-") and made.name.endswith("Z.db")
    with sqlite3.connect(made) as conn:
        assert conn.execute("SELECT concept FROM history ORDER BY id").fetchall() == [(GENERATED,), ("kept in the backup",)]
        assert conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == LATEST_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(made.parent.glob("*.part"))


def test_backup_to_a_path_never_overwrites(library: Settings, tmp_path: Path, capsys) -> None:
    target = tmp_path / "mine.db"
    assert run(capsys, "db", "backup", str(target))[0] == 0 and target.is_file()
    first = target.read_bytes()
    code, _, err = run(capsys, "db", "backup", str(target))
    assert code == 2 and "already exists" in err and target.read_bytes() == first
    folder = tmp_path / "folder"
    folder.mkdir()
    code, result = run_json(capsys, "db", "backup", str(folder))
    assert code == 0 and Path(result["backup"]).parent == folder


def test_backup_is_consistent_while_another_process_writes(library: Settings, capsys) -> None:
    add_history(library, "committed")
    holder = sqlite3.connect(library.database_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO history (user_id, concept, prompts, prompt_count, source, created_at) "
                   "VALUES (1, 'uncommitted', '[]', 0, 'generate', '2024-01-01')")
    try:
        code, result = run_json(capsys, "db", "backup")
    finally:
        holder.rollback()
        holder.close()
    assert code == 0
    with sqlite3.connect(result["backup"]) as conn:
        assert conn.execute("SELECT concept FROM history ORDER BY id").fetchall() == [(GENERATED,), ("committed",)]


def test_restore_is_sqlite_only(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("PIXFLOW_DATABASE_URL", "postgresql://alice:s3cret-pw@db.example/pixflow")
    code, _, err = run(capsys, "db", "restore", "x.db", "--yes")
    assert code == 3 and "only with SQLite" in err and len(err.strip().splitlines()) == 1
    assert "s3cret-pw" not in err


# ---------------------------------------------------------------------------------------------- restore


def test_restore_puts_a_backup_back_and_keeps_the_current_database(library: Settings, capsys) -> None:
    add_history(library, "before")
    code, result = run_json(capsys, "db", "backup")
    saved = result["backup"]
    add_history(library, "after")
    assert history(capsys) == ["after", "before"]

    code, result = run_json(capsys, "db", "restore", saved, "--yes")
    assert code == 0 and result["schema_version"] == LATEST_VERSION
    assert history(capsys) == ["before"]
    with sqlite3.connect(result["previous_backup"]) as conn:
        assert sorted(row[0] for row in conn.execute("SELECT concept FROM history")) == sorted(["after", "before", GENERATED])
    assert run(capsys, "db", "check")[0] == 0


def test_restore_needs_yes_when_there_is_no_terminal(library: Settings, capsys) -> None:
    add_history(library, "current")
    saved = run_json(capsys, "db", "backup")[1]["backup"]
    add_history(library, "newer")
    code, _, err = run(capsys, "db", "restore", saved)
    assert code == 2 and "--yes" in err
    assert history(capsys) == ["current", "newer"]


@pytest.mark.parametrize("answer, expected", [("n", 1), ("y", 0)])
def test_restore_asks_on_a_terminal(library: Settings, monkeypatch: pytest.MonkeyPatch, capsys,
                                    answer: str, expected: int) -> None:
    saved = run_json(capsys, "db", "backup")[1]["backup"]
    add_history(library, "newer")
    questions: list[str] = []
    monkeypatch.setattr(db_cli, "_on_terminal", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or answer)
    assert run(capsys, "db", "restore", saved)[0] == expected
    assert len(questions) == 1 and saved in questions[0]
    assert history(capsys) == (["newer"] if answer == "n" else [])


def make_foreign(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.db"
    if kind == "text":
        path.write_text("just some notes\n")
        return path
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        if kind == "newer":
            conn.execute("CREATE TABLE schema_migrations (version INTEGER, name TEXT, applied_at TEXT)")
            conn.execute("INSERT INTO schema_migrations VALUES (?, 'future', '2031-01-01')", (LATEST_VERSION + 1,))
    conn.close()
    return path


@pytest.mark.parametrize("kind, complaint", [("text", "not a SQLite database"), ("other", "not a Pixflow one"),
                                             ("newer", "upgrade Pixflow"), ("missing", "is not a file")])
def test_restore_refuses_what_is_not_a_supported_pixflow_database(library: Settings, tmp_path: Path, capsys,
                                                                  kind: str, complaint: str) -> None:
    add_history(library, "current")
    source = tmp_path / "missing.db" if kind == "missing" else make_foreign(tmp_path, kind)
    code, _, err = run(capsys, "db", "restore", str(source), "--yes")
    assert code == 2 and complaint in err and len(err.strip().splitlines()) == 1
    assert history(capsys) == ["current"]
    assert not backups_folder(library).exists() or not list(backups_folder(library).iterdir())


def test_restore_refuses_while_another_process_runs_jobs(library: Settings, capsys) -> None:
    saved = run_json(capsys, "db", "backup")[1]["backup"]
    add_history(library, "current")
    sql(library, "UPDATE jobs SET status = 'running', lease_owner = 'elsewhere:1:abcdef', lease_expires = ? "
                 "WHERE id = (SELECT MIN(id) FROM jobs)", (time.time() + 600,))
    code, _, err = run(capsys, "db", "restore", saved, "--yes")
    assert code == 1 and "another Pixflow process" in err and "nothing was changed" in err
    assert history(capsys) == ["current"]


def test_restore_recovers_an_emptied_database(library: Settings, capsys) -> None:
    add_history(library, "saved")
    saved = run_json(capsys, "db", "backup")[1]["backup"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{library.database_path}{suffix}").unlink(missing_ok=True)
    library.database_path.write_bytes(b"")
    age(library.database_path, 3600)
    assert main(["library", "history"]) == 3
    capsys.readouterr()

    code, result = run_json(capsys, "db", "restore", saved, "--yes")
    assert code == 0 and result["previous_backup"] is None  # an empty file holds nothing to keep
    assert history(capsys) == ["saved"]


def test_restoring_an_older_backup_upgrades_it_on_the_next_start(library: Settings, capsys) -> None:
    add_history(library, "old times")
    saved = Path(run_json(capsys, "db", "backup")[1]["backup"])
    conn = sqlite3.connect(saved)
    with conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (LATEST_VERSION,))
    conn.close()

    code, result = run_json(capsys, "db", "restore", str(saved), "--yes")
    assert code == 0 and result["schema_version"] == LATEST_VERSION - 1
    assert history(capsys) == ["old times"]  # opened, migrated, and backed up before the migration
    assert len(list(backups_folder(library).glob("pixflow-*-before-migration.db"))) == 1


def test_a_new_library_has_16_kb_pages_and_takes_back_a_backup_of_4_kb_pages(library: Settings, capsys) -> None:
    with sqlite3.connect(library.database_path) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384
    add_history(library, "small pages")
    saved = Path(run_json(capsys, "db", "backup")[1]["backup"])
    conn = sqlite3.connect(saved)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")  # a backup from a library made before the bigger pages
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    conn.close()
    add_history(library, "later")

    code, result = run_json(capsys, "db", "restore", str(saved), "--yes")
    assert code == 0
    assert history(capsys) == ["small pages"]
    with sqlite3.connect(library.database_path) as conn:  # resized on the way in: a WAL file keeps its page size
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert run(capsys, "db", "check")[0] == 0


# ---------------------------------------------------------------------------------------------- compact


def test_compact_gives_an_old_library_16_kb_pages_and_keeps_everything(library: Settings, capsys) -> None:
    add_history(library, "kept")
    conn = sqlite3.connect(library.database_path)
    conn.execute("PRAGMA journal_mode = delete")
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")  # a library made before the bigger pages
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE scratch AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                 "WHERE i < 20000) SELECT i, hex(randomblob(200)) AS filler FROM n")
    conn.execute("DROP TABLE scratch")  # space a delete left empty
    conn.commit()
    conn.close()

    code, result = run_json(capsys, "db", "compact")
    assert code == 0 and result["page_size"] == 16384
    assert result["bytes_after"] < result["bytes_before"]
    with sqlite3.connect(library.database_path) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert history(capsys) == ["kept"]
    assert run(capsys, "db", "check")[0] == 0


def test_compact_refuses_while_another_connection_has_the_database_open(library: Settings, capsys) -> None:
    other = sqlite3.connect(library.database_path)
    other.execute("BEGIN")
    other.execute("SELECT COUNT(*) FROM history").fetchone()  # another window reading
    try:
        code, out, err = run(capsys, "db", "compact")
    finally:
        other.close()
    assert code == 1 and "close it and compact again; nothing was changed" in err
    with sqlite3.connect(library.database_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
