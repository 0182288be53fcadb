"""A small schema checker for YAML descriptors that reports file, line and field.

The YAML is composed into nodes (which keep their source marks) and checked
against a tree of `Spec` objects; `check()` returns plain Python values.
Every error reads "FILE:LINE: FIELD.PATH: what was expected".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from wasmbed.errors import WasmbedError

_SIZE = re.compile(r"^\s*(\d+)\s*(k|kb|kib|m|mb|mib|g|gib)?\s*$", re.IGNORECASE)
_UNITS = {None: 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1 << 20, "mb": 1 << 20,
          "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30}


class DescriptorError(WasmbedError):
    """A descriptor that does not match its schema (message names file, line, field)."""


def _where(source: str, node: yaml.Node) -> str:
    return f"{source}:{node.start_mark.line + 1}"


def fail(source: str, node: yaml.Node, path: str, message: str) -> DescriptorError:
    return DescriptorError(f"{_where(source, node)}: {path or '<top>'}: {message}")


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return repr(node.value)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


class Spec:
    """Checks one node; `check` returns the Python value."""

    def check(self, node: yaml.Node, path: str, source: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover
        raise NotImplementedError


class Str(Spec):
    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            raise fail(source, node, path, f"expected a string, got {_shown(node)}")
        return str(node.value)

    def describe(self) -> str:
        return "string"


class Bool(Spec):
    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        value = _construct(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            raise fail(source, node, path, f"expected true or false, got {_shown(node)}")
        return value

    def describe(self) -> str:
        return "bool"


class Number(Spec):
    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        value = _construct(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(source, node, path, f"expected a number, got {_shown(node)}")
        return float(value)

    def describe(self) -> str:
        return "number"


class Int(Spec):
    """An integer; with `size=True` also "64K", "4 MiB" (powers of 1024)."""

    def __init__(self, *, minimum: int | None = 0, size: bool = False) -> None:
        self.minimum = minimum
        self.size = size

    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        value = _construct(node) if isinstance(node, yaml.ScalarNode) else None
        if self.size and isinstance(value, str):
            m = _SIZE.match(value)
            if m:
                value = int(m.group(1)) * _UNITS[m.group(2).lower() if m.group(2) else None]
        if isinstance(value, bool) or not isinstance(value, int):
            what = "an integer or a size like 256K" if self.size else "an integer"
            raise fail(source, node, path, f"expected {what}, got {_shown(node)}")
        if self.minimum is not None and value < self.minimum:
            raise fail(source, node, path, f"expected at least {self.minimum}, got {value}")
        return value

    def describe(self) -> str:
        return "size" if self.size else "integer"


class Enum(Spec):
    def __init__(self, *values: str) -> None:
        self.values = values

    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        value = str(node.value) if isinstance(node, yaml.ScalarNode) else None
        if value not in self.values:
            near = difflib.get_close_matches(value or "", self.values, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise fail(source, node, path,
                       f"expected one of {', '.join(self.values)}; got {_shown(node)}{hint}")
        return value

    def describe(self) -> str:
        return "|".join(self.values)


class Nullable(Spec):
    def __init__(self, inner: Spec) -> None:
        self.inner = inner

    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return None
        return self.inner.check(node, path, source)

    def describe(self) -> str:
        return f"{self.inner.describe()} or null"


class OneOf(Spec):
    """The first alternative that accepts the node; otherwise the first one's error."""

    def __init__(self, *options: Spec) -> None:
        self.options = options

    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        first: DescriptorError | None = None
        for option in self.options:
            try:
                return option.check(node, path, source)
            except DescriptorError as err:
                first = first or err
        assert first is not None
        raise first

    def describe(self) -> str:
        return " or ".join(o.describe() for o in self.options)


class List(Spec):
    def __init__(self, item: Spec, *, min_items: int = 0) -> None:
        self.item = item
        self.min_items = min_items

    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            raise fail(source, node, path, f"expected a list, got {_shown(node)}")
        if len(node.value) < self.min_items:
            raise fail(source, node, path, f"expected at least {self.min_items} item(s)")
        return [self.item.check(n, f"{path}[{i}]", source) for i, n in enumerate(node.value)]

    def describe(self) -> str:
        return f"list of {self.item.describe()}"


@dataclass
class F:
    """A field of a Map: its spec, whether it must be present, its default."""

    spec: Spec
    required: bool = False
    default: Any = None
    default_factory: Callable[[], Any] | None = field(default=None, repr=False)


class Map(Spec):
    """A mapping with known fields. `open=True` keeps unknown keys as plain values."""

    def __init__(self, fields: dict[str, F], *, open: bool = False) -> None:
        self.fields = fields
        self.open = open

    def check(self, node: yaml.Node, path: str, source: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            raise fail(source, node, path, f"expected a mapping, got {_shown(node)}")
        out: dict[str, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key in seen:
                raise fail(source, key_node, sub, "given twice")
            seen.add(key)
            spec = self.fields.get(key)
            if spec is None:
                if self.open:
                    out[key] = _construct(value_node)
                    continue
                near = difflib.get_close_matches(key, list(self.fields), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise fail(source, key_node, sub, f"unknown field{hint}")
            out[key] = spec.spec.check(value_node, sub, source)
        for key, spec in self.fields.items():
            if key in out:
                continue
            if spec.required:
                sub = f"{path}.{key}" if path else key
                raise fail(source, node, sub, f"missing (required, {spec.spec.describe()})")
            out[key] = spec.default_factory() if spec.default_factory else spec.default
        return out

    def describe(self) -> str:
        return "mapping"


def compose(path: Path, shown: str) -> yaml.Node:
    """Parse a YAML file into nodes; syntax errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise DescriptorError(f"{shown}: cannot read: {err.strerror}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 0
        problem = err.problem or err.context or "malformed YAML"
        raise DescriptorError(f"{shown}:{line}: malformed YAML: {problem}") from None
    except yaml.YAMLError as err:
        raise DescriptorError(f"{shown}: malformed YAML: {err}") from None
    if node is None:
        raise DescriptorError(f"{shown}:1: empty descriptor")
    return node
