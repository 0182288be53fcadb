"""Generated docs: README support block (only between the markers) and docs/features.md."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from wasmbed import ROOT
from wasmbed.report import docs_gen
from wasmbed.model import features as reg
from wasmbed.errors import WasmbedError

HEAD = "# project\n\nhand-written intro | with a pipe\n\n## Support\n\n"
TAIL = "\n\n## After\n\nhand-written outro\n"


def _readme(tmp_path: Path, inner: str = "old table\n") -> Path:
    path = tmp_path / "README.md"
    path.write_text(HEAD + docs_gen.START + "\n" + inner + docs_gen.END + TAIL)
    return path


def _boards(tmp_path: Path) -> Path:
    folder = tmp_path / "boards"
    folder.mkdir()
    (folder / "qemu-riscv64.yaml").write_text(
        "name: qemu-riscv64\ntier: C\ntriple: riscv64-unknown-elf\narch: riscv64\n"
        "qemu: {binary: qemu-system-riscv64, machine: virt}\n")
    (folder / "mps2-an386.yaml").write_text(
        "name: mps2-an386\ntier: C\ntriple: arm-none-eabi\narch: arm\n")
    (folder / "host.yaml").write_text(
        "name: host\ntier: A\ntriple: x86_64-pc-linux-gnu\narch: x86_64\n")
    (folder / "odd.yaml").write_text("name: odd\ntier: C\ntriple: riscv32-wasmbed-elf\n")
    return folder


def _gen(tmp_path: Path, **kw) -> list[docs_gen.DocsResult]:
    return docs_gen.generate(readme=kw.pop("readme", None) or _readme(tmp_path),
                             features_md=tmp_path / "docs" / "features.md",
                             boards_dir=kw.pop("boards_dir", None) or _boards(tmp_path), **kw)


def _block(text: str) -> str:
    return text[text.index(docs_gen.START) + len(docs_gen.START):text.index(docs_gen.END)]


def test_only_the_marked_block_is_replaced(tmp_path):
    readme, features_md = _gen(tmp_path, write=True)
    text = readme.path.read_text()
    assert readme.changed and features_md.changed
    assert text.startswith(HEAD + docs_gen.START + "\n")
    assert text.endswith(docs_gen.END + TAIL)
    assert "old table" not in text
    block = _block(text)
    assert "### Targets" in block and "### Features" in block
    assert "[docs/features.md](docs/features.md)" in block


def test_generation_is_idempotent(tmp_path):
    _gen(tmp_path, write=True)
    again = _gen(tmp_path, readme=tmp_path / "README.md", boards_dir=tmp_path / "boards",
                 write=True)
    assert [r.changed for r in again] == [False, False]


def test_without_write_nothing_is_touched(tmp_path):
    readme = _readme(tmp_path)
    before = readme.read_text()
    results = _gen(tmp_path, readme=readme)
    assert readme.read_text() == before
    assert not (tmp_path / "docs" / "features.md").exists()
    assert all(r.changed for r in results)


def test_missing_markers_fail_clearly(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers here\n")
    with pytest.raises(WasmbedError, match="no <!-- support-table:start --> and "
                                           "<!-- support-table:end --> marker"):
        _gen(tmp_path, readme=readme, write=True)
    assert readme.read_text() == "# no markers here\n"
    readme.write_text(docs_gen.END + "\n" + docs_gen.START + "\n")
    with pytest.raises(WasmbedError, match="comes before"):
        _gen(tmp_path, readme=readme, boards_dir=tmp_path / "boards")


def test_without_results_cells_say_not_measured(tmp_path):
    readme, _ = _gen(tmp_path)
    block = _block(readme.text)
    row = next(line for line in block.splitlines() if "qemu-riscv64" in line)
    assert row.count(docs_gen.NOT_MEASURED) == 3  # build, spec, benchmark
    assert "`run-on-qemu qemu-riscv64`" in row  # the command that measures it
    assert "| `riscv64-unknown-elf` | C | qemu-riscv64 (virt) |" in row
    assert "`riscv32-wasmbed-elf` (wasmbed)" in block  # a board outside the seed triples
    assert "| `xtensa-esp32-elf` | C | no board yet | - | - | - |" in block
    assert "%" not in row


def test_matrix_and_spec_results_fill_the_cells(tmp_path):
    matrix = tmp_path / "matrix.json"
    matrix.write_text(json.dumps({"boards": {
        "qemu-riscv64": {"status": "built", "text": 40960, "data": 0, "bss": 0},
        "mps2-an386": {"status": "failed", "error": "linker: region FLASH overflowed"},
    }}))
    spec1, spec2 = tmp_path / "core.json", tmp_path / "more.json"
    spec1.write_text(json.dumps({"board": "qemu-riscv64", "suite": "core",
                                 "totals": {"passed": 900, "failed": 100, "skipped": 5}}))
    spec2.write_text(json.dumps({"board": "qemu-riscv64",
                                 "totals": {"passed": 100, "failed": 0, "skipped": 0}}))
    readme, _ = _gen(tmp_path, matrix=matrix, spec=[spec1, spec2])
    block = _block(readme.text)
    rv = next(line for line in block.splitlines() if "qemu-riscv64" in line)
    assert "built (40.0 KiB text)" in rv and "1000/1100 (90.91%; core), 5 skipped" in rv
    arm = next(line for line in block.splitlines() if "mps2-an386" in line)
    assert "failed: linker: region FLASH overflowed" in arm and "not measured" in arm
    host = next(line for line in block.splitlines() if "| host" in line)
    assert "not in matrix" in host
    assert "`matrix.json`, `core.json`, `more.json`" in block


@pytest.mark.parametrize("content,message", [
    ("{not json", r"matrix.json:1: matrix file is not valid JSON"),
    ('[{"status": "built"}]', "expected an object with \"boards\""),
    ('{"boards": {"x": {"status": "maybe"}}}', r"board 'x': status 'maybe' is not one of"),
])
def test_bad_matrix_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "matrix.json"
    path.write_text(content)
    with pytest.raises(WasmbedError, match=message):
        docs_gen.load_matrix(path)


def test_bad_spec_report_is_a_clear_error(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"board": "host"}')
    with pytest.raises(WasmbedError, match="not a spec report"):
        docs_gen.load_spec([path])
    with pytest.raises(WasmbedError, match="does not exist"):
        docs_gen.load_spec([tmp_path / "missing.json"])


def test_feature_counts_add_up(tmp_path):
    readme, _ = _gen(tmp_path)
    block = _block(readme.text)
    total = next(line for line in block.splitlines() if line.startswith("| all |"))
    cells = [c.strip() for c in total.strip("|").split("|")]
    assert sum(int(c) for c in cells[1:-1]) == int(cells[-1]) == len(reg.FEATURES)


def test_features_md_lists_every_row():
    text = docs_gen.render_features_md()
    for f in reg.FEATURES.values():
        assert f"| `{f.key}` | {f.label} |" in text, f.key
    for tier in reg.TIERS:
        assert f"## Tier {tier}" in text
    assert "| `jit` | `multi-module` |" in text  # conflicts section


def test_committed_features_md_is_up_to_date():
    path = ROOT / docs_gen.FEATURES_MD
    if not path.exists():
        pytest.skip("docs/features.md not generated yet (`wasmbed docs --write`)")
    assert path.read_text() == docs_gen.render_features_md(), \
        "docs/features.md is stale: run `wasmbed docs --write`"


def test_docs_command_check_and_write(tmp_path, capsys):
    from wasmbed.commands import docs as cmd

    readme = _readme(tmp_path)
    parser = argparse.ArgumentParser()
    cmd.configure(parser)
    base = ["--readme", str(readme), "--features-md", str(tmp_path / "features.md")]
    assert cmd.run(parser.parse_args(base + ["--check"])) == 1
    assert "out of date" in capsys.readouterr().out
    assert cmd.run(parser.parse_args(base + ["--write"])) == 0
    assert cmd.run(parser.parse_args(base + ["--check"])) == 0
    assert cmd.run(parser.parse_args(base)) == 0
    out = capsys.readouterr().out
    assert "### Targets" in out and "up to date" in out


def test_project_boards_load_through_the_descriptors():
    boards = docs_gen.load_boards()
    if not boards:
        pytest.skip("no boards/*.yaml in the project yet")
    for b in boards:
        assert b.name and b.tier in ("A", "B", "C") and b.triple


def _stamped(path: Path, board: str, passed: int, commit: str = "0123456789abcdef") -> Path:
    path.write_text(json.dumps({"board": board, "suite": "core", "measured_at":
                                "2026-12-01T20:00:00Z", "commit": commit, "dirty": False,
                                "totals": {"passed": passed, "failed": 0, "skipped": 1}}))
    return path


def test_cells_cite_when_and_on_which_commit(tmp_path):
    spec = _stamped(tmp_path / "spec-rv.json", "qemu-riscv64", 10)
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({"board": "host", "geomean_ratio": 12.34, "measured_at":
                                 "2026-11-30T10:00:00Z", "commit": "fedcba9876543210",
                                 "results": [{}, {}]}))
    readme, _ = _gen(tmp_path, spec=[spec], bench=[bench])
    block = _block(readme.text)
    rv = next(line for line in block.splitlines() if "qemu-riscv64" in line)
    assert "10/10 (100.00%; core), 1 skipped [2026-12-01, 0123456]" in rv
    host = next(line for line in block.splitlines() if "| host" in line)
    assert "12.3x native instructions (geomean of 2 kernels, callgrind) " \
           "[2026-11-30, fedcba9]" in host


def test_unrunnable_boards_say_what_is_missing(tmp_path):
    boards = _boards(tmp_path)
    (boards / "mac.yaml").write_text("name: mac\ntier: A\ntriple: x86_64-apple-darwin\n"
                                     "platform: darwin\nrunner: process\n")
    (boards / "s390.yaml").write_text(
        "name: s390\ntier: B\ntriple: s390x-unknown-linux-musl\nplatform: linux\n"
        "runner: {kind: qemu-user, binary: qemu-s390x}\n")
    block = _block(_gen(tmp_path, boards_dir=boards)[0].text)
    mac = next(line for line in block.splitlines() if "| mac |" in line)
    assert "not run: no macOS on this machine; on macOS: `wasmbed spec --board mac`" in mac
    s390 = next(line for line in block.splitlines() if "| s390 |" in line)
    assert "not measured: `wasmbed spec --board s390`" in s390
    assert "no instruction counter under qemu-user" in s390


def test_evidence_file_is_what_check_compares_against(tmp_path):
    """Reports merge into the evidence file; the README is checked against that file alone
    (a fresh clone has no reports), so a hand edit fails and regeneration passes."""
    evidence = tmp_path / "evidence.json"
    first = _stamped(tmp_path / "a.json", "qemu-riscv64", 10)
    _gen(tmp_path, spec=[first], evidence=evidence, write=True)
    data = json.loads(evidence.read_text())
    assert data["spec"]["qemu-riscv64"]["passed"] == 10 and data["sources"] == ["a.json"]
    readme = tmp_path / "README.md"
    again = _gen(tmp_path, readme=readme, boards_dir=tmp_path / "boards", evidence=evidence)
    assert not again[0].changed  # no reports given: the README matches the evidence
    # a newer report for the same board replaces its cell; other boards keep theirs
    second = _stamped(tmp_path / "b.json", "host", 7)
    _gen(tmp_path, readme=readme, boards_dir=tmp_path / "boards", spec=[second],
         evidence=evidence, write=True)
    data = json.loads(evidence.read_text())
    assert set(data["spec"]) == {"qemu-riscv64", "host"}
    readme.write_text(readme.read_text().replace("10/10 (100.00%", "11/11 (100.00%"))
    edited = _gen(tmp_path, readme=readme, boards_dir=tmp_path / "boards", evidence=evidence)
    assert edited[0].changed  # a hand edit is caught


def test_committed_readme_matches_the_committed_evidence():
    """What CI runs (`wasmbed docs --check`): README's tables are exactly what
    docs/evidence.json and boards/*.yaml give."""
    evidence = ROOT / docs_gen.EVIDENCE
    if not evidence.exists():
        pytest.skip("docs/evidence.json not recorded yet")
    results = docs_gen.generate(evidence=evidence)
    stale = [str(r.path.name) for r in results if r.changed]
    assert not stale, f"{stale} out of date: run `wasmbed docs --write`"
