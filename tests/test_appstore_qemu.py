"""The A/B app store's C code (runtime_src/store) on QEMU's persistent CFI flash: the riscv64
`virt` machine with a file-backed pflash drive (unit 0). A test firmware (the board's rendered port +
wb_store.c + wb_cfi.c) reports which slot would boot, takes a module over the console and
pushes it, stopping at each stage of the push until the host lets it go on; the host kills
QEMU at chosen stages (power cut), restarts it on the same flash file and checks the
previous app still boots. Its stages reach inside the commit (header fields programmed, magic
not yet), which a host cannot time over the serial line; the real agent, `wasmbed push` over
its serial line and cuts between frames are tests/test_appstore_agent.py."""

from __future__ import annotations

import re
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest

from wasmbed import ROOT
from wasmbed.build import appstore as st
from wasmbed.model import leb128
from wasmbed.model.descriptors import load_board
from wasmbed.run.qemu import free_port, qemu_command

BOARD = "qemu-riscv64"
# The virt machine's first pflash bank (unit=0, 0x20000000, 32 MiB, 256 KiB erase blocks).
# QEMU 7.2 starts the CPU at its first word when it is given (a bank at unit=1 alone stops
# -kernel from loading), so its first sector holds a jump to the firmware at 0x80000000, as
# a boot ROM would, and the store takes the next two sectors.
FLASH0 = 0x20000000
FLASH_SIZE = 32 << 20
SECTOR = 256 << 10
STORE = FLASH0 + SECTOR
TRAMPOLINE = struct.pack("<III", 0x00100293, 0x01F29293, 0x00028067)  # li t0,1; slli 31; jr
LAYOUT = st.Layout(size=2 * SECTOR, sector=SECTOR)

FIRMWARE = r"""
#include "wb_port.h"
#include "@STORE@/wb_store.c"
#include "@STORE@/wb_cfi.c"

#define STORE_SIZE (2u * @SECTOR@u)
static wb_cfi cfi = {@FLASH1@u, @SECTOR@u};
static uint8_t module[64 * 1024];

static void puts_(const char *s) { while (*s) wb_port_putc(*s++); }
static void putu(uint32_t v)
{
    char b[12];
    int n = 0;
    do { b[n++] = (char)('0' + v % 10u); v /= 10u; } while (v);
    while (n) wb_port_putc(b[--n]);
}

static void mark(const char *what)   /* a stage of the push: wait for the host's go */
{
    puts_("@"); puts_(what); puts_("\n");
    (void)wb_port_getc();
}

static int erase(void *user, uint32_t offset, uint32_t length)
{
    int r;
    mark("erase");
    r = wb_cfi_erase(user, offset, length);
    mark("erased");
    return r;
}

static int program(void *user, uint32_t offset, const uint8_t *data, uint32_t length)
{
    uint32_t done = 0, n;
    if (offset % (STORE_SIZE / 2u) == 4u)
        mark("header");
    else if (offset % (STORE_SIZE / 2u) == 0u)
        mark("commit");
    while (done < length) {          /* the payload in 1 KiB pieces, a stage after each */
        n = length - done < 1024u ? length - done : 1024u;
        if (wb_cfi_program(user, offset + done, data + done, n) != 0)
            return -1;
        done += n;
        if (length > 64u && done < length)
            mark("payload");
    }
    return 0;
}

static void report(void)
{
    const uint8_t *store = (const uint8_t *)(uintptr_t)cfi.base;
    wb_store_slot s;
    int i, boot;
    for (i = 0; i < 2; i++) {
        wb_store_read(store, STORE_SIZE, i, &s);
        puts_("SLOT "); wb_port_putc("AB"[i]);
        puts_(" valid="); putu((uint32_t)s.valid);
        puts_(" version="); putu(s.version);
        puts_(" name="); puts_(s.name);
        puts_(" why="); puts_(s.why); puts_("\n");
    }
    boot = wb_store_boot(store, STORE_SIZE, &s);
    puts_("BOOT ");
    if (boot < 0) {
        puts_("-\n");
        return;
    }
    wb_port_putc("AB"[boot]);
    puts_(" name="); puts_(s.name);
    puts_(" length="); putu(s.length);
    puts_(" crc="); putu(wb_store_crc32(0, s.payload, s.length)); puts_("\n");
}

int main(void)
{
    report();
    for (;;) {
        uint32_t length = 0, i;
        char name[WB_STORE_NAME + 1];
        wb_store_flash flash;
        int c, slot;
        puts_("READY\n");
        c = wb_port_getc();
        if (c != 'p')
            return 0;
        for (i = 0; i < 4u; i++)
            length |= (uint32_t)wb_port_getc() << (8u * i);
        for (i = 0; i < WB_STORE_NAME && (c = wb_port_getc()) != '\n'; i++)
            name[i] = (char)c;
        name[i] = '\0';
        if (length > sizeof module)
            return 3;
        for (i = 0; i < length; i++)
            module[i] = (uint8_t)wb_port_getc();
        flash = wb_cfi_flash(&cfi);
        flash.erase = erase;
        flash.program = program;
        slot = wb_store_push((const uint8_t *)(uintptr_t)cfi.base, STORE_SIZE, &flash,
                             module, length, WB_STORE_WASM, name);
        puts_("PUSHED "); putu((uint32_t)(slot + 1)); puts_("\n");
        report();
    }
}
"""


def wasm_module(tag: int, size: int) -> bytes:
    """A valid module: the header and one custom section of `size` bytes of filler."""
    name = b"wasmbed-filler"
    body = bytes([len(name)]) + name + bytes((tag + i) & 0xFF for i in range(size))
    return b"\0asm\1\0\0\0" + b"\0" + leb128.encode_u(len(body)) + body


class Board:
    """One QEMU run of the store firmware on `flash` (its console on a socket)."""

    def __init__(self, image: Path, flash: Path) -> None:
        board = load_board(BOARD)
        port = free_port()
        cmd = qemu_command(board, image, serial_port=port, qmp_path=None,
                           extra=["-drive", f"if=pflash,unit=0,format=raw,file={flash}"])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise AssertionError(f"QEMU did not start: {' '.join(cmd)}\n{err}")
                time.sleep(0.05)
        self.sock.settimeout(0.2)
        self.out = b""

    def until(self, pattern: bytes, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.out)
            if m:
                self.out = self.out[m.end():]
                return m
            assert time.monotonic() < deadline, f"no {pattern!r} in {self.out[-300:]!r}"
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            assert data, f"console closed; waiting for {pattern!r} in {self.out[-300:]!r}"
            self.out += data

    def report(self) -> dict[str, str]:
        m = self.until(rb"SLOT A ([^\n]*)\nSLOT B ([^\n]*)\nBOOT ([^\n]*)\n")
        return {"A": m.group(1).decode(), "B": m.group(2).decode(), "boot": m.group(3).decode()}

    def push(self, module: bytes, name: str, *, cut: tuple[str, int] | None = None) -> None:
        """Send a module; let every stage go on, except the `cut` (stage, occurrence):
        there QEMU is killed while the firmware waits, as a power cut."""
        self.until(rb"READY\n")
        self.sock.sendall(b"p" + struct.pack("<I", len(module)) + name.encode() + b"\n" +
                          module)
        seen: dict[str, int] = {}
        while True:
            m = self.until(rb"@(\w+)\n|PUSHED (\d+)\n")
            if m.group(2):
                assert cut is None, f"the push ended before the cut at {cut}"
                assert m.group(2) != b"0", "the firmware's push failed"
                return
            stage = m.group(1).decode()
            seen[stage] = seen.get(stage, 0) + 1
            if cut == (stage, seen[stage]):
                self.kill()
                return
            self.sock.sendall(b"k")

    def quit(self) -> None:
        self.until(rb"READY\n")
        self.sock.sendall(b"q")
        assert self.proc.wait(timeout=30) == 0

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.sock.close()


@pytest.fixture(scope="module")
def firmware(tmp_path_factory) -> Path:
    from test_baremetal import build_boot_image

    if shutil.which("qemu-system-riscv64") is None:
        pytest.skip("qemu-system-riscv64 not installed")
    source = (FIRMWARE.replace("@STORE@", str(ROOT / "runtime_src" / "store"))
              .replace("@SECTOR@", str(SECTOR)).replace("@FLASH1@", hex(STORE)))
    return build_boot_image(BOARD, tmp_path_factory.mktemp("storefw"), source)


def blank_flash(path: Path) -> Path:
    path.write_bytes(TRAMPOLINE + b"\xff" * (FLASH_SIZE - len(TRAMPOLINE)))
    return path


def on_flash(flash: Path) -> list[st.Slot]:
    """What the host reads from QEMU's flash file (the store follows the first sector)."""
    return st.read_store(LAYOUT, flash.read_bytes()[SECTOR:SECTOR + LAYOUT.size])


@pytest.mark.build
@pytest.mark.qemu
def test_push_restart_runs_then_second_push(firmware: Path, tmp_path: Path) -> None:
    flash = blank_flash(tmp_path / "flash1.img")
    one, two = wasm_module(1, 3000), wasm_module(2, 5000)
    for module in (one, two):
        st.validate_module(_write(tmp_path / "m.wasm", module))   # checked on the host first
    board = Board(firmware, flash)
    assert board.report()["boot"] == "-"
    board.push(one, "one")
    assert board.report()["boot"].startswith("A name=one")
    board.quit()

    board = Board(firmware, flash)                   # restart: the flash file kept it
    first = board.report()
    assert first["boot"] == f"A name=one length={len(one)} crc={st.crc32(one)}"
    board.push(two, "two")
    board.quit()
    board = Board(firmware, flash)
    report = board.report()
    assert report["boot"] == f"B name=two length={len(two)} crc={st.crc32(two)}"
    assert report["A"].startswith("valid=1 version=1 name=one")
    board.quit()
    slots = on_flash(flash)                          # the host reads the same
    assert [(s.label, s.valid, s.version, s.name) for s in slots] == \
        [("A", True, 1, "one"), ("B", True, 2, "two")]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.build
@pytest.mark.qemu
def test_power_cut_during_push_keeps_the_previous_app(firmware: Path, tmp_path: Path) -> None:
    """QEMU killed at each stage of a push (before the erase, after it, in the middle of
    the payload, before the header, before the magic): after a restart the previous app
    boots and the new slot is invalid, in the firmware's report and in the host's reading
    of the flash file. Then the same push, uncut, takes over."""
    flash = blank_flash(tmp_path / "flash1.img")
    old, new = wasm_module(3, 2000), wasm_module(4, 4000)
    board = Board(firmware, flash)
    board.push(old, "old")
    board.quit()
    cuts = [("erase", 1), ("erased", 1), ("payload", 2), ("header", 1), ("commit", 1)]
    board = Board(firmware, flash)
    for cut in cuts:
        report = board.report()
        assert report["boot"] == f"A name=old length={len(old)} crc={st.crc32(old)}", cut
        board.push(new, "new", cut=cut)              # QEMU is gone: power cut
        slots = on_flash(flash)
        assert slots[0].valid and slots[0].name == "old", cut
        assert not slots[1].valid, (cut, slots[1])
        slot_b = flash.read_bytes()[SECTOR + LAYOUT.slot_size:SECTOR + LAYOUT.size]
        if cut[0] in ("header", "commit"):   # what was written before the cut is on flash
            assert slot_b[st.HEADER_SIZE:st.HEADER_SIZE + len(new)] == new, cut
            assert slots[1].why.startswith("empty"), (cut, slots[1])   # magic not written
        if cut[0] == "commit":
            assert slot_b[4:st.HEADER_SIZE] == st.header_fields(2, "wasm", new, "new")
        if cut[0] == "payload":              # the first two 1 KiB pieces, not the rest
            assert slot_b[st.HEADER_SIZE:st.HEADER_SIZE + 2048] == new[:2048]
            assert slot_b[st.HEADER_SIZE + 2048:st.HEADER_SIZE + len(new)] == \
                b"\xff" * (len(new) - 2048)
        board = Board(firmware, flash)               # power back on
    report = board.report()
    assert report["boot"].startswith("A name=old") and report["B"].startswith("valid=0")
    board.push(new, "new")
    assert board.report()["boot"] == f"B name=new length={len(new)} crc={st.crc32(new)}"
    board.quit()
    assert st.boot_slot(on_flash(flash)).name == "new"


@pytest.mark.build
@pytest.mark.qemu
def test_host_written_image_boots_and_lists(firmware: Path, tmp_path: Path, capsys) -> None:
    """`wasmbed push --image` writes the store into QEMU's flash file; the firmware boots
    that app; the firmware's own push is then listed by `wasmbed push --list`."""
    from wasmbed.cli import main

    flash = blank_flash(tmp_path / "flash0.img")
    app = _write(tmp_path / "hostapp.wasm", wasm_module(5, 1500))
    where = ["--image", str(flash), "--offset", hex(SECTOR), "--size", "512K",
             "--sector", "256K"]
    assert main(["push", str(app), *where]) == 0
    assert "-> slot A" in capsys.readouterr().out
    board = Board(firmware, flash)
    data = app.read_bytes()
    assert board.report()["boot"] == f"A name=hostapp length={len(data)} crc={st.crc32(data)}"
    board.push(wasm_module(6, 700), "fw")
    board.quit()
    assert main(["push", "--list", *where]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(" A: version 1 wasm 'hostapp'")
    assert lines[1].startswith("*B: version 2 wasm 'fw' ")
