"""The host agent over its stdin/stdout: framing robustness and every request."""

from __future__ import annotations

import argparse
import os
import random
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

from agent_helpers import wasm32_clang, wat
from wasmbed.run.protocol import (
    FrameType,
    Kind,
    LinkLost,
    ProtocolError,
    RemoteError,
    TimeoutError,
    Value,
    encode_frame,
)
from wasmbed.run.target import HostTarget

ADDER = """
(module
  (memory (export "mem") 1)
  (global (export "answer") i32 (i32.const 42))
  (global $g (export "counter") (mut i64) (i64.const 7))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $rec (export "recurse") (param i32) (result i32) (call $rec (local.get 0)))
  (func (export "spin") (loop $l (br $l)))
  (func (export "swap") (param f32 f64) (result f64 f32) (local.get 1) (local.get 0))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "null") (result funcref) (ref.null func))
  (func (export "bump") (result i64) (global.set $g (i64.add (global.get $g) (i64.const 1))) (global.get $g))
)
"""


def raw_reply(client, seconds: float = 5.0):
    return client.read_frame(time.monotonic() + seconds)


# ---- framing ------------------------------------------------------------------


def test_banner_and_hello(target: HostTarget) -> None:
    info = target.client.info
    assert info.protocol == 1 and info.version == "0.1.0"
    assert info.max_payload >= 256 and info.max_handles >= 8
    assert "interp" in info.features.split(",")
    again = target.client.hello()
    assert again == info


def test_corrupted_frame_gets_protocol_error_and_next_frame_works(target: HostTarget) -> None:
    client = target.client
    bad = bytearray(encode_frame(FrameType.HELLO, 77))
    bad[-1] ^= 0xFF
    client.stream.write(bytes(bad))
    reply = raw_reply(client)
    assert (reply.type, reply.seq, reply.payload[0]) == (FrameType.ERROR, 77, Kind.PROTOCOL)
    assert b"CRC" in reply.payload
    assert client.hello().version == "0.1.0"


def test_oversized_length_unknown_type_short_payload(target: HostTarget) -> None:
    client = target.client
    client.stream.write(b"\xa5\x5a\x01\x05\xff\xff")  # len 65535 > max_payload
    reply = raw_reply(client)
    assert (reply.type, reply.seq, reply.payload[0]) == (FrameType.ERROR, 5, Kind.PROTOCOL)
    client.stream.write(encode_frame(0x55, 9))
    reply = raw_reply(client)
    assert reply.type == FrameType.ERROR and b"unknown frame type" in reply.payload
    client.stream.write(encode_frame(FrameType.INVOKE, 10, b"\x01"))
    reply = raw_reply(client)
    assert reply.type == FrameType.ERROR and b"malformed request payload" in reply.payload
    # garbage, lone sync bytes, then a good frame: found without any reply to the garbage
    client.stream.write(b"\x00\xa5\xa5\x5a\x01hello\xa5" + encode_frame(FrameType.STATS, 11))
    frames = [raw_reply(client)]
    while frames[-1].seq != 11:
        frames.append(raw_reply(client))
    assert frames[-1].type == FrameType.OK
    assert client.hello()


def test_flush_recovers_from_a_corrupted_length(target: HostTarget) -> None:
    """A length corrupted to a large allowed value swallows what follows;
    the host times out, flushes, and the line works again."""
    client = target.client
    bad = bytearray(encode_frame(FrameType.STATS, 50))
    bad[4] = 0x00
    bad[5] = 0x04  # len 1024: the agent waits for bytes that never come
    client.stream.write(bytes(bad))
    with pytest.raises(TimeoutError):
        client.request(FrameType.HELLO, timeout=0.5)
    client.flush(settle=0.3)
    assert client.stats().live_handles == 0


def test_frame_hidden_behind_a_bad_frame_is_found(target: HostTarget) -> None:
    """A bad CRC makes the agent rescan the bytes after the bad sync."""
    client = target.client
    inner = encode_frame(FrameType.STATS, 42)
    outer = bytearray(encode_frame(FrameType.HELLO, 41, inner))
    outer[-1] ^= 0x55  # the outer frame fails its CRC
    client.stream.write(bytes(outer))
    first, second = raw_reply(client), raw_reply(client)
    assert (first.type, first.seq) == (FrameType.ERROR, 41)
    assert (second.type, second.seq) == (FrameType.OK, 42)


def test_fuzzed_requests_never_crash_the_agent(target: HostTarget) -> None:
    client = target.client
    rng = random.Random(20240601)
    for _ in range(400):
        ftype = rng.choice([*range(1, 12), 0x80, 0x81, rng.randrange(256)])
        if ftype == FrameType.RUN:
            continue  # RUN of a random handle is covered below; it may stream
        payload = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 3, 4, 5, 9, 40])))
        if ftype == FrameType.LOAD_BEGIN and len(payload) >= 4:
            payload = struct.pack("<I", rng.choice([0, 10, 1 << 30, 0xFFFFFFFF])) + payload[4:]
        try:
            client.request(ftype, payload, timeout=5.0)
        except (RemoteError, ProtocolError):
            pass
        assert target.alive()
    with pytest.raises(RemoteError) as err:
        client.run(12345)
    assert err.value.kind == Kind.NOT_FOUND
    client.reset()
    assert client.stats().live_handles == 0


def test_reset_prints_the_banner_again(target: HostTarget) -> None:
    client = target.client
    client.send(FrameType.RESET)  # as a host without a reset line does to resynchronise
    assert client.wait_ready(5.0) == "0.1.0"
    assert client.stats().live_handles == 0 and client.hello()


def test_closing_stdin_ends_the_agent_cleanly(target: HostTarget) -> None:
    proc = target.proc
    client = target.client
    proc.stdin.close()
    assert proc.wait(timeout=5) == 0
    with pytest.raises(LinkLost, match="exit status 0"):
        client.read_frame(time.monotonic() + 5)


def test_killed_agent_is_reported_as_link_lost(target: HostTarget) -> None:
    client = target.client
    handle = client.load(wat(ADDER))
    client.send(FrameType.INVOKE, struct.pack("<IH", handle, 4) + b"spin" + b"\x00")
    time.sleep(0.2)
    os.kill(target.proc.pid, signal.SIGKILL)
    with pytest.raises(LinkLost, match="SIGKILL"):
        client.read_frame(time.monotonic() + 5)
    fresh = target.restart("killed")
    assert target.resets == 1 and fresh.hello().version == "0.1.0"


def test_hung_guest_times_out_and_restart_recovers(target: HostTarget) -> None:
    client = target.client
    handle = client.load(wat(ADDER))
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        client.invoke(handle, "spin", timeout=0.5)
    assert time.monotonic() - started < 3
    client = target.restart("timeout")
    handle = client.load(wat(ADDER))
    assert client.invoke(handle, "add", [Value("i32", 2), Value("i32", 3)]) == [Value("i32", 5)]


# ---- requests -------------------------------------------------------------------


def test_invoke_globals_traps_and_exhaustion(target: HostTarget) -> None:
    client = target.client
    h = client.load(wat(ADDER))
    assert client.invoke(h, "add", [Value("i32", 0xFFFFFFFF), Value("i32", 2)]) == [Value("i32", 1)]
    assert client.get_global(h, "answer") == Value("i32", 42)
    assert client.invoke(h, "bump") == [Value("i64", 8)]
    assert client.get_global(h, "counter") == Value("i64", 8)
    nan32, nan64 = 0x7FA00001, 0xFFF4000000000001  # signalling NaNs keep their payload
    assert client.invoke(h, "swap", [Value("f32", nan32), Value("f64", nan64)]) == [
        Value("f64", nan64), Value("f32", nan32)]
    for ref in (None, 0, 5, 0xFFFFFFFE):
        assert client.invoke(h, "id", [Value("externref", ref)]) == [Value("externref", ref)]
    assert client.invoke(h, "null") == [Value("funcref", None)]
    with pytest.raises(RemoteError) as err:
        client.invoke(h, "div", [Value("i32", 1), Value("i32", 0)])
    assert (err.value.kind, err.value.remote_message) == (Kind.TRAP, "integer divide by zero")
    with pytest.raises(RemoteError) as err:
        client.invoke(h, "recurse", [Value("i32", 1)])
    assert err.value.kind == Kind.EXHAUSTION
    for name, args, kind in [
        ("nope", [], Kind.NOT_FOUND),
        ("add", [Value("i32", 1)], Kind.ARGS),
        ("add", [Value("i64", 1), Value("i32", 1)], Kind.ARGS),
        ("a\0b", [], Kind.NOT_FOUND),  # NUL is legal in export names: looked up, absent
    ]:
        with pytest.raises(RemoteError) as err:
            client.invoke(h, name, args)
        assert err.value.kind == kind, name
    with pytest.raises(RemoteError) as err:
        client.invoke(999, "add", [])
    assert err.value.kind == Kind.NOT_FOUND


def test_load_errors(target: HostTarget) -> None:
    client = target.client
    cases = [
        (b"\x00asm\x02\x00\x00\x00", Kind.MALFORMED),
        (b"not wasm at all", Kind.MALFORMED),
        (wat("(module (func (result i32) (i64.const 1)))", check=False), Kind.INVALID),
        (wat('(module (import "nowhere" "f" (func)))'), Kind.LINK),
        (wat('(module (func $s unreachable) (start $s))'), Kind.TRAP),
        (wat('(module (memory 1) (data (i32.const 65535) "ab"))'), Kind.TRAP),
    ]
    if "mini-loader" in client.info.features.split(","):
        cases = [c for c in cases if c[1] != Kind.INVALID]  # nothing is validated
    for data, kind in cases:
        with pytest.raises(RemoteError) as err:
            client.load(data)
        assert err.value.kind == kind, (data[:16], err.value)
        assert err.value.remote_message
    with pytest.raises(RemoteError) as err:
        client.load(b"\x00asm\x01\x00\x00\x00" + bytes(30 << 20))
    assert err.value.kind == Kind.NOMEM
    client.request(FrameType.LOAD_BEGIN, struct.pack("<I", 10))
    with pytest.raises(RemoteError) as err:
        client.request(FrameType.LOAD_CHUNK, struct.pack("<I", 4) + b"abc")
    assert err.value.kind == Kind.ARGS
    client.request(FrameType.LOAD_BEGIN, struct.pack("<I", 10))
    with pytest.raises(RemoteError) as err:
        client.request(FrameType.LOAD_END, b"\x00")
    assert err.value.kind == Kind.ARGS
    assert client.validate(wat("(module)")) is None
    assert client.stats().live_handles == 0


def test_large_module_travels_in_many_chunks(target: HostTarget) -> None:
    client = target.client
    blob = bytes(random.Random(7).randrange(256) for _ in range(20000))
    text = "".join(f"\\{b:02x}" for b in blob)
    h = client.load(wat(f'(module (memory 1) (data (i32.const 100) "{text}")'
                        '(func (export "at") (param i32) (result i32) (i32.load8_u (local.get 0))))'))
    for off in (0, 1, 9999, 19999):
        assert client.invoke(h, "at", [Value("i32", 100 + off)]) == [Value("i32", blob[off])]


def test_register_free_reset_and_stats(target: HostTarget) -> None:
    client = target.client
    base = client.stats()
    h1 = client.load(wat(ADDER))
    client.register(h1, "lib")
    h2 = client.load(wat('(module (import "lib" "add" (func $add (param i32 i32) (result i32)))'
                         '(func (export "inc") (param i32) (result i32) (call $add (local.get 0) (i32.const 1))))'))
    assert client.invoke(h2, "inc", [Value("i32", 41)]) == [Value("i32", 42)]
    mid = client.stats()
    assert mid.live_handles == base.live_handles + 2 and mid.pool_used > base.pool_used
    client.free(h1)  # h2 keeps what it imports alive
    assert client.invoke(h2, "inc", [Value("i32", 1)]) == [Value("i32", 2)]
    with pytest.raises(RemoteError):
        client.free(h1)
    client.free(h2)
    client.reset()
    after = client.stats()
    assert after.live_handles == 0
    assert after.pool_used == base.pool_used  # RESET gives every byte back
    with pytest.raises(RemoteError):
        client.invoke(h2, "inc", [Value("i32", 1)])


def test_spectest_module_is_there_after_reset(target: HostTarget) -> None:
    client = target.client
    client.reset()
    h = client.load(wat("""(module
      (import "spectest" "global_i32" (global $i i32))
      (import "spectest" "global_i64" (global $I i64))
      (import "spectest" "global_f32" (global $f f32))
      (import "spectest" "global_f64" (global $F f64))
      (import "spectest" "table" (table 10 20 funcref))
      (import "spectest" "memory" (memory 1 2))
      (import "spectest" "print_i32_f32" (func $p (param i32 f32)))
      (import "spectest" "print_f64_f64" (func $q (param f64 f64)))
      (import "spectest" "print" (func $r))
      (func (export "get") (result i32 i64 f32 f64)
        (call $p (i32.const 1) (f32.const 2)) (call $q (f64.const 1) (f64.const 2)) (call $r)
        (global.get $i) (global.get $I) (global.get $f) (global.get $F))
      (func (export "pages") (result i32) (memory.size))
      (func (export "tsize") (result i32) (table.size 0)))"""))
    assert client.invoke(h, "get") == [
        Value("i32", 666), Value("i64", 666), Value("f32", struct.unpack("<I", struct.pack("<f", 666.6))[0]),
        Value("f64", struct.unpack("<Q", struct.pack("<d", 666.6))[0])]
    assert client.invoke(h, "pages") == [Value("i32", 1)]
    assert client.invoke(h, "tsize") == [Value("i32", 10)]
    with pytest.raises(RemoteError) as err:
        client.load(wat('(module (import "spectest" "global_i32" (global i64)))'))
    assert err.value.kind == Kind.LINK


def test_spectest_bytes_match_wat2wasm() -> None:
    """The hand-assembled spectest module in spectest.c equals its textual form."""
    src = (Path(__file__).resolve().parent.parent / "runtime_src/agent/spectest.c").read_text()
    assert '"wbspec"' in src
    wat_text = """(module
      (type (func)) (type (func (param i32))) (type (func (param i64))) (type (func (param f32)))
      (type (func (param f64))) (type (func (param i32 f32))) (type (func (param f64 f64)))
      (import "wbspec" "print" (func (type 0))) (import "wbspec" "print_i32" (func (type 1)))
      (import "wbspec" "print_i64" (func (type 2))) (import "wbspec" "print_f32" (func (type 3)))
      (import "wbspec" "print_f64" (func (type 4))) (import "wbspec" "print_i32_f32" (func (type 5)))
      (import "wbspec" "print_f64_f64" (func (type 6)))
      (table 10 20 funcref) (memory 1 2)
      (global i32 (i32.const 666)) (global i64 (i64.const 666))
      (global f32 (f32.const 666.6)) (global f64 (f64.const 666.6))
      (export "print" (func 0)) (export "print_i32" (func 1)) (export "print_i64" (func 2))
      (export "print_f32" (func 3)) (export "print_f64" (func 4)) (export "print_i32_f32" (func 5))
      (export "print_f64_f64" (func 6)) (export "table" (table 0))
      (export "global_i32" (global 0)) (export "global_i64" (global 1))
      (export "global_f32" (global 2)) (export "global_f64" (global 3))
      (export "memory" (memory 0)))"""
    expected = wat(wat_text)
    # Compile the array out of the C file with the host compiler and dump it.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "dump.c"
        array = src[src.index("#define S_WBSPEC") : src.index("static wb_status print_nothing")]
        dump.write_text("#include <stdio.h>\n#include <stdint.h>\n" + array +
                        "int main(void){fwrite(spectest_wasm,1,sizeof spectest_wasm,stdout);return 0;}\n")
        exe = Path(tmp) / "dump"
        subprocess.run(["cc", "-o", str(exe), str(dump)], check=True)
        assert subprocess.run([str(exe)], capture_output=True, check=True).stdout == expected


# ---- RUN and libc-builtin ---------------------------------------------------------

PRINTF_PROGRAM = r"""
int printf(const char *fmt, ...);
int sprintf(char *buf, const char *fmt, ...);
int snprintf(char *buf, unsigned long n, const char *fmt, ...);
int puts(const char *s);
int putchar(int c);
unsigned long strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, unsigned long n);
char *strcpy(char *d, const char *s);
int memcmp(const void *a, const void *b, unsigned long n);

int main(void) {
    char buf[64];
    volatile double d[] = {0.0, -0.0, 1.0, 3.14159, -2.5, 1e-7, 123456789.125, 1e20, 0.1, 2.675, 999.9999};
    volatile long long ll = -1234567890123LL;
    volatile unsigned long long ull = 18446744073709551615ULL;
    printf("int %d str %s hex %x float %f char %c ll %lld\n", -42, "wasm", 0xbeefu, 3.14159, 'Z', ll);
    printf("[%5d|%-5d|%05d|%+d|% d|%.3s|%10s|%-6s|]\n", 7, 7, 7, 7, 7, "abcdef", "right", "left");
    printf("[%x|%X|%#x|%#o|%o|%u|%llu|%llx|%hhd|%hd|%ld|%zu|%%]\n", 255, 255, 255, 8, 8, 4000000000u, ull, ull,
           300, 70000, -5L, (unsigned long)12);
    for (int i = 0; i < 11; i++)
        printf("%f %.2f %e %.3E %g %G %10.4f|%-12.3e|\n", d[i], d[i], d[i], d[i], d[i], d[i], d[i], d[i]);
    printf("[%*d|%-*d|%.*f|%08.3f|%+.1e]\n", 6, 42, 6, 42, 2, 3.14159, -3.14159, 12345.0);
    int n = sprintf(buf, "%s=%d", "answer", 42);
    printf("sprintf %d %s %lu\n", n, buf, strlen(buf));
    n = snprintf(buf, 8, "%s", "truncated output");
    printf("snprintf %d %s\n", n, buf);
    strcpy(buf, "copy");
    printf("cmp %d %d %d %d\n", strcmp(buf, "copy") == 0, strcmp("a", "b") < 0, strncmp("abcx", "abcy", 3) == 0,
           memcmp("xyz", "xya", 3) > 0);
    puts("puts line");
    putchar('!');
    putchar('\n');
    return 7;
}
"""


def needs_libc(target: HostTarget) -> None:
    if "libc-builtin" not in target.client.info.features.split(","):
        pytest.skip("agent built without libc-builtin")


def test_run_c_program_matches_native_printf(target: HostTarget, tmp_path: Path) -> None:
    needs_libc(target)
    cmd = wasm32_clang()
    src = tmp_path / "app.c"
    src.write_text(PRINTF_PROGRAM)
    app = tmp_path / "app.wasm"
    subprocess.run([*cmd, str(src), "-o", str(app)], check=True)
    native = tmp_path / "native"
    subprocess.run(["cc", "-w", "-O1", "-x", "c", str(src), "-o", str(native)], check=True)
    want = subprocess.run([str(native)], capture_output=True)
    assert want.returncode == 7

    client = target.client
    client.reset()
    handle = client.load(app.read_bytes())
    got = bytearray()
    assert client.run(handle, got.extend) == 7
    assert got.decode() == want.stdout.decode()


def test_libc_output_outside_run_travels_in_frames(target: HostTarget) -> None:
    needs_libc(target)
    client = target.client
    h = client.load(wat("""(module
      (import "env" "puts" (func $puts (param i32) (result i32)))
      (memory 1) (data (i32.const 8) "hi\\00")
      (func $s (drop (call $puts (i32.const 8)))) (start $s)
      (func (export "say") (result i32) (call $puts (i32.const 8))))"""))
    seen = bytearray()
    reply = client.request(FrameType.INVOKE, struct.pack("<IH", h, 3) + b"say" + b"\x00", on_output=seen.extend)
    assert bytes(seen) == b"hi\n" and reply.payload[0] == 1
    assert client.invoke(h, "say") == [Value("i32", 1)]  # output without a listener is dropped


def test_wasmbed_run_command(target: HostTarget, host_agent: Path, tmp_path: Path,
                             capfd: pytest.CaptureFixture[str]) -> None:
    from wasmbed.commands import run as run_cmd
    from wasmbed.errors import WasmbedError

    needs_libc(target)
    cmd = wasm32_clang()
    src = tmp_path / "exit.c"
    src.write_text('int printf(const char *, ...); void exit(int);\n'
                   'int main(void) { printf("hello %d\\n", 5); exit(3); return 1; }\n')
    app = tmp_path / "exit.wasm"
    subprocess.run([*cmd, str(src), "-o", str(app)], check=True)

    parser = argparse.ArgumentParser()
    run_cmd.configure(parser)
    assert run_cmd.run(parser.parse_args(["--board", "host", "--firmware", str(host_agent), str(app)])) == 3
    assert capfd.readouterr().out == "hello 5\n"

    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\x00asm\x01\x00\x00\x00\x01\x05\x01")
    with pytest.raises(WasmbedError, match="malformed"):
        run_cmd.run(parser.parse_args(["--firmware", str(host_agent), str(bad)]))
    trap = tmp_path / "trap.wasm"
    trap.write_bytes(wat('(module (func (export "_start") unreachable))'))
    with pytest.raises(WasmbedError, match="unreachable"):
        run_cmd.run(parser.parse_args(["--firmware", str(host_agent), str(trap)]))


def test_cli_run_exit_codes(host_agent: Path, tmp_path: Path) -> None:
    """`wasmbed run` through the real CLI: the app's code, or 2 with the loader's message."""
    import sys

    app = tmp_path / "seven.wasm"
    app.write_bytes(wat('(module (func (export "main") (result i32) (i32.const 7)))'))
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(bytes(range(64)))
    base = [sys.executable, "-m", "wasmbed.cli", "run", "--board", "host", "--firmware", str(host_agent)]
    root = Path(__file__).resolve().parent.parent
    ok = subprocess.run([*base, str(app)], capture_output=True, text=True, cwd=root)
    assert ok.returncode == 7, ok.stderr
    res = subprocess.run([*base, str(bad)], capture_output=True, text=True, cwd=root)
    assert res.returncode == 4 and "malformed" in res.stderr and "magic" in res.stderr
