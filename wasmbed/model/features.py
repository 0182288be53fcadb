"""The feature registry: every row of the support tables, with its status in wasmbed.

The data lives in `wasmbed/model/features_table.py`; this module builds the registry from it,
checks it, and answers questions about feature sets:

    FEATURES                 key -> Feature
    lookup(name)             key, alias, table flag or WB_FEATURE_ switch -> Feature
    resolve(names)           expand requirements, check conflicts and status -> sorted keys
    config_macros(keys)      WB_FEATURE_<KEY> = "1"/"0" for wb_config.h
    default_features()       the feature set of a board that names none
    scons_help()             text block for `scons -h`

It knows no SCons and no CLI (docs/design.md).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import textwrap
from dataclasses import dataclass
from typing import Iterable

from wasmbed.model import features_table as table
from wasmbed.errors import WasmbedError

WORKS = table.WORKS
ALWAYS_ON = table.ALWAYS_ON
NOT_YET = table.NOT_YET
NA = table.NA
STATUSES = (WORKS, ALWAYS_ON, NOT_YET, NA)
TIERS = ("A", "B", "C")
CATEGORIES = (table.RUNNING_MODE, table.COMPILER, table.PROPOSAL, table.EXTENSION,
              table.PORTABILITY)
_KEY_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Feature:
    """One row of the support tables as wasmbed sees it."""

    key: str                    # kebab-case, e.g. "fast-interp"
    tier: str                   # "A" | "B" | "C" (the support table's tier)
    category: str               # the table's label column: Running mode, Wasm Proposal, ...
    label: str                  # the table's description column, e.g. "AoT runtime"
    description: str            # what it does, in wasmbed's words
    status: str                 # works | always-on | not-yet | n/a
    reason: str = ""            # why n/a, or a note
    flags: tuple[str, ...] = ()     # the table's compile flag(s), as spelled there
    aliases: tuple[str, ...] = ()   # other names lookup() accepts
    switch: str = ""                # our compile switch, WB_FEATURE_<KEY>
    requires: tuple[str, ...] = ()  # keys; "a|b" = one of a, b
    implies: tuple[str, ...] = ()   # keys turned on with this one
    conflicts: tuple[str, ...] = () # keys that cannot be combined with this one
    value: str = ""                 # C macro carrying the value (value features)
    arches: tuple[str, ...] = ()    # CPU architectures it can exist on (empty: any)
    wast: tuple[str, ...] = ()      # testsuite globs that exercise it
    in_seed: bool = True            # a row of the support table (False: wasmbed's own)

    @property
    def selectable(self) -> bool:
        return self.status in (WORKS, ALWAYS_ON)

    @property
    def title(self) -> str:
        """`'aot' (AoT runtime, tier A)`, the way error messages name a feature."""
        return f"'{self.key}' ({self.label}, tier {self.tier})"

    def to_json(self) -> dict:
        return {
            "key": self.key, "tier": self.tier, "category": self.category,
            "label": self.label, "description": self.description, "status": self.status,
            "reason": self.reason, "flags": list(self.flags), "aliases": list(self.aliases),
            "switch": self.switch, "requires": list(self.requires),
            "implies": list(self.implies), "conflicts": list(self.conflicts),
            "value": self.value or None, "arches": list(self.arches), "wast": list(self.wast),
            "in_seed": self.in_seed,
        }


def switch_name(key: str) -> str:
    return "WB_FEATURE_" + key.upper().replace("-", "_")


def _conflict_index() -> dict[frozenset[str], str]:
    reasons: dict[frozenset[str], str] = {}
    for a, b, why in table.CONFLICTS:
        reasons.setdefault(frozenset((a, b)), why)
    platforms = [r["key"] for r in table.ROWS if r["category"] == table.PORTABILITY]
    for i, a in enumerate(platforms):
        for b in platforms[i + 1:]:
            reasons.setdefault(frozenset((a, b)), "a build targets exactly one platform")
    return reasons


def _build() -> tuple[dict[str, Feature], dict[str, str], dict[frozenset[str], str]]:
    reasons = _conflict_index()
    features: dict[str, Feature] = {}
    for row in table.ROWS:
        key = row["key"]
        others = sorted(next(iter(pair - {key})) for pair in reasons if key in pair)
        features[key] = Feature(
            key=key, tier=row["tier"], category=row["category"], label=row["label"],
            description=row["description"], status=row["status"],
            reason=row.get("reason", ""), flags=tuple(row.get("flags", ())),
            aliases=tuple(row.get("aliases", ())), switch=switch_name(key),
            requires=tuple(row.get("requires", ())), implies=tuple(row.get("implies", ())),
            conflicts=tuple(others), value=row.get("value", ""),
            arches=tuple(row.get("arches", ())), wast=tuple(row.get("wast", ())),
            in_seed=row.get("in_seed", True))
    index: dict[str, str] = {}
    for f in features.values():  # keys first: a key always wins over an alias
        index[f.key] = f.key
        index[f.key.replace("-", "_")] = f.key
        index[f.switch.lower()] = f.key
    for f in features.values():  # first declared row wins a shared flag (darwin/ios)
        for name in (*f.aliases, *f.flags):
            index.setdefault(name.lower(), f.key)
    return features, index, reasons


FEATURES, _INDEX, _CONFLICT_REASONS = _build()

# Flags the support table gives to two rows (Darwin and iOS); lookup() answers with the first.
_SHARED_FLAGS = {"wamr_build_platform=darwin"}


def check_registry() -> list[str]:
    """Problems in the table (empty when consistent); the test suite asserts it is empty."""
    problems: list[str] = []
    for f in FEATURES.values():
        where = f"feature '{f.key}'"
        if not _KEY_RE.match(f.key):
            problems.append(f"{where}: key is not kebab-case")
        if f.tier not in TIERS:
            problems.append(f"{where}: tier {f.tier!r} not in {TIERS}")
        if f.status not in STATUSES:
            problems.append(f"{where}: status {f.status!r} not in {STATUSES}")
        if f.category not in CATEGORIES:
            problems.append(f"{where}: category {f.category!r} not in {CATEGORIES}")
        if f.status == NA and not f.reason:
            problems.append(f"{where}: status n/a needs a reason")
        alts = (*f.requires, *table.BUILD_REQUIRES)
        for ref in (*f.implies, *(k for alt in alts for k in alt.split("|"))):
            if ref not in FEATURES:
                problems.append(f"{where}: refers to unknown feature '{ref}'")
        for alias in (*f.aliases, *f.flags):
            owner = _INDEX.get(alias.lower())
            if owner != f.key and alias.lower() not in _SHARED_FLAGS:
                problems.append(f"{where}: name '{alias}' already names '{owner}'")
    for pair in _CONFLICT_REASONS:
        for k in pair:
            if k not in FEATURES:
                problems.append(f"conflict names unknown feature '{k}'")
    return problems


def _normalise(name: str) -> str:
    text = name.strip()
    if text.startswith("-D"):
        text = text[2:]
    return text.lower()


def lookup(name: str) -> Feature:
    """The feature a key, alias, support-table flag or WB_FEATURE_ switch names.

    A CMake-style `-DWAMR_BUILD_AOT=1` is accepted too; `=0` is refused (leave it out).
    """
    text = _normalise(name)
    key = _INDEX.get(text)
    if key is None and "=" in text:
        base, _, val = text.partition("=")
        if base in _INDEX and val in ("1", "on", "true", "yes"):
            key = _INDEX[base]
        elif base in _INDEX and val in ("0", "off", "false", "no"):
            raise WasmbedError(f"'{name}' switches feature '{_INDEX[base]}' off; features are "
                               "off unless selected, so leave it out")
    if key is None:
        raise WasmbedError(f"unknown feature '{name}'{_suggest(name)}",
                           hint="`wasmbed features` lists every feature")
    return FEATURES[key]


def _suggest(name: str) -> str:
    text = _normalise(name)
    close = difflib.get_close_matches(text, list(_INDEX), n=6, cutoff=0.6)
    keys: list[str] = []
    for c in close:
        if _INDEX[c] not in keys:
            keys.append(_INDEX[c])
    keys = keys[:3]
    if not keys:
        return ""
    quoted = [f"'{k}'" for k in keys]
    return "; did you mean " + (quoted[0] if len(quoted) == 1
                                else ", ".join(quoted[:-1]) + " or " + quoted[-1]) + "?"


def _refuse(f: Feature, why: str) -> WasmbedError:
    if f.status == NA:
        return WasmbedError(f"feature {f.title} does not apply to wasmbed{why}: {f.reason}")
    note = f" ({f.reason})" if f.reason else ""
    return WasmbedError(f"feature {f.title} is not implemented yet in wasmbed{why}{note}",
                        hint="`wasmbed features --status works` lists what can be selected")


def resolve(names: Iterable[str], *, allow_not_yet: bool = False) -> list[str]:
    """Check a feature selection and complete it; returns the sorted keys.

    Implied features are added; a missing requirement is added when it works or is always
    on, and is an error otherwise; a selection without a running mode gets `interp`.
    Conflicts, n/a features and (unless allow_not_yet) not-yet features are errors that
    name the features involved.
    """
    why: dict[str, str] = {}  # key -> "" (selected) or " (implied by 'x')"
    todo: list[str] = []
    for name in names:
        if not name.strip():
            continue
        f = lookup(name)
        if f.key not in why:
            why[f.key] = ""
            todo.append(f.key)
    while True:
        _expand(todo, why, allow_not_yet)
        for alt in table.BUILD_REQUIRES:  # e.g. every build needs a running mode
            options = alt.split("|")
            if not any(k in why for k in options):
                why[options[0]] = " (default running mode)"
                todo.append(options[0])
        if not todo:
            break
    keys = sorted(why)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            reason = _CONFLICT_REASONS.get(frozenset((a, b)))
            if reason:
                raise WasmbedError(f"features '{a}'{why[a]} and '{b}'{why[b]} conflict: "
                                   f"{reason}")
    return keys


def _expand(todo: list[str], why: dict[str, str], allow_not_yet: bool) -> None:
    while todo:
        f = FEATURES[todo.pop(0)]
        if f.status == NA or (f.status == NOT_YET and not allow_not_yet):
            raise _refuse(f, why[f.key])
        for k in f.implies:
            if k not in why:
                why[k] = f" (implied by '{f.key}')"
                todo.append(k)
        for alt in f.requires:
            options = alt.split("|")
            if any(k in why for k in options):
                continue
            usable = [k for k in options if FEATURES[k].selectable]
            if usable:
                why[usable[0]] = f" (required by '{f.key}')"
                todo.append(usable[0])
                continue
            wanted = " or ".join(FEATURES[k].title for k in options)
            states = ", ".join(f"'{k}' is {FEATURES[k].status}" for k in options)
            raise WasmbedError(f"feature {f.title}{why[f.key]} requires {wanted}, which is "
                               f"not selected and cannot be added automatically ({states})",
                               hint=f"select {' or '.join(options)} explicitly")


def conflict_reason(a: str, b: str) -> str:
    """Why two features cannot be combined ("" when they can)."""
    return _CONFLICT_REASONS.get(frozenset((lookup(a).key, lookup(b).key)), "")


def check_arch(keys: Iterable[str], arch: str) -> None:
    """Refuse features that cannot exist on a CPU architecture (e.g. memory64 on riscv32)."""
    for k in keys:
        f = FEATURES[k]
        if f.arches and arch not in f.arches:
            raise WasmbedError(f"feature {f.title} is not available on {arch}: it needs "
                               f"{', '.join(f.arches)}")


def config_macros(keys: list[str]) -> dict[str, str]:
    """WB_FEATURE_<KEY> "1"/"0" for every feature, plus WB_FEATURES_STRING.

    Always-on features are "1" whatever the selection; the string lists the selected keys
    (as given, sorted). Value macros (WB_GLOBAL_HEAP_SIZE) are the build's job.
    """
    selected = {lookup(k).key for k in keys}
    macros = {f.switch: "1" if (f.key in selected or f.status == ALWAYS_ON) else "0"
              for f in FEATURES.values() if f.switch}
    macros["WB_FEATURES_STRING"] = '"' + ",".join(sorted(selected)) + '"'
    return macros


def default_features() -> list[str]:
    """The feature set of a board that names none."""
    return ["global-heap-pool", "interp", "libc-builtin"]


def platform_key(platform: str) -> str | None:
    """The portability feature for a platform descriptor name ("linux", "baremetal"...)."""
    key = _INDEX.get(_normalise(platform)) or _INDEX.get("platform-" + _normalise(platform))
    if key and FEATURES[key].category == table.PORTABILITY:
        return key
    return None


def feature_for_wast(path: str) -> str | None:
    """The feature whose testsuite files include `path` (relative to the testsuite root)."""
    rel = path.replace("\\", "/").lstrip("./")
    best: tuple[int, str] | None = None
    for f in FEATURES.values():
        for pattern in f.wast:
            if fnmatch.fnmatch(rel, pattern):
                score = len(pattern)  # the most specific pattern wins (legacy EH vs EH)
                if best is None or score > best[0]:
                    best = (score, f.key)
    return best[1] if best else None


def select(*, tier: str | None = None, status: str | None = None,
           category: str | None = None) -> list[Feature]:
    """Features filtered by tier, status and category, in table order."""
    out = []
    for f in FEATURES.values():
        if tier and f.tier != tier.upper():
            continue
        if status and f.status != status:
            continue
        if category and f.category.lower() != category.lower():
            continue
        out.append(f)
    return out


def scons_help() -> str:
    """Text block for `scons -h`: selectable features in detail, the others by tier."""
    order = {t: i for i, t in enumerate(TIERS)}
    ranked = sorted(FEATURES.values(), key=lambda f: order[f.tier])  # stable: table order
    lines = ["features=KEY,KEY,...   runtime features (default: "
             + ",".join(default_features()) + ")",
             "  +KEY / KEY add to the board's features, -KEY removes one, "
             "only:KEY,KEY is exactly that set",
             "  selectable (works / always on):"]
    lines += [f"    {f.key:<26} tier {f.tier}  {f.status:<9}  {f.label}"
              for f in ranked if f.selectable]
    for status, heading in ((NOT_YET, "not implemented yet (refused)"),
                            (NA, "not applicable to wasmbed (refused)")):
        lines.append(f"  {heading}:")
        for tier in TIERS:
            keys = ", ".join(f.key for f in ranked if f.status == status and f.tier == tier)
            if keys:
                lines += textwrap.wrap(keys, width=96, initial_indent=f"    tier {tier}: ",
                                       subsequent_indent=" " * 12, break_on_hyphens=False,
                                       break_long_words=False)
    lines += ["  support-table flags (e.g. WAMR_BUILD_INTERP) are accepted as names too;",
              "  `wasmbed features` shows details"]
    return "\n".join(lines)
