"""Lineage of an output: what it was made from (concept → history or favourite → prompt → image → video →
lipsync) and what was made from it (videos of an image, lipsyncs of a video, regenerations)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pixflow_tui.core.formatting import local_time, plural
from pixflow_tui.store.library_pages import LibraryRow
from pixflow_tui.workflows.context import AppContext

MAX_DEPTH = 6
MAX_MADE_INTO = 40


@dataclass(frozen=True)
class LineageNode:
    kind: str  # concept | history | favorite | prompt | reference | job | image | video | audio | lipsync | avatar
    label: str
    key: str | None = None  # an output key ("image:3") the front end can jump to
    depth: int = 0


@dataclass(frozen=True)
class Lineage:
    made_from: list[LineageNode] = field(default_factory=list)  # the oldest ancestor first, the output itself last
    made_into: list[LineageNode] = field(default_factory=list)  # depth-first; depth 1 is made directly from it


def _short(text: str, width: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_output(row: LibraryRow) -> str:
    name = Path(row.local_path).name
    return f"{row.kind} #{row.id} · {name} · {local_time(row.created_at)}"


def _prompt_label(row: LibraryRow) -> str:
    if isinstance(row.prompt, dict):
        return _short(row.prompt.get("style", "") or "(prompt without a style line)")
    return _short(row.prompt or "(no prompt)")


def _origins(ctx: AppContext, image: LibraryRow) -> list[LineageNode]:
    """What the first image in the chain was made from: its job's request says (concept, history, favourite,
    reference images, the job it regenerated)."""
    nodes: list[LineageNode] = []
    job = ctx.store.jobs.get(image.job_id) if image.job_id is not None else None
    meta = (job.request.get("meta", {}) if job else {}) or {}
    concept = image.concept or str(meta.get("concept") or "")
    if concept:
        nodes.append(LineageNode("concept", _short(concept)))
    history = ctx.store.history.get(int(meta["history_id"])) if str(meta.get("history_id", "")).isdigit() else None
    if history is None and concept and meta.get("source") in (None, "prompt_factory", "history"):
        history = ctx.store.library.history_for_concept(concept, image.created_at)
    if history is not None:
        nodes.append(LineageNode("history", f"history #{history.id}: {plural(history.prompt_count, 'prompt')}, "
                                            f"{local_time(history.created_at)}"))
    favorite = (ctx.store.favorites.get(int(meta["favorite_id"]))
                if str(meta.get("favorite_id", "")).isdigit() else None)
    if favorite is not None:
        nodes.append(LineageNode("favorite", f"favourite “{_short(favorite.name, 40)}”"))
    elif meta.get("source") and meta.get("source") not in ("prompt_factory", "history"):
        nodes.append(LineageNode("prompt", f"prompt from {meta['source']}"))
    nodes.append(LineageNode("prompt", _prompt_label(image)))
    references = (job.request.get("files", {}) or {}).get("image_urls", []) if job else []
    for reference in references if isinstance(references, list) else [references]:
        known = ctx.store.images.find_by_path(str(reference))
        nodes.append(LineageNode("reference", f"reference {Path(str(reference)).name}",
                                 f"image:{known.id}" if known else None))
    if job is not None and job.parent_job_id is not None:
        parents = ctx.store.library.images_of_jobs([job.parent_job_id], limit=1)
        nodes.append(LineageNode("job", f"regenerated from job #{job.parent_job_id}",
                                 parents[0].key if parents else None))
    return nodes


def lineage(ctx: AppContext, key: str) -> Lineage:
    row = ctx.store.library.output(key)
    if row is None:
        return Lineage()
    chain = [row]
    seen = {row.key}
    while len(chain) < MAX_DEPTH:
        current = chain[0]
        source_image = current.source_image_id
        if current.kind == "image":
            source_image = ctx.store.library.image_source(current.id)  # an Img2Img output's source
        source_key = (f"asset:{current.source_asset_id}" if current.source_asset_id is not None
                      else f"image:{source_image}" if source_image is not None else None)
        source = ctx.store.library.output(source_key) if source_key and source_key not in seen else None
        if source is None:
            break
        chain.insert(0, source)
        seen.add(source.key)
    made_from: list[LineageNode] = []
    if chain[0].kind == "image":
        made_from.extend(_origins(ctx, chain[0]))
    else:
        if chain[0].concept:
            made_from.append(LineageNode("concept", _short(chain[0].concept)))
        if chain[0].prompt:
            made_from.append(LineageNode("prompt", _prompt_label(chain[0])))
    made_from.extend(LineageNode(r.kind, describe_output(r), r.key) for r in chain)
    return Lineage(made_from, _made_into(ctx, row))


def _made_into(ctx: AppContext, row: LibraryRow) -> list[LineageNode]:
    nodes: list[LineageNode] = []
    seen = {row.key}

    def visit(parent: LibraryRow, depth: int) -> None:
        if depth > MAX_DEPTH or len(nodes) >= MAX_MADE_INTO:
            return
        children: list[tuple[LibraryRow, str]] = []
        if parent.kind == "image":
            children += [(c, "") for c in ctx.store.library.assets_made_from(image_id=parent.id)]
            if parent.job_id is not None:
                children += [(c, "regenerated: ") for c in ctx.store.library.images_regenerated_from(parent.job_id)]
            children += [(c, "transformed: ") for c in ctx.store.library.images_transformed_from(parent.id)]
        else:
            children += [(c, "") for c in ctx.store.library.assets_made_from(asset_id=parent.id)]
        for child, prefix in children:
            if child.key in seen or len(nodes) >= MAX_MADE_INTO:
                continue
            seen.add(child.key)
            nodes.append(LineageNode(child.kind, prefix + describe_output(child), child.key, depth))
            visit(child, depth + 1)

    visit(row, 1)
    return nodes
