"""Put an output's prompt where other image tools look for it, without re-encoding a pixel.

- PNG: a `parameters` text chunk in the AUTOMATIC1111 style (the prompt, then the settings line), an XMP packet
  (`XML:com.adobe.xmp`) and Pixflow's own JSON (`pixflow`), all before the first IDAT, where readers that stop at
  the image data still see them.
- JPEG: an APP1 Exif segment whose `UserComment` holds the same text ("UNICODE" + UTF-16 in a big-endian TIFF, as
  AUTOMATIC1111 writes it and exiftool reads it), and an APP1 XMP packet; tags already in the file are kept.
- WebP: the same EXIF and XMP as chunks of the extended (VP8X) container, which a simple file is turned into.

Each writer takes the file's bytes and gives them back with the head it changes; the rest is unchanged.
"""
from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Mapping
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image

from pixflow_tui import __version__
from pixflow_tui.core.flatten import parameters_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PARAMETERS_KEY = "parameters"
XMP_PNG_KEY = "XML:com.adobe.xmp"
XMP_JPEG_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
EXIF_JPEG_HEADER = b"Exif\x00\x00"
DEMO_LABEL = "Pixflow demo output (made offline by the demo provider, not by an image model)"
_EXIF_IFD, _USER_COMMENT, _SOFTWARE = 0x8769, 0x9286, 0x0131
_MAX_TEXT = 8_000  # one JPEG segment holds 64 KB: the UTF-16 comment, and the XMP's two copies in UTF-8, fit
# IPTC's digital source types: a model's output, or (demo) a picture drawn by a plain algorithm
_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def describe(metadata: Mapping[str, Any], size: tuple[int | None, int | None]) -> str:
    """The AUTOMATIC1111 `parameters` text of an output from its Pixflow metadata."""
    settings = metadata.get("settings") or {}
    width, height = size
    fields = {
        "Model": metadata.get("model"),
        "Provider": metadata.get("provider"),
        "Demo": DEMO_LABEL if metadata.get("demo") else None,
        "Size": f"{width}x{height}" if width and height else None,
        "Aspect ratio": settings.get("aspect_ratio"),
        "Resolution": settings.get("resolution"),
        "Format": settings.get("output_format"),
        "Seed": settings.get("seed"),
        "Concept": metadata.get("concept"),
        "Pixflow job": metadata.get("job_id"),
        "Pixflow batch": metadata.get("batch_id"),
        "Version": f"Pixflow {__version__}",
    }
    text = parameters_text(str(settings.get("prompt") or ""), fields, str(settings.get("negative_prompt") or ""))
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT - 1] + "…"


def _xml_text(text: str) -> str:
    # XML 1.0 allows tab, newline and carriage return among the control characters, no others
    return escape("".join(c for c in text if c >= " " or c in "\t\n\r"))


def xmp_packet(metadata: Mapping[str, Any], parameters: str) -> bytes:
    prompt = str((metadata.get("settings") or {}).get("prompt") or "")[:_MAX_TEXT]
    demo = bool(metadata.get("demo"))
    source = _SOURCE_TYPE + ("algorithmicMedia" if demo else "trainedAlgorithmicMedia")
    label = f"\n   <xmp:Label>{_xml_text(DEMO_LABEL)}</xmp:Label>" if demo else ""
    alt = "<rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt>"
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
   <xmp:CreatorTool>Pixflow {__version__}</xmp:CreatorTool>{label}
   <Iptc4xmpExt:DigitalSourceType>{source}</Iptc4xmpExt:DigitalSourceType>
   <dc:description>{alt.format(_xml_text(prompt))}</dc:description>
   <exif:UserComment>{alt.format(_xml_text(parameters))}</exif:UserComment>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def exif_block(existing: bytes | None, parameters: str, demo: bool) -> bytes:
    """The file's EXIF (`existing`, its own tags kept) with `UserComment` set, as a big-endian TIFF without the
    JPEG prefix. An EXIF too big to share one JPEG segment with ours (a large thumbnail) gives way to ours alone."""
    exif = Image.Exif()
    if existing:
        exif.load(existing)
    exif.endian = ">"  # "UNICODE" comments are UTF-16 in the TIFF's byte order; big-endian is what A1111 reads
    exif.get_ifd(_EXIF_IFD)[_USER_COMMENT] = b"UNICODE\x00" + parameters.encode("utf-16-be")
    if _SOFTWARE not in exif:
        exif[_SOFTWARE] = f"Pixflow {__version__}" + (" demo provider" if demo else "")
    data = exif.tobytes()
    data = data[len(EXIF_JPEG_HEADER):] if data.startswith(EXIF_JPEG_HEADER) else data
    if existing and len(data) > 0xFFFF - 2 - len(EXIF_JPEG_HEADER):
        return exif_block(None, parameters, demo)
    return data


# ---- PNG -------------------------------------------------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_text_chunk(key: str, text: str) -> bytes:
    """tEXt when the text is Latin-1 (as AUTOMATIC1111's Pillow writes it), otherwise uncompressed UTF-8 iTXt."""
    try:
        return _png_chunk(b"tEXt", key.encode("latin-1") + b"\x00" + text.encode("latin-1"))
    except UnicodeEncodeError:
        return _png_chunk(b"iTXt", key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))


def _text_key(kind: bytes, data: bytes) -> bytes | None:
    return data.split(b"\x00", 1)[0] if kind in (b"tEXt", b"iTXt", b"zTXt") else None


def write_png(data: bytes, chunks: list[bytes]) -> bytes | None:
    """`data` with `chunks` before the first IDAT (same-named text chunks before it are replaced); None when not a
    PNG."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    ours = {_text_key(c[4:8], c[8:-4]) for c in chunks}
    head = [PNG_SIGNATURE]
    offset = len(PNG_SIGNATURE)
    while True:
        if offset + 8 > len(data):
            return None  # no image data at all: not a PNG worth touching
        length, kind = struct.unpack_from(">I4s", data, offset)
        if kind == b"IDAT":
            break
        end = offset + 12 + length
        if _text_key(kind, data[offset + 8:end - 4]) not in ours:
            head.append(data[offset:end])
        offset = end
    return b"".join(head) + b"".join(chunks) + data[offset:]


# ---- JPEG ------------------------------------------------------------------------------------------------------

def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    if len(payload) > 0xFFFF - 2:
        raise ValueError(f"a JPEG segment holds at most 65533 bytes, not {len(payload)}")
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def write_jpeg(data: bytes, make_exif: Callable[[bytes | None], bytes], xmp: bytes) -> bytes | None:
    """`data` with Exif and XMP APP1 segments after SOI (and a JFIF APP0); earlier XMP segments are dropped, and the
    file's own Exif goes to `make_exif`, whose answer replaces it. None when not a JPEG or its head is cut short."""
    if not data.startswith(b"\xff\xd8"):
        return None
    jfif: list[bytes] = []
    others: list[bytes] = []
    existing: bytes | None = None
    offset = 2
    while True:
        marker = data[offset:offset + 2]
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        if marker[1] == 0xFF:  # fill byte before a marker
            offset += 1
            continue
        if marker[1] == 0xDA or 0xD0 <= marker[1] <= 0xD9 or marker[1] == 0x01:  # scan starts: the rest as is
            break
        if offset + 4 > len(data):
            return None
        (length,) = struct.unpack_from(">H", data, offset + 2)
        end = offset + 2 + length
        if length < 2 or end > len(data):
            return None
        segment, payload = data[offset:end], data[offset + 4:end]
        offset = end
        if marker[1] == 0xE1 and payload.startswith(EXIF_JPEG_HEADER):
            existing = existing or payload
            continue
        if marker[1] == 0xE1 and payload.startswith((XMP_JPEG_HEADER, b"http://ns.adobe.com/xmp/extension/\x00")):
            continue
        (jfif if marker[1] == 0xE0 and payload.startswith(b"JFIF\x00") and not others else others).append(segment)
    return (b"\xff\xd8" + b"".join(jfif) + _jpeg_segment(0xE1, EXIF_JPEG_HEADER + make_exif(existing))
            + _jpeg_segment(0xE1, XMP_JPEG_HEADER + xmp) + b"".join(others) + data[offset:])


# ---- WebP ------------------------------------------------------------------------------------------------------

def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def _webp_canvas(kind: bytes, first: bytes) -> tuple[int, int, bool] | None:
    """Width, height and alpha from the first bytes of a simple WebP's image chunk."""
    if kind == b"VP8 " and len(first) >= 10 and first[3:6] == b"\x9d\x01\x2a":
        return (struct.unpack("<H", first[6:8])[0] & 0x3FFF, struct.unpack("<H", first[8:10])[0] & 0x3FFF, False)
    if kind == b"VP8L" and len(first) >= 5 and first[0] == 0x2F:
        bits = int.from_bytes(first[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool(bits >> 28 & 1)
    return None


def write_webp(data: bytes, make_exif: Callable[[bytes | None], bytes], xmp: bytes) -> bytes | None:
    """`data` with EXIF and XMP chunks at the end of an extended (VP8X) WebP, its flags saying they are there; the
    file's own EXIF goes to `make_exif`, whose answer replaces it. None when not a WebP."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunks: list[tuple[bytes, int, int, bytes]] = []  # kind, offset, size with header and padding, first data bytes
    existing: bytes | None = None
    offset = 12
    while offset + 8 <= len(data):
        kind, length = data[offset:offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        chunks.append((kind, offset, 8 + length + length % 2, data[offset + 8:offset + 8 + min(length, 10)]))
        if kind == b"EXIF" and existing is None:
            existing = data[offset + 8:offset + 8 + length]
        offset += 8 + length + length % 2
    kept = [chunk for chunk in chunks if chunk[0] not in (b"EXIF", b"XMP ")]
    if kept and kept[0][0] == b"VP8X":
        flags = bytearray(kept.pop(0)[3])
    else:  # a simple file: the extended header needs the canvas size and whether there is alpha
        canvas = _webp_canvas(kept[0][0], kept[0][3]) if kept else None
        if canvas is None:
            return None
        width, height, alpha = canvas
        flags = bytearray(struct.pack("<B3x", 0x10 if alpha else 0) + (width - 1).to_bytes(3, "little")
                          + (height - 1).to_bytes(3, "little"))
    flags[0] |= 0x08 | 0x04  # EXIF and XMP present
    kept_bytes = b"".join(data[start:start + size] for _, start, size, _ in kept)
    body = (b"WEBP" + _riff_chunk(b"VP8X", bytes(flags)) + kept_bytes + _riff_chunk(b"EXIF", make_exif(existing))
            + _riff_chunk(b"XMP ", xmp))
    return b"RIFF" + struct.pack("<I", len(body)) + body


def embed(data: bytes, metadata: Mapping[str, Any], pixflow_json: str,
          size: tuple[int | None, int | None]) -> tuple[str, bytes] | None:
    """The file `data` with its prompt embedded, and its kind: "png" (Pixflow's JSON inside too), "jpeg" or "webp";
    None for anything else (a video, audio, a damaged head)."""
    parameters = describe(metadata, size)
    xmp = xmp_packet(metadata, parameters)
    demo = bool(metadata.get("demo"))
    if data.startswith(PNG_SIGNATURE):
        chunks = [png_text_chunk(PARAMETERS_KEY, parameters), png_text_chunk(XMP_PNG_KEY, xmp.decode()),
                  png_text_chunk("pixflow", pixflow_json)]
        written = write_png(data, chunks)
        return None if written is None else ("png", written)

    def make_exif(existing: bytes | None) -> bytes:
        return exif_block(existing, parameters, demo)

    if data.startswith(b"\xff\xd8"):
        written = write_jpeg(data, make_exif, xmp)
        return None if written is None else ("jpeg", written)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        written = write_webp(data, make_exif, xmp)
        return None if written is None else ("webp", written)
    return None
