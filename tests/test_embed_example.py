"""examples/embed: the embedding contract (runtime_src/port/wb_port.h) in practice.

The same embedder builds with nothing but a C compiler as a host program (ISO C port)
and with -ffreestanding -nostdlib for bare metal (riscv64 QEMU virt: UART, CLINT, test
device), and both run the module built into them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from wasmbed import ROOT

pytestmark = pytest.mark.build

EX = ROOT / "examples" / "embed"
RT = ROOT / "runtime_src"
INCLUDES = [f"-I{RT / d}" for d in ("include", "port", "core", "mem")]
RUNTIME = sorted((RT / "core").glob("*.c")) + sorted((RT / "mem").glob("*.c"))
WARN = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1"]


def _cc(cmd: list, what: str) -> None:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{what} failed:\n{r.stderr[-3000:]}"


def test_host_program_runs_the_embedded_and_a_loaded_module(tmp_path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "no C compiler (ci/setup.sh installs gcc)"
    exe = tmp_path / "embed_host"
    _cc([cc, *WARN, *INCLUDES, *RUNTIME, EX / "embed.c", EX / "port_hosted.c", "-o", exe],
        "host build")
    out = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout) == (0, "fib(20) = 6765\n"), out
    # the same module from a file, as an embedder loading modules at run time would
    wasm = tmp_path / "fib.wasm"
    header = (EX / "fib_wasm.h").read_text()
    body = header[header.index("{") + 1:header.rindex("}")]
    wasm.write_bytes(bytes(int(x, 16) for x in body.replace("\n", "").split(",") if x.strip()))
    out = subprocess.run([exe, "30", wasm], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout) == (0, "fib(30) = 832040\n"), out
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x02\0\0\0")
    out = subprocess.run([exe, "1", bad], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "wb_module_load failed" in out.stdout, out


def test_freestanding_nostdlib_build_links_and_runs_on_bare_metal(tmp_path: Path) -> None:
    gcc = shutil.which("riscv64-unknown-elf-gcc")
    assert gcc, "riscv64-unknown-elf-gcc missing (Debian gcc-riscv64-unknown-elf, ci/setup.sh)"
    elf = tmp_path / "embed.elf"
    _cc([gcc, *WARN, "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-ffreestanding",
         "-nostdlib", "-ffunction-sections", "-fdata-sections", "-DWB_PORT_HAS_MALLOC=0",
         "-DWB_FEATURE_GLOBAL_HEAP_POOL=1", "-DWB_GLOBAL_HEAP_SIZE=(1024u*1024u)", *INCLUDES,
         *RUNTIME, RT / "port" / "common" / "mem.c", EX / "embed.c", EX / "port_baremetal.c",
         EX / "start_riscv64.c", "-T", EX / "link_riscv64.ld", "-Wl,--gc-sections",
         "-Wl,--no-warn-rwx-segments", "-lgcc", "-o", elf], "freestanding build")
    # nothing from a C library: every symbol is defined in the image
    nm = subprocess.run(["riscv64-unknown-elf-nm", "-u", elf], capture_output=True, text=True)
    assert nm.returncode == 0 and nm.stdout.strip() == "", nm.stdout
    qemu = shutil.which("qemu-system-riscv64")
    assert qemu, "qemu-system-riscv64 missing (Debian qemu-system-misc, ci/setup.sh)"
    out = subprocess.run([qemu, "-M", "virt", "-m", "128M", "-bios", "none", "-nographic",
                          "-monitor", "none", "-serial", "stdio", "-kernel", elf],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stdout) == (0, "fib(20) = 6765\n"), out
