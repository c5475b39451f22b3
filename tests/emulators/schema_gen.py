"""Build a JSON value that validates against a JSON schema (the subset pydantic and OpenAI strict mode emit)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone
from typing import Any, Protocol


class Texts(Protocol):
    """Supplies string values; `name` is the property the string is for, `index` its position in an array."""

    def text(self, name: str, index: int) -> str: ...


_PATTERN_CANDIDATES = ("a", "abc", "A", "1", "a1", "sample", "x-1", "2026-01-01", "#ff0000", "00:00:05")


class SchemaFaker:
    def __init__(self, root: dict[str, Any], texts: Texts, *, max_depth: int = 10) -> None:
        self.root = root
        self.texts = texts
        self.max_depth = max_depth

    def generate(self) -> Any:
        return self.value(self.root, "value", 0, 0)

    def _ref(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#"):
            raise ValueError(f"only local $ref is supported: {ref}")
        node: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def value(self, schema: Any, name: str, index: int, depth: int) -> Any:
        if schema is True or schema == {} or schema is None:
            return self.texts.text(name, index)
        if "$ref" in schema:
            return self.value(self._ref(schema["$ref"]), name, index, depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][index % len(schema["enum"])]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.value(self._choose(schema[key], depth), name, index, depth + 1)
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self._ref(part["$ref"]) if "$ref" in part else part
                for k, v in part.items():
                    if k == "properties":
                        merged.setdefault("properties", {}).update(v)
                    elif k == "required":
                        merged["required"] = [*merged.get("required", []), *v]
                    else:
                        merged.setdefault(k, v)
            return self.value(merged, name, index, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [t for t in kind if t != "null"]
            kind = "null" if not non_null or (depth > self.max_depth and "null" in kind) else non_null[0]
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        return getattr(self, f"_{kind}")(schema, name, index, depth)

    def _choose(self, options: list[Any], depth: int) -> Any:
        def is_null(option: Any) -> bool:
            return isinstance(option, dict) and option.get("type") == "null"

        if depth > self.max_depth:
            nulls = [o for o in options if is_null(o)]
            if nulls:
                return nulls[0]
        return next((o for o in options if not is_null(o)), options[0])

    def _object(self, schema: dict[str, Any], name: str, index: int, depth: int) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties", {})
        out = {key: self.value(sub, key, index, depth + 1) for key, sub in props.items()}
        extra = schema.get("additionalProperties")
        if not props and isinstance(extra, dict) and depth <= self.max_depth:
            key = self.texts.text(name, index).split(":")[0].strip().lower().replace(" ", "_") or "key"
            out[key] = self.value(extra, key, index, depth + 1)
        return out

    def _array(self, schema: dict[str, Any], name: str, index: int, depth: int) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        low = schema.get("minItems", 0)
        high = schema.get("maxItems")
        count = max(low, len(prefix), 0 if depth > self.max_depth else 2)
        if high is not None:
            count = min(count, high)
        items = schema.get("items", {})
        return [
            self.value(prefix[i] if i < len(prefix) else items, name, i, depth + 1)
            for i in range(count)
        ]

    def _string(self, schema: dict[str, Any], name: str, index: int, depth: int) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            text = datetime.now(timezone.utc).isoformat()
        elif fmt == "date":
            text = date.today().isoformat()
        elif fmt in ("uri", "url"):
            text = f"https://example.com/{name}/{index}"
        elif fmt == "email":
            text = f"{name}{index}@example.com"
        elif fmt == "uuid":
            text = str(uuid.uuid4())
        else:
            text = self.texts.text(name, index)
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, text):
            text = next((c for c in _PATTERN_CANDIDATES if re.search(pattern, c)), text)
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if len(text) < low:
            text = (text + " " + "x" * low)[:low] if text else "x" * low
        if high is not None and len(text) > high:
            text = text[:high]
        return text

    @staticmethod
    def _bounds(schema: dict[str, Any]) -> tuple[float | None, float | None, bool, bool]:
        low, high = schema.get("minimum"), schema.get("maximum")
        ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        # draft-4 style booleans vs draft-2020 numbers
        if isinstance(ex_low, bool):
            return low, high, ex_low, bool(ex_high)
        if ex_low is not None:
            low = ex_low
        if ex_high is not None:
            high = ex_high
        return low, high, ex_low is not None, ex_high is not None

    def _integer(self, schema: dict[str, Any], name: str, index: int, depth: int) -> int:
        low, high, ex_low, ex_high = self._bounds(schema)
        lo = None if low is None else int(low) + (1 if ex_low or int(low) < low else 0)
        hi = None if high is None else int(high) - (1 if ex_high and int(high) == high else 0)
        if lo is not None and hi is not None:
            value = lo + ((hi - lo) // 2 + index) % (hi - lo + 1)
        elif lo is not None:
            value = lo + index
        elif hi is not None:
            value = min(hi, index + 1)
        else:
            value = index + 1
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0 and value % step:
            up = value + step - value % step
            value = up if hi is None or up <= hi else value - value % step
        return value

    def _number(self, schema: dict[str, Any], name: str, index: int, depth: int) -> float:
        low, high, ex_low, ex_high = self._bounds(schema)
        if low is not None and high is not None:
            return low + (high - low) * (0.5 + 0.1 * (index % 4)) * (0.99 if ex_high else 1)
        if low is not None:
            return low + 1.5
        if high is not None:
            return high - 0.5
        return round(0.75 + 0.25 * index, 2)

    def _boolean(self, schema: dict[str, Any], name: str, index: int, depth: int) -> bool:
        return index % 2 == 0

    def _null(self, schema: dict[str, Any], name: str, index: int, depth: int) -> None:
        return None


def fake_from_schema(schema: dict[str, Any], texts: Texts) -> Any:
    return SchemaFaker(schema, texts).generate()
