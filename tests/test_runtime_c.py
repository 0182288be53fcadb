"""The C runtime core (runtime_src/core, runtime_src/mem) on the host.

Builds the runtime warning-free with gcc and clang (-Wall -Wextra -Werror),
then compiles and runs a small C program against it: load a module given
as a byte array, call exports, check a trap message, check that malformed
and invalid modules are rejected, exhaust the call stack and the global
heap pool. The same program runs under AddressSanitizer + UBSan, with the
mini loader and with the global heap pool. Cross compilers check that the
sources build warning-free for Cortex-M4 and RV64.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from runtime_c_helpers import INCLUDES, MALLOC_PORT, ROOT, RT, SOURCES, WARN

BUILD = ROOT / "build" / "test_runtime_c"

# (module
#   (import "env" "twice" (func $twice (param i32) (result i32)))
#   (memory (export "memory") 1 4)
#   (global (export "g") (mut i32) (i32.const 42))
#   (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
#   (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
#   (func $fac (export "fac") (param i64) (result i64) ... recursive factorial)
#   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
#   (func $deep (export "deep") (param i32) (result i32) ... unbounded recursion)
#   (func (export "quad") (param i32) (result i32) local.get 0 call $twice call $twice)
#   (func (export "sqrt") (param f64) (result f64) local.get 0 f64.sqrt)
#   (data (i32.const 16) "wasmbed"))
SMOKE_WASM = bytes.fromhex(
    "0061736d0100000001160460017f017f60027f7f017f60017e017e60017c017c020d0103656e"
    "760574776963650000030807010102000000030504010101040606017f01412a0b073c09066d"
    "656d6f72790200016703000361646400010364697600020366616300030467726f7700040464"
    "656570000504717561640006047371727400070a47070700200020016a0b0700200020016d0b"
    "1500200050047e4201052000200042017d10037e0b0b0600200040000b0900200041016a1005"
    "0b08002000100010000b050020009f0b0b0d010041100b077761736d626564")

SMOKE_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasmbed.h"

static const unsigned char smoke[] = { %(bytes)s };

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %%d: %%s\n", __LINE__, #c); failures++; } } while (0)

static wb_status twice(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    int *calls = (int *)wb_ctx_user(ctx);
    ++*calls;
    r[0].type = WB_I32;
    r[0].of.i32 = a[0].of.i32 * 2u;
    return WB_OK;
}

static wb_value i32(uint32_t v) { wb_value x; x.type = WB_I32; x.of.i64 = 0; x.of.i32 = v; return x; }

static wb_status call1(wb_env *env, wb_instance *inst, const char *name,
                       wb_value arg, wb_value *res)
{
    wb_func *f;
    wb_status st = wb_export_func(inst, name, &f);
    if (st)
        return st;
    return wb_call(env, f, &arg, 1, res, 1);
}

int main(void)
{
    static unsigned char pool[400 * 1024];
    wb_config cfg;
    wb_env *env;
    wb_module *mod, *bad;
    wb_instance *inst;
    wb_func *f;
    wb_value args[2], res[1];
    wb_stats stats;
    int calls = 0;
    unsigned char broken[sizeof smoke];
    uint32_t size;
    uint8_t *mem;

    memset(&cfg, 0, sizeof cfg);
    cfg.pool = pool;
    cfg.pool_size = sizeof pool;
    cfg.max_call_depth = 200;
    CHECK(wb_env_new(&cfg, &env) == WB_OK);
    CHECK(strlen(wb_features()) > 0);
    CHECK(wb_register_native(env, "env", "twice", "i:i", twice, &calls) == WB_OK);
    CHECK(wb_module_load(env, smoke, sizeof smoke, &mod) == WB_OK);
    CHECK(wb_module_mem_size(mod) > 0);
    CHECK(wb_instantiate(env, mod, &inst) == WB_OK);

    /* calls */
    CHECK(wb_export_func(inst, "add", &f) == WB_OK);
    args[0] = i32(40); args[1] = i32(2);
    CHECK(wb_call(env, f, args, 2, res, 1) == WB_OK && res[0].of.i32 == 42);
    args[0].type = WB_I64;
    CHECK(wb_call(env, f, args, 2, res, 1) == WB_ERR_ARGS);
    { wb_value a; a.type = WB_I64; a.of.i64 = 20;
      CHECK(call1(env, inst, "fac", a, res) == WB_OK && res[0].of.i64 == 2432902008176640000ull); }
    CHECK(call1(env, inst, "quad", i32(5), res) == WB_OK && res[0].of.i32 == 20 && calls == 2);
    { wb_value a; a.type = WB_F64; a.of.f64 = 0x4000000000000000ull; /* 2.0 */
      CHECK(call1(env, inst, "sqrt", a, res) == WB_OK && res[0].of.f64 == 0x3FF6A09E667F3BCDull); }
    CHECK(wb_global_get(inst, "g", res) == WB_OK && res[0].of.i32 == 42);
    CHECK(wb_export_func(inst, "nope", &f) == WB_ERR_NOT_FOUND);

    /* memory and data segment */
    mem = wb_instance_memory(inst, &size);
    CHECK(mem && size == 65536 && memcmp(mem + 16, "wasmbed", 7) == 0);

    /* traps carry the spec's message; exhaustion is its own status */
    CHECK(wb_export_func(inst, "div", &f) == WB_OK);
    args[0] = i32(1); args[1] = i32(0);
    CHECK(wb_call(env, f, args, 2, res, 1) == WB_ERR_TRAP);
    CHECK(strcmp(wb_last_error(env), "integer divide by zero") == 0);
    args[0] = i32(0x80000000u); args[1] = i32(0xFFFFFFFFu);
    CHECK(wb_call(env, f, args, 2, res, 1) == WB_ERR_TRAP);
    CHECK(strcmp(wb_last_error(env), "integer overflow") == 0);
    CHECK(call1(env, inst, "deep", i32(0), res) == WB_ERR_EXHAUSTION);
    CHECK(strcmp(wb_last_error(env), "call stack exhausted") == 0);
    CHECK(call1(env, inst, "add", i32(0), res) == WB_ERR_ARGS);

    /* malformed and invalid modules are rejected */
    CHECK(wb_module_load(env, smoke, 7, &bad) == WB_ERR_MALFORMED && bad == NULL);
    memcpy(broken, smoke, sizeof smoke);
    broken[0] = 1;
    CHECK(wb_module_load(env, broken, sizeof broken, &bad) == WB_ERR_MALFORMED);
    CHECK(strcmp(wb_last_error(env), "magic header not detected") == 0);
    {   /* the module cut at every length: rejected as malformed unless the
         * cut falls between sections; never a crash */
        uint32_t n, rejected = 0;
        for (n = 0; n < sizeof smoke; n++) {
            wb_status st = wb_module_load(env, smoke, n, &bad);
            CHECK(st == WB_OK || st == WB_ERR_MALFORMED);
            if (st == WB_OK)
                wb_module_free(bad);
            else
                rejected++;
        }
        CHECK(rejected + 10 > sizeof smoke);
    }
#if !MINI
    {   /* (func (result i32) i64.const 0) */
        static const unsigned char inv[] = {0,0x61,0x73,0x6d,1,0,0,0, 1,5,1,0x60,0,1,0x7f,
            3,2,1,0, 10,6,1,4,0,0x42,0,0x0b};
        CHECK(wb_module_load(env, inv, sizeof inv, &bad) == WB_ERR_INVALID);
        CHECK(strcmp(wb_last_error(env), "type mismatch") == 0);
    }
#endif

    /* the global heap pool runs out: memory.grow says -1, loads say NOMEM */
    CHECK(call1(env, inst, "grow", i32(1), res) == WB_OK && res[0].of.i32 == 1);
#if POOL
    CHECK(call1(env, inst, "grow", i32(2), res) == WB_OK && res[0].of.i32 == 0xFFFFFFFFu);
    wb_env_stats(env, &stats);
    CHECK(stats.pool_size > 0 && stats.pool_used <= stats.pool_size);
    CHECK(stats.pool_peak >= stats.pool_used);
    {
        wb_module *mods[64];
        int k, n = 0;
        wb_status st = WB_OK;
        for (k = 0; k < 64 && st == WB_OK; k++) {
            st = wb_module_load(env, smoke, sizeof smoke, &mods[k]);
            if (st == WB_OK) {
                wb_instance *i2;
                st = wb_instantiate(env, mods[k], &i2);
                n++;
            }
        }
        CHECK(st == WB_ERR_NOMEM);
        CHECK(n > 0);
    }
    wb_env_stats(env, &stats);
    CHECK(stats.pool_peak <= stats.pool_size);
#else
    wb_env_stats(env, &stats);
    CHECK(stats.pool_size == 0 && stats.pool_used > 0);
#endif
    wb_instance_free(inst);
    wb_module_free(mod);
    wb_env_free(env);
    printf("%%s\n", failures ? "FAILED" : "OK");
    return failures != 0;
}
"""

def _have(tool: str) -> bool:
    return shutil.which(tool) is not None


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=300, **kw)  # type: ignore[call-overload]


def _smoke_sources(tmp: Path) -> list[Path]:
    c = tmp / "smoke.c"
    c.write_text(SMOKE_C % {"bytes": ",".join(str(b) for b in SMOKE_WASM)})
    port = tmp / "port.c"
    port.write_text(MALLOC_PORT)
    return [c, port]


def _build_and_run(name: str, cc: str, flags: list[str]) -> str:
    out_dir = BUILD / name
    out_dir.mkdir(parents=True, exist_ok=True)
    srcs = _smoke_sources(out_dir)
    exe = out_dir / "smoke"
    r = _run([cc, *WARN, "-g", *flags, *INCLUDES, *SOURCES, *srcs, "-o", exe])
    assert r.returncode == 0, f"{cc} {' '.join(flags)} failed:\n{r.stderr}"
    assert "warning" not in r.stderr, r.stderr
    r = _run([exe])
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stdout + r.stderr
    return r.stdout


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_builds_warning_free(cc: str) -> None:
    if not _have(cc):
        pytest.skip(f"{cc} not installed")
    out_dir = BUILD / f"objs-{cc}"
    out_dir.mkdir(parents=True, exist_ok=True)
    for variant in ([], ["-DWB_FEATURE_MINI_LOADER=1"], ["-DWB_FEATURE_GLOBAL_HEAP_POOL=1"],
                    ["-DWB_FEATURE_CUSTOM_NAME_SECTION=1"], ["-DWB_NO_COMPUTED_GOTO"]):
        for src in SOURCES:
            r = _run([cc, *WARN, "-O2", *variant, *INCLUDES, "-c", src,
                      "-o", out_dir / (src.stem + ".o")])
            assert r.returncode == 0 and not r.stderr, f"{src.name} {variant}:\n{r.stderr}"


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_smoke(cc: str) -> None:
    if not _have(cc):
        pytest.skip(f"{cc} not installed")
    _build_and_run(f"smoke-{cc}", cc, ["-O2", "-DMINI=0", "-DPOOL=0"])


def test_smoke_pool() -> None:
    _build_and_run("smoke-pool", "gcc",
                   ["-O2", "-DMINI=0", "-DPOOL=1", "-DWB_FEATURE_GLOBAL_HEAP_POOL=1"])


def test_smoke_mini_loader() -> None:
    _build_and_run("smoke-mini", "gcc",
                   ["-Os", "-DMINI=1", "-DPOOL=1", "-DWB_FEATURE_MINI_LOADER=1",
                    "-DWB_FEATURE_GLOBAL_HEAP_POOL=1"])


def test_smoke_switch_dispatch() -> None:
    _build_and_run("smoke-switch", "gcc", ["-O2", "-DMINI=0", "-DPOOL=0",
                                           "-DWB_NO_COMPUTED_GOTO"])


@pytest.mark.slow
@pytest.mark.parametrize("pool", [0, 1])
def test_smoke_sanitizers(pool: int) -> None:
    san = ["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
           "-fno-omit-frame-pointer"]
    feat = ["-DWB_FEATURE_GLOBAL_HEAP_POOL=1"] if pool else []
    _build_and_run(f"smoke-asan-{pool}", "gcc", [*san, "-DMINI=0", f"-DPOOL={pool}", *feat])


CROSS = {
    "arm-none-eabi-gcc": ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
                          "-Os", "-ffunction-sections", "-fdata-sections"],
    "riscv64-unknown-elf-gcc": ["-march=rv64imac", "-mabi=lp64", "-mcmodel=medany", "-O2",
                                "-ffreestanding"],
}


@pytest.mark.build
@pytest.mark.parametrize("cc", sorted(CROSS))
@pytest.mark.parametrize("mini", [0, 1])
def test_cross_compiles_warning_free(cc: str, mini: int) -> None:
    if not _have(cc):
        pytest.skip(f"{cc} not installed")
    out_dir = BUILD / f"cross-{cc}-{mini}"
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in SOURCES:
        r = _run([cc, *WARN, *CROSS[cc], f"-DWB_FEATURE_MINI_LOADER={mini}",
                  "-DWB_FEATURE_GLOBAL_HEAP_POOL=1", *INCLUDES, "-c", src,
                  "-o", out_dir / (src.stem + ".o")])
        assert r.returncode == 0 and not r.stderr, f"{src.name}:\n{r.stderr}"


ALLOWED_LIBC = {"memcpy", "memmove", "memset", "memcmp"}


@pytest.mark.build
@pytest.mark.parametrize("cc,flags", [
    ("gcc", ["-O2"]),
    ("arm-none-eabi-gcc", CROSS["arm-none-eabi-gcc"]),
    ("riscv64-unknown-elf-gcc", CROSS["riscv64-unknown-elf-gcc"]),
])
def test_no_libc_beyond_mem_functions(cc: str, flags: list[str]) -> None:
    """The runtime calls no C library function but memcpy & co (no libm,
    no strlen: compilers like to turn loops into such calls)."""
    if not _have(cc):
        pytest.skip(f"{cc} not installed")
    nm = cc.replace("gcc", "nm") if cc != "gcc" else "nm"
    out_dir = BUILD / f"libc-{cc}"
    out_dir.mkdir(parents=True, exist_ok=True)
    undefined: set[str] = set()
    for mini in (0, 1):
        for src in SOURCES:
            obj = out_dir / f"{src.stem}-{mini}.o"
            r = _run([cc, *WARN, *flags, f"-DWB_FEATURE_MINI_LOADER={mini}",
                      "-DWB_FEATURE_GLOBAL_HEAP_POOL=1", *INCLUDES, "-c", src, "-o", obj])
            assert r.returncode == 0, r.stderr
            r = _run([nm, "-u", obj])
            undefined |= {line.split()[-1] for line in r.stdout.splitlines() if line.strip()}
    foreign = {s for s in undefined
               if not s.startswith(("wb_", "__")) and s not in ALLOWED_LIBC}
    assert not foreign, f"calls outside the port API: {sorted(foreign)}"


# (module
#   (func (export "spin") (loop (br 0)))
#   (func (export "down") (param i32) (result i32) (local i32)   ;; counts n iterations
#     (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
#           (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
#     (local.get 1))
#   (func $rec (export "rec") (param i32) (result i32)            ;; 2^n calls, depth n
#     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
#       (else (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1)))
#                      (call $rec (i32.sub (local.get 0) (i32.const 1))))))))
FUEL_WASM = bytes.fromhex(
    "0061736d0100000001090260000060017f017f030403000101071503047370696e000004646f776e0001"
    "0372656300020a3e03070003400c000b0b1901017f0340200141016a2101200041016b22000d000b2001"
    "0b1a00200045047f410005200041016b1002200041016b10026a0b0b")

FUEL_C = r"""
#include <stdio.h>
#include <string.h>
#include "wasmbed.h"

static const unsigned char m[] = { %(bytes)s };
static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %%d: %%s\n", __LINE__, #c); failures++; } } while (0)

static wb_status call(wb_env *env, wb_instance *inst, const char *name, uint32_t arg,
                      wb_value *res)
{
    wb_func *f;
    wb_value a;
    uint32_t np, nr;
    const uint8_t *pt, *rt;
    if (wb_export_func(inst, name, &f) != WB_OK)
        return WB_ERR_NOT_FOUND;
    wb_func_type(f, &np, &pt, &nr, &rt);
    a.type = WB_I32; a.of.i64 = 0; a.of.i32 = arg;
    return wb_call(env, f, &a, np, res, nr);
}

int main(void)
{
    wb_env *env;
    wb_module *mod;
    wb_instance *inst;
    wb_value r[1];
    wb_stats before, after;
    uint64_t left;
    CHECK(wb_env_new(NULL, &env) == WB_OK);
    CHECK(wb_module_load(env, m, sizeof m, &mod) == WB_OK);
    CHECK(wb_instantiate(env, mod, &inst) == WB_OK);
    CHECK(call(env, inst, "down", 1, r) == WB_OK); /* the first call sets up the stack */
    wb_env_stats(env, &before);
#if METERING
    /* an endless loop ends with its own status and message */
    CHECK(wb_env_set_fuel(env, 100000) == WB_OK);
    CHECK(call(env, inst, "spin", 0, r) == WB_ERR_FUEL);
    CHECK(strcmp(wb_last_error(env), "all fuel consumed") == 0);
    CHECK(wb_env_fuel_left(env) == 0);
    /* each call gets the whole budget again; a loop iteration costs its body */
    CHECK(call(env, inst, "down", 1000, r) == WB_OK && r[0].of.i32 == 1000);
    left = wb_env_fuel_left(env);
    CHECK(left > 100000 - 20000 && left < 100000 - 5000);
    CHECK(call(env, inst, "down", 100000, r) == WB_ERR_FUEL);
    /* exponential recursion inside the call-depth limit: fuel ends it too */
    CHECK(call(env, inst, "rec", 40, r) == WB_ERR_FUEL);
    CHECK(call(env, inst, "rec", 10, r) == WB_OK && r[0].of.i32 == 0);
    /* the runtime keeps serving, and a budget of 0 lifts the limit */
    CHECK(wb_env_set_fuel(env, 0) == WB_OK);
    CHECK(call(env, inst, "down", 200000, r) == WB_OK && r[0].of.i32 == 200000);
#else
    CHECK(wb_env_set_fuel(env, 100) == WB_ERR_UNSUPPORTED);
    CHECK(wb_env_set_fuel(env, 0) == WB_OK);
    CHECK(call(env, inst, "down", 1000, r) == WB_OK && r[0].of.i32 == 1000);
    (void)left;
#endif
    wb_env_stats(env, &after);
    CHECK(after.pool_used == before.pool_used);
    wb_instance_free(inst);
    wb_module_free(mod);
    wb_env_free(env);
    printf("%%s\n", failures ? "FAILED" : "OK");
    return failures != 0;
}
"""


@pytest.mark.parametrize("metering,flags", [
    (1, ["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]),  # computed goto
    (1, ["-Os", "-DWB_SMALL=1"]),                                               # switch
    (0, ["-O2"]),
])
def test_instruction_metering(metering: int, flags: list[str]) -> None:
    """A fuel budget ends endless loops and exponential recursion with WB_ERR_FUEL in
    every dispatch build; compiled out, a budget is refused and nothing changes."""
    name = f"fuel-{metering}-{'_'.join(f.strip('-') for f in flags)}".replace("=", "")
    out_dir = BUILD / name
    out_dir.mkdir(parents=True, exist_ok=True)
    c = out_dir / "fuel.c"
    c.write_text(FUEL_C % {"bytes": ",".join(str(b) for b in FUEL_WASM)})
    port = out_dir / "port.c"
    port.write_text(MALLOC_PORT)
    exe = out_dir / "fuel"
    r = _run(["gcc", *WARN, "-g", *flags, f"-DMETERING={metering}",
              f"-DWB_FEATURE_INSTRUCTION_METERING={metering}", *INCLUDES, *SOURCES, c, port,
              "-o", exe])
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    r = _run([exe])
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stdout + r.stderr
