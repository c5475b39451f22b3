"""Outputs carry their prompt where other image tools read it: a PNG `parameters` chunk (AUTOMATIC1111) before the
image data, EXIF UserComment and XMP in JPEG and WebP, Pixflow's JSON beside it; pixels are never re-encoded."""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from pixflow_tui.core.jobs import JobKind
from pixflow_tui.engine import embedded, outputs
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
from tests.cli_helpers import run_json
from tests.engine.conftest import prompts

PROMPT = "CRITICAL: a woman in a red silk scarf, Lighting: golden hour, soft"
METADATA: dict[str, Any] = {
    "app": "pixflow", "demo": False, "provider": "fal", "model": "fal-ai/nano-banana-pro", "job_id": 7,
    "batch_id": 3, "concept": "scarf ads",
    "settings": {"prompt": PROMPT, "aspect_ratio": "9:16", "resolution": "2K", "output_format": "png"},
}
# AUTOMATIC1111's own parser of the settings line (modules/infotext_utils.py), as image tools copy it
A1111_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "exif": "http://ns.adobe.com/exif/1.0/", "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def a1111_read(text: str) -> tuple[str, dict[str, str]]:
    """What AUTOMATIC1111's "PNG Info" makes of a parameters text: the prompt and the settings."""
    *prompt_lines, last = text.strip().split("\n")
    settings = {}
    for key, value in A1111_PARAM.findall(last):
        settings[key.strip()] = json.loads(value) if value.startswith('"') else value.strip()
    return "\n".join(prompt_lines), settings


def xmp_fields(packet: bytes | str) -> dict[str, str]:
    root = ET.fromstring(packet if isinstance(packet, bytes) else packet.encode())
    description = root.find("rdf:RDF/rdf:Description", NS)
    assert description is not None

    def text(path: str) -> str:
        node = description.find(path, NS)
        return "" if node is None else (node.text or "")

    alt = description.find("dc:description/rdf:Alt/rdf:li", NS)
    assert alt is not None and alt.get(XML_LANG) == "x-default"
    return {"description": text("dc:description/rdf:Alt/rdf:li"),
            "comment": text("exif:UserComment/rdf:Alt/rdf:li"), "tool": text("xmp:CreatorTool"),
            "label": text("xmp:Label"), "source": text("Iptc4xmpExt:DigitalSourceType")}


def user_comment(image: Image.Image) -> str:
    """Decode EXIF UserComment as exiftool does: an 8-byte character code, then the text (UNICODE: UTF-16 in
    the TIFF's byte order)."""
    raw = image.getexif().get_ifd(0x8769)[0x9286]
    code, body = raw[:8], raw[8:]
    assert code == b"UNICODE\x00"
    exif = image.info["exif"]
    tiff = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
    assert tiff[:2] == b"MM"  # big-endian, so readers that assume UTF-16BE (piexif, A1111) agree with exiftool
    return body.decode("utf-16-be")


def png_chunk_order(path: Path) -> list[tuple[bytes, bytes]]:
    data = path.read_bytes()
    offset, found = 8, []
    while offset < len(data) - 12:
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        key = data[offset + 8:offset + 8 + min(length, 40)].split(b"\x00")[0] if kind in (b"tEXt", b"iTXt") else b""
        found.append((kind, key))
        offset += 12 + length
    return found


def pixels(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.convert("RGBA").tobytes()


def test_png_gets_parameters_xmp_and_pixflow_json_before_the_image_data(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    info = PngInfo()
    info.add_text("Description", "Pixflow demo output")
    Image.new("RGB", (40, 60), (10, 200, 30)).save(path, pnginfo=info)
    before = pixels(path)

    assert outputs.embed_metadata(path, METADATA, outputs.sidecar_path(path), (40, 60)) is False
    assert not outputs.sidecar_path(path).exists() and pixels(path) == before
    order = png_chunk_order(path)
    first_data = order.index((b"IDAT", b""))
    for key in (b"parameters", b"XML:com.adobe.xmp", b"pixflow", b"Description"):
        assert order.index(next(c for c in order if c[1] == key)) < first_data, order
    with Image.open(path) as image:
        prompt, settings = a1111_read(image.text["parameters"])
        fields = xmp_fields(image.text["XML:com.adobe.xmp"])
        assert image.text["Description"] == "Pixflow demo output"
    assert prompt == PROMPT
    assert settings["Model"] == "fal-ai/nano-banana-pro" and settings["Provider"] == "fal"
    assert settings["Size"] == "40x60" and settings["Aspect ratio"] == "9:16" and settings["Concept"] == "scarf ads"
    assert settings["Pixflow job"] == "7" and settings["Version"].startswith("Pixflow ") and "Demo" not in settings
    assert fields["description"] == PROMPT and fields["comment"].startswith(PROMPT)
    assert fields["source"].endswith("/trainedAlgorithmicMedia") and fields["label"] == ""
    assert outputs.read_metadata(path) == METADATA


def _jpeg_with_exif(path: Path) -> None:
    exif = Image.Exif()
    exif[0x010E] = "Pixflow demo output"  # ImageDescription, as the demo provider writes it
    Image.new("RGB", (64, 48), (200, 120, 40)).save(path, "JPEG", quality=90, exif=exif.tobytes(),
                                                   comment=b"Pixflow demo output")


def test_jpeg_gets_exif_user_comment_and_xmp_keeping_its_tags(tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    _jpeg_with_exif(path)
    original = path.read_bytes()
    metadata = {**METADATA, "demo": True, "provider": "demo", "concept": "tea, at: dawn"}

    assert outputs.embed_metadata(path, metadata, outputs.sidecar_path(path), (64, 48)) is True
    after = path.read_bytes()
    tables = original.index(b"\xff\xdb")  # quantisation tables onwards: the compressed picture, byte for byte
    assert after.endswith(original[tables:])
    with Image.open(path) as image:
        prompt, settings = a1111_read(user_comment(image))
        assert image.getexif()[0x010E] == "Pixflow demo output"
        assert image.info["comment"] == b"Pixflow demo output"
        fields = xmp_fields(image.info["xmp"])
    assert prompt == PROMPT and settings["Concept"] == "tea, at: dawn"  # quoted, as A1111 does
    assert settings["Provider"] == "demo" and "demo" in settings["Demo"].lower()
    assert fields["label"] == embedded.DEMO_LABEL and fields["source"].endswith("/algorithmicMedia")
    assert json.loads(outputs.sidecar_path(path).read_text(encoding="utf-8")) == metadata

    # embedding again replaces Pixflow's segments instead of piling them up
    outputs.embed_metadata(path, metadata, outputs.sidecar_path(path), (64, 48))
    assert path.read_bytes() == after


@pytest.mark.parametrize("kind", ["lossy", "lossless-alpha", "extended"])
def test_webp_gets_exif_and_xmp_chunks(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x.webp"
    mode = "RGBA" if kind == "lossless-alpha" else "RGB"
    picture = Image.new(mode, (30, 20), (40, 90, 200, 128) if mode == "RGBA" else (40, 90, 200))
    extra: dict[str, Any] = {"exif": b"Exif\x00\x00" + _old_exif()} if kind == "extended" else {}
    picture.save(path, "WEBP", lossless=kind == "lossless-alpha", quality=80, **extra)
    before = pixels(path)

    assert outputs.embed_metadata(path, {**METADATA, "settings": {**METADATA["settings"], "output_format": "webp"}},
                                  outputs.sidecar_path(path), (30, 20)) is True
    assert pixels(path) == before
    data = path.read_bytes()
    assert data[12:16] == b"VP8X" and data[20] & 0x0C == 0x0C  # extended, with EXIF and XMP flags
    assert bool(data[20] & 0x10) == (kind == "lossless-alpha")
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    with Image.open(path) as image:
        image.load()
        prompt, settings = a1111_read(user_comment(image))
        assert xmp_fields(image.info["xmp"])["description"] == PROMPT
        if kind == "extended":
            assert image.getexif()[0x0131] == "old software"
    assert prompt == PROMPT and settings["Format"] == "webp"


def _old_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0131] = "old software"
    data = exif.tobytes()
    return data[6:] if data.startswith(b"Exif\x00\x00") else data


def test_anything_else_keeps_its_bytes_and_gets_the_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "x.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(100))
    before = path.read_bytes()
    assert outputs.embed_metadata(path, METADATA, outputs.sidecar_path(path)) is True
    assert path.read_bytes() == before and outputs.read_metadata(path) == METADATA
    assert not list(tmp_path.glob("*.tags*"))


def test_demo_outputs_carry_the_prompt_and_stay_labelled_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run_json(capsys, "images", "generate", "--concept", "lemonade stand", "-n", "1",
                            "--format", "webp", "--resolution", "1K", "--yes")
    assert code == 0, result
    path = Path(result["jobs"][0]["output_path"])
    assert path.suffix == ".webp"
    with Image.open(path) as image:
        image.load()
        prompt, settings = a1111_read(user_comment(image))
        fields = xmp_fields(image.info["xmp"])
        assert image.getexif()[0x010E] == "Pixflow demo output"  # the demo provider's own mark is kept
    assert prompt and fields["description"] == prompt
    assert settings["Provider"] == "demo" and settings["Demo"] == embedded.DEMO_LABEL
    assert fields["label"] == embedded.DEMO_LABEL
    assert outputs.read_metadata(path)["demo"] is True


async def test_live_png_and_jpeg_outputs_carry_the_prompt(live_ctx: AppContext) -> None:
    for fmt in ("png", "jpeg"):
        batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1, fmt), output_format=fmt,
                                                              resolution="1K", concept=f"{fmt} concept"))
        await live_ctx.run_jobs(batch_ids=[batch.id])
        (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
        (row,) = live_ctx.store.images.for_job(job.id)
        with Image.open(row.local_path) as image:
            text = image.text["parameters"] if fmt == "png" else user_comment(image)
        prompt, settings = a1111_read(text)
        assert prompt.startswith(f"CRITICAL: {fmt} number 0") and settings["Provider"] == "fal"
        assert settings["Concept"] == f"{fmt} concept" and "Demo" not in settings


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")
def test_exiftool_reads_what_pixflow_writes(tmp_path: Path) -> None:
    written = {}
    for name, save in (("x.png", {"format": "PNG"}), ("x.jpg", {"format": "JPEG"}), ("x.webp", {"format": "WEBP"})):
        path = tmp_path / name
        Image.new("RGB", (16, 16), (1, 2, 3)).save(path, **save)
        outputs.embed_metadata(path, METADATA, outputs.sidecar_path(path), (16, 16))
        written[name] = path
    report = json.loads(subprocess.run(["exiftool", "-j", "-G", *map(str, written.values())],
                                       capture_output=True, text=True, check=True).stdout)
    by_file = {Path(entry["SourceFile"]).name: entry for entry in report}
    assert by_file["x.png"]["PNG:Parameters"].startswith(PROMPT)
    for name in ("x.jpg", "x.webp"):
        assert by_file[name]["EXIF:UserComment"].startswith(PROMPT), by_file[name]
        assert by_file[name]["XMP:Description"] == PROMPT
    assert not [entry["ExifTool:Warning"] for entry in report if "ExifTool:Warning" in entry]


def test_a_head_the_writers_cannot_follow_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    Image.new("RGB", (16, 16)).save(path, "JPEG")
    broken = path.read_bytes()[:2] + b"\xff\xe1\xff\xf0Exif\x00\x00short"  # an APP1 longer than the file
    path.write_bytes(broken)
    assert outputs.embed_metadata(path, METADATA, outputs.sidecar_path(path), (16, 16)) is True
    assert path.read_bytes() == broken and outputs.read_metadata(path) == METADATA
    assert not list(tmp_path.glob("*.tags*"))


def test_a_huge_exif_of_its_own_is_replaced_by_ours_rather_than_overflowing(tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    exif = Image.Exif()
    exif[0x010E] = "x" * 65_000  # ImageDescription filling the segment
    Image.new("RGB", (16, 16)).save(path, "JPEG", exif=exif.tobytes())
    before = path.stat().st_size
    outputs.embed_metadata(path, METADATA, outputs.sidecar_path(path), (16, 16))
    with Image.open(path) as image:
        assert a1111_read(user_comment(image))[0] == PROMPT
    assert path.stat().st_size < before - 60_000  # rewritten in place, and cut to its new length


def test_one_worker_trip_checks_thumbnails_and_tags_a_download(tmp_path: Path) -> None:
    path, thumb = tmp_path / "x.jpg", tmp_path / "thumbs" / "x.jpg"
    Image.new("RGB", (1200, 800), (9, 99, 199)).save(path, "JPEG")
    info, problem = outputs.check_tag_and_thumbnail(path, JobKind.IMAGE, thumb, METADATA, outputs.sidecar_path(path))
    assert (info.width, info.height, problem) == (1200, 800, None)
    with Image.open(thumb) as small:
        assert max(small.size) == outputs.THUMBNAIL_SIZE[0]
    with Image.open(path) as image:
        assert a1111_read(user_comment(image))[0] == PROMPT and image.size == (1200, 800)
    assert outputs.read_metadata(path) == METADATA


def test_a_failed_embedding_in_a_worker_comes_back_to_be_logged(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.jpg"
    Image.new("RGB", (64, 48)).save(path, "JPEG")
    before = path.read_bytes()

    def cannot_follow(*args: object) -> None:
        raise ValueError("a head the writers cannot follow")

    monkeypatch.setattr(embedded, "embed", cannot_follow)
    info, problem = outputs.check_tag_and_thumbnail(path, JobKind.IMAGE, None, METADATA, outputs.sidecar_path(path))
    assert info.width == 64 and problem is not None and "a head the writers cannot follow" in problem
    assert path.read_bytes() == before and outputs.read_metadata(path) == METADATA  # kept as it came, with a sidecar
