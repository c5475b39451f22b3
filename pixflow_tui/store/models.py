"""peewee models. Only `store/` imports this module; everything else gets dataclasses from the repositories."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, cast

from peewee import (
    AutoField,
    Check,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    SQL,
    Model,
    ModelSelect,
    TextField,
)

from pixflow_tui.core.jobs import RESUMABLE_STATES
from pixflow_tui.store.fields import DoubleField, MoneyField, OutputPathField, UTCDateTimeField

database_proxy = DatabaseProxy()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def tuples(query: ModelSelect[Any]) -> Iterable[tuple[Any, ...]]:
    """The rows of `query.tuples()`: peewee's stubs type them as model objects."""
    return cast("Iterable[tuple[Any, ...]]", query.tuples())


class BaseModel(Model):
    """Each foreign key also gives its raw value under its column name (`row.batch_id`, no query); peewee's
    stubs don't know those accessors, so each model declares them as annotations (`batch_id: int | None`)."""

    class Meta:
        database = database_proxy
        legacy_table_names = False


class User(BaseModel):
    id = AutoField()
    email = TextField(unique=True)
    password_hash = TextField(default="")
    name = TextField()
    role = TextField(default="user")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "users"


class Product(BaseModel):
    id = AutoField()
    name = TextField()
    slug = TextField(unique=True)
    color_primary = TextField()
    color_accent = TextField()
    prompt_schema = TextField(null=True)
    is_active = IntegerField(default=1)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "products"


class History(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    product = ForeignKeyField(Product, column_name="product_id", null=True, on_delete="SET NULL")
    product_id: int | None
    concept = TextField()
    prompts = TextField()  # JSON array of prompts
    prompt_count = IntegerField()
    source = TextField(default="generate")
    model_used = TextField(null=True)
    variety_score = TextField(null=True)  # JSON
    quality_metrics = TextField(null=True)  # JSON
    research = TextField(null=True)  # JSON: what the research step found before the prompts were written
    created_at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "history"
        indexes = ((("user", "created_at"), False),)


class Favorite(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    product = ForeignKeyField(Product, column_name="product_id", null=True, on_delete="SET NULL")
    product_id: int | None
    prompt = TextField()  # JSON
    name = TextField(null=True)
    concept = TextField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "favorites"
        indexes = ((("user", "created_at"), False),)


class Preset(BaseModel):
    id = AutoField()
    product = ForeignKeyField(Product, column_name="product_id", null=True, on_delete="SET NULL")
    product_id: int | None
    user = ForeignKeyField(User, column_name="user_id", null=True, on_delete="CASCADE")
    user_id: int | None
    name = TextField()
    description = TextField(null=True)
    kind = TextField(default="prompt")  # prompt | batch | video
    prompt = TextField()  # JSON: the prompt, or the settings for batch/video presets
    is_builtin = IntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "presets"
        indexes = ((("user", "kind"), False),)


class Batch(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    module = TextField()  # prompt_factory | asset_monster | img2video | avatar_studio | machine
    name = TextField(default="")
    concept = TextField(default="")
    settings = TextField(default="{}")  # JSON
    status = TextField(default="pending")
    cost_estimate = MoneyField(default=0.0, column_name="cost_estimate_micros")
    cost_actual = MoneyField(default=0.0, column_name="cost_actual_micros")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    updated_at = UTCDateTimeField(default=utcnow)
    finished_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "batches"
        indexes = ((("user", "module", "created_at"), False),)


class BatchTag(BaseModel):
    id = AutoField()
    batch = ForeignKeyField(Batch, column_name="batch_id", on_delete="CASCADE")
    batch_id: int
    tag = TextField()

    class Meta:
        table_name = "batch_tags"
        indexes = ((("batch", "tag"), True), (("tag",), False))


class Job(BaseModel):
    id = AutoField()
    # user and batch: no index of their own, each is the first column of one below (migration 0015)
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE", index=False)
    user_id: int
    batch = ForeignKeyField(Batch, column_name="batch_id", null=True, on_delete="CASCADE", index=False)
    batch_id: int | None
    kind = TextField()  # image | video | speech | lipsync
    provider = TextField()  # fal | demo
    model = TextField()
    request = TextField()  # JSON MediaRequest
    job_index = IntegerField(default=0)
    prompt_index = IntegerField(default=0)
    variant_index = IntegerField(default=0)
    status = TextField(default="pending", index=True)
    request_id = TextField(null=True)
    handle = TextField(null=True)  # JSON: status/response/cancel URLs
    result = TextField(null=True)  # JSON: provider result (output URLs)
    queue_position = IntegerField(null=True)
    progress = DoubleField(null=True)
    attempts = IntegerField(default=0)
    error = TextField(null=True)
    lease_owner = TextField(null=True)
    lease_expires = DoubleField(null=True)
    next_attempt_at = DoubleField(null=True)
    cost_estimate = MoneyField(default=0.0, column_name="cost_estimate_micros")
    cost = MoneyField(null=True, column_name="cost_micros")
    output_path = OutputPathField(null=True)
    parent = ForeignKeyField("self", column_name="parent_job_id", null=True, on_delete="SET NULL")
    parent_job_id: int | None
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    submitted_at = UTCDateTimeField(null=True)
    finished_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "jobs"
        # (user, finished_at, submitted_at): today's spend reads today's jobs, not the whole history
        indexes = ((("batch", "job_index"), False), (("provider", "status"), False),
                   (("user", "finished_at", "submitted_at"), False))


# The statuses of unfinished jobs, in one fixed order: a query written with exactly this list (`Job.status.in_`)
# may use the partial index below, which holds only unfinished jobs. Averaged statistics would make a plain
# (user, status) index look like a walk of a fifth of a million done jobs, so the engine's claim scan every second
# and the header's counters use this one.
UNFINISHED = sorted(str(state) for state in RESUMABLE_STATES)
# The same test written out in the SQL text: SQLite matches a partial index against the statement as prepared,
# before any parameter is bound, so `status IN (?, ?, …)` could never use it.
IS_UNFINISHED = SQL('"status" IN (' + ", ".join(f"'{status}'" for status in UNFINISHED) + ")")
JOB_UNFINISHED_INDEX = Job.index(Job.user, Job.status, where=Job.status.in_(UNFINISHED), name="jobs_unfinished")
Job.add_index(JOB_UNFINISHED_INDEX)
# Giving up a process's leases at quit finds its few leased jobs without reading the finished ones.
JOB_LEASE_INDEX = Job.index(Job.lease_owner, where=Job.lease_owner.is_null(False))
Job.add_index(JOB_LEASE_INDEX)


class GeneratedImage(BaseModel):
    id = AutoField()
    # user, job and batch: no index of their own, each is the first column of one below (migration 0015)
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE", index=False)
    user_id: int
    job = ForeignKeyField(Job, column_name="job_id", on_delete="CASCADE", index=False)
    job_id: int
    batch = ForeignKeyField(Batch, column_name="batch_id", null=True, on_delete="CASCADE", index=False)
    batch_id: int | None
    batch_index = IntegerField()
    prompt_index = IntegerField()
    variant_index = IntegerField()
    url = TextField()
    local_path = OutputPathField()
    file_name = TextField()
    concept = TextField()
    prompt = TextField()  # JSON
    aspect_ratio = TextField(null=True)
    resolution = TextField(null=True)
    output_format = TextField(null=True)
    model = TextField(null=True)
    provider = TextField(null=True)
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    thumbnail_path = TextField(null=True)
    generated_at = UTCDateTimeField(default=utcnow, index=True)
    # the image an Img2Img transform was made from (lineage); None for images made from prompts
    source_image = ForeignKeyField("self", column_name="source_image_id", null=True, on_delete="SET NULL")
    source_image_id: int | None

    class Meta:
        table_name = "generated_images"
        indexes = ((("user", "generated_at"), False), (("batch", "batch_index"), False), (("user", "model"), False))


# "made into" of an image: its transforms (partial: most images have no source)
IMAGE_SOURCE_INDEX = GeneratedImage.index(GeneratedImage.source_image, where=GeneratedImage.source_image.is_null(False))
GeneratedImage.add_index(IMAGE_SOURCE_INDEX)


class ImageRating(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    image = ForeignKeyField(GeneratedImage, column_name="image_id", on_delete="CASCADE")
    image_id: int
    rating = IntegerField(constraints=[Check("rating IN (-1, 1)")])
    notes = TextField(null=True)
    rated_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "image_ratings"
        indexes = ((("user", "image"), True), (("image",), False), (("user", "rating"), False))


class Asset(BaseModel):
    """A video, audio or avatar (lipsync) output, with what it was made from."""

    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    kind = TextField()  # video | audio | lipsync | avatar
    job = ForeignKeyField(Job, column_name="job_id", null=True, on_delete="SET NULL")
    job_id: int | None
    batch = ForeignKeyField(Batch, column_name="batch_id", null=True, on_delete="CASCADE")
    batch_id: int | None
    local_path = OutputPathField()
    url = TextField(default="")
    prompt = TextField(default="")
    model = TextField(null=True)
    provider = TextField(null=True)
    metadata = TextField(default="{}")  # JSON
    duration = DoubleField(null=True)
    source_image = ForeignKeyField(GeneratedImage, column_name="source_image_id", null=True, on_delete="SET NULL")
    source_image_id: int | None
    source_asset = ForeignKeyField("self", column_name="source_asset_id", null=True, on_delete="SET NULL")
    source_asset_id: int | None
    concept = TextField(default="")  # copied from the source image or the request, so the library can filter by it
    created_at = UTCDateTimeField(default=utcnow, index=True)
    # the owner's like (1) or dislike (-1), None when unrated; last, where migration 0004 added it

    class Meta:
        table_name = "assets"
        indexes = ((("user", "kind", "created_at"), False), (("user", "created_at"), False))


# One row per saved output file of a job: a second process finishing the same job (a takeover) cannot save its
# outputs twice. Assets without a job (imports) are not constrained.
IMAGE_OUTPUT_INDEX = GeneratedImage.index(GeneratedImage.job, GeneratedImage.local_path, unique=True,
                                          name="generated_images_one_row_per_output")
GeneratedImage.add_index(IMAGE_OUTPUT_INDEX)
ASSET_OUTPUT_INDEX = Asset.index(Asset.job, Asset.local_path, unique=True, where=Asset.job.is_null(False),
                                 name="assets_one_row_per_output")
Asset.add_index(ASSET_OUTPUT_INDEX)

# One kind's page (the Library's video or audio tab) walks its assets newest first in id order, whoever made them.
ASSET_KIND_INDEX = Asset.index(Asset.kind, name="assets_kind")
Asset.add_index(ASSET_KIND_INDEX)


class AssetRating(BaseModel):
    """One person's like (1) or dislike (-1) of a video, audio, lipsync or avatar (assets are shared)."""
    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    asset = ForeignKeyField(Asset, column_name="asset_id", on_delete="CASCADE")
    asset_id: int
    rating = IntegerField(constraints=[Check("rating IN (-1, 1)")])
    rated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "asset_ratings"
        indexes = ((("user", "asset"), True), (("asset",), False), (("user", "rating"), False))


class TasteCount(BaseModel):
    """How many of a person's liked and disliked images of a product carry one prompt pattern (core/taste.py),
    kept in step by the rating writer in the rating's own transaction. product_id 0: images of no product;
    section "" and value "" hold the totals (rated images)."""

    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    product_id = IntegerField(default=0)
    section = TextField()
    value = TextField()
    liked = IntegerField(default=0)
    disliked = IntegerField(default=0)

    class Meta:
        table_name = "taste_counts"
        indexes = ((("user", "product_id", "section", "value"), True),)


class PipelineRun(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    concept = TextField()
    settings = TextField(default="{}")
    step = TextField(default="idle")
    status = TextField(default="pending")
    failed_step = TextField(null=True)
    artefacts = TextField(default="{}")
    error = TextField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "pipeline_runs"


class Script(BaseModel):
    """A voiceover script: its versions are rows of ScriptVersion; `current_version_id` is where undo/redo stand."""

    id = AutoField()
    user = ForeignKeyField(User, column_name="user_id", on_delete="CASCADE")
    user_id: int
    title = TextField(default="")
    current_version_id = IntegerField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "scripts"


class ScriptVersion(BaseModel):
    """One version of a script: each generate, refine, translation or edit points at the version it came from."""

    id = AutoField()
    script = ForeignKeyField(Script, column_name="script_id", on_delete="CASCADE", backref="versions")
    script_id: int
    parent = ForeignKeyField("self", column_name="parent_id", null=True, on_delete="SET NULL")
    parent_id: int | None
    text = TextField()
    language = TextField(default="")  # a catalog language code; "" when not known
    action = TextField()  # typed | generated | improved | shorter | longer | duration | translated | transcribed | edited
    settings = TextField(default="{}")  # JSON: what made it (concept, duration, tone, feedback, source, ...)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "script_versions"
        indexes = ((("script", "id"), False),)


class ResearchCache(BaseModel):
    """One keyword's research in one mode (`web`, `model`, `demo`), shared by every user; used until it expires."""

    id = AutoField()
    cache_key = TextField(unique=True)  # "<mode>::<keyword>"
    mode = TextField()
    keyword = TextField()
    payload = TextField()  # JSON: the keyword's analyses and sources
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField(index=True)
    access_count = IntegerField(default=0)
    last_accessed_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "research_cache"


class SchemaMigration(BaseModel):
    version = IntegerField(primary_key=True)
    name = TextField()
    applied_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "schema_migrations"


ALL_MODELS: list[type[BaseModel]] = [
    User,
    Product,
    History,
    Favorite,
    Preset,
    Batch,
    BatchTag,
    Job,
    GeneratedImage,
    ImageRating,
    Asset,
    AssetRating,
    TasteCount,
    PipelineRun,
    Script,
    ScriptVersion,
    ResearchCache,
]
