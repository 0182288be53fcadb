"""Memory accesses of the AOT translator beyond one 32-bit memory 0: memory64 (i64
addresses), multi-memory (a memory index on every access), table64 (i64 table indices)
and the threads proposal's atomics.

Memory 0 with 32-bit addresses keeps emit.py's own path unchanged (declared-minimum fast
test, grouped checks, `m0`/`ms0_N`), so modules without these proposals compile to the
same C as before. Every other memory k gets its own base and size locals `m<k>`/`ms<k>`,
reloaded where `m0` is (function entry, after every call and memory.grow). An access on
such a memory (or on a memory64 memory 0) is checked in 64-bit unsigned arithmetic on
every board, 32-bit ones included: first against the declared minimum (a constant:
`a <= min*64Ki - off - size` needs no look at the current size and cannot wrap), then
exactly (`a + off + size` must not wrap and must not exceed the size). An address is
never truncated to the pointer width before it is proven in bounds.

Atomics: loads, stores, rmw and cmpxchg are C11 builtins where every width is lock-free
and memory is in the CPU's byte order (x86-64, AArch64: `WBX_AT`); wait/notify, every
access the inline path does not admit (bounds or alignment by the cached size) and all
atomics on other CPUs call the runtime (wb_aot_rt.atomic -> wb_atomic_do in
wb_atomic.c, the interpreter's own code), with the effective address in 64 bits
(UINT64_MAX when a memory64 address wrapped).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmbed.aot.decode import Module, Reader

if TYPE_CHECKING:
    from wasmbed.aot.emit import FuncEmitter

U64_MAX = (1 << 64) - 1


def generic(mod: Module, mem: int) -> bool:
    """Does an access to `mem` take this module's path (not emit.py's memory-0 one)?"""
    return mem != 0 or is64(mod, mem)


def is64(mod: Module, mem: int) -> bool:
    return mem < len(mod.mem64) and mod.mem64[mem]


def reload(mod: Module) -> str:
    """Base and size of every memory but 0 (memory 0 is emit.RELOAD's)."""
    return "".join(f" m{k} = c->mems[{k}]->data; ms{k} = (uint64_t)c->mems[{k}]->pages << 16;"
                   for k in range(1, mod.nmems))


def decls(mod: Module) -> str:
    return "".join(f" uint8_t *m{k}; uint64_t ms{k};" for k in range(1, mod.nmems))


def size_of(mem: int) -> str:
    return "ms0" if mem == 0 else f"ms{mem}"


def base_of(mem: int) -> str:
    return "m0" if mem == 0 else f"m{mem}"


def memarg(r: Reader) -> tuple[int, int]:
    """(memory index, offset) of a memarg; bit 6 of the alignment flags a memory index."""
    align = r.uleb()
    mem = r.uleb() if align & 0x40 else 0
    return mem, r.uleb()


def check(mod: Module, mem: int, off: int, size: int, a: str) -> str:
    """`ea` of an access of `size` bytes at address `a` + `off` in memory `mem`, and its
    bounds check (64-bit unsigned on every board). The end `ea + size` is compared with
    the memory's size, a loop invariant the C compiler keeps in a register: one compare
    for a 32-bit address (the 64-bit sum cannot wrap), two for an i64 one (the sum must
    not wrap either). A test against the declared minimum comes first: a constant the C
    compiler can fold where it knows the address's range."""
    ms = size_of(mem)
    if is64(mod, mem):
        if off + size > U64_MAX:
            return "uint64_t ea = 0; TRAP(2u);"
        ea = f"uint64_t ea = {a} + {off}ull;"
        exact = f"if (UNLIKELY(ea + {size}u < {a} || ea + {size}u > {ms})) TRAP(2u);"
    else:
        ea = f"uint64_t ea = (uint64_t){a} + {off}ull;"
        exact = f"if (UNLIKELY(ea + {size}u > {ms})) TRAP(2u);"
    low = mod.mem_mins[mem] * 65536 - size - off if mem < len(mod.mem_mins) else -1
    if 0 <= low < (1 << 63):
        return f"{ea} if (UNLIKELY((uint64_t){a} > {low}ull)) {{ {exact} }}"
    return f"{ea} {exact}"


def pointer(mem: int) -> str:
    return f"({base_of(mem)} + (uintptr_t)ea)"


def load(fe: FuncEmitter, mem: int, off: int, tc: str, size: int, expr: str) -> None:
    a = fe.pop()
    d = fe.push(tc)
    fe.emit(f"{{ {check(fe.mod, mem, off, size, a)} {d} = {expr.format(p=pointer(mem))}; }}")


def store(fe: FuncEmitter, mem: int, off: int, size: int, stmt: str) -> None:
    v = fe.pop()
    a = fe.pop()
    fe.emit(f"{{ {check(fe.mod, mem, off, size, a)} {stmt.format(p=pointer(mem), v=v)}; }}")


def memory_size(fe: FuncEmitter, mem: int) -> None:
    if is64(fe.mod, mem):
        fe.emit(f"{fe.push('l')} = {size_of(mem)} >> 16;")
    else:
        fe.emit(f"{fe.push('i')} = (uint32_t)({size_of(mem)} >> 16);")


def memory_grow(fe: FuncEmitter, mem: int) -> None:
    a = fe.pop()
    if is64(fe.mod, mem):
        # more than 2^32 pages never fits: -1, as the interpreter (wb_memx.c)
        fe.emit(f"{fe.push('l')} = (uint64_t)(int64_t)({a} > 0xFFFFFFFFull ? -1 : "
                f"c->rt->memory_grow(c, {mem}u, (uint32_t){a}));")
    else:
        fe.emit(f"{fe.push('i')} = (uint32_t)c->rt->memory_grow(c, {mem}u, {a});")
    fe.reload()


def memory_init(fe: FuncEmitter, seg: int, mem: int) -> None:
    n, s, d = fe.pop(), fe.pop(), fe.pop()
    fe.emit(f"c->rt->memory_init_x(c, {mem}u, {seg}u, (uint64_t){d}, {s}, {n}); CHK();")


def memory_copy(fe: FuncEmitter, dm: int, sm: int) -> None:
    n, s, d = fe.pop(), fe.pop(), fe.pop()
    fe.emit(f"c->rt->memory_copy_x(c, {dm}u, {sm}u, (uint64_t){d}, (uint64_t){s}, "
            f"(uint64_t){n}); CHK();")


def memory_fill(fe: FuncEmitter, mem: int) -> None:
    n, v, d = fe.pop(), fe.pop(), fe.pop()
    fe.emit(f"c->rt->memory_fill_x(c, {mem}u, (uint64_t){d}, {v}, (uint64_t){n}); CHK();")


def narrow(v: str) -> str:
    """A table index operand as the runtime's u32: an i64 one (table64) saturates to
    0xFFFFFFFF, which no table reaches (so it is out of bounds), as in wb_memx.c."""
    if v.endswith("l"):
        return f"(uint32_t)({v} > 0xFFFFFFFFull ? 0xFFFFFFFFull : {v})"
    return v


def table_result(mod: Module, table: int, expr: str, signed: bool) -> tuple[str, str]:
    """(type, C expression) of table.size / table.grow's result on `table`."""
    if table < len(mod.table64) and mod.table64[table]:
        return "l", f"(uint64_t)(int64_t){expr}" if signed else f"(uint64_t){expr}"
    return "i", f"(uint32_t){expr}"


# the seven widths of every atomic load / store / rmw group, in opcode order
_AT_SIZE = (4, 8, 1, 2, 1, 2, 4)
_AT_WIDE = (False, True, False, False, True, True, True)


def skip_atomic(r: Reader) -> None:
    sub = r.uleb()
    if sub == 0x03:
        r.u8()
    else:
        memarg(r)


#: where every atomic width is a lock-free instruction of the CPU and memory is in the
#: CPU's byte order, the generated code does loads, stores, rmw and cmpxchg itself with
#: the C11 builtins (sequentially consistent, as wb_atomic.c's builtin path, so AOT and
#: interpreted threads agree); elsewhere (32-bit boards would call libatomic, big-endian
#: ones need byte swaps) every atomic instruction calls the runtime
AT_PRELUDE = r"""
#if (defined(__x86_64__) || defined(__aarch64__)) && defined(__GCC_ATOMIC_LLONG_LOCK_FREE) && \
    __GCC_ATOMIC_CHAR_LOCK_FREE == 2 && __GCC_ATOMIC_SHORT_LOCK_FREE == 2 && \
    __GCC_ATOMIC_INT_LOCK_FREE == 2 && __GCC_ATOMIC_LLONG_LOCK_FREE == 2 && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WBX_AT 1
#else
#define WBX_AT 0
#endif
"""

_RMW = ("__atomic_fetch_add", "__atomic_fetch_sub", "__atomic_fetch_and", "__atomic_fetch_or",
        "__atomic_fetch_xor", "__atomic_exchange_n")


def prelude(mod: Module) -> str:
    """AT_PRELUDE for a module whose code may hold atomics (a 0xFE byte), else nothing:
    other modules' C stays as it was."""
    code = mod.data[mod.code_section[0]:mod.code_section[1]] if mod.code_section else b""
    return AT_PRELUDE if 0xFE in code else ""


def atomic(fe: FuncEmitter, r: Reader) -> None:
    """One 0xFE instruction. Wait, notify (and, without WBX_AT, everything) call the
    runtime's atomics (wb_atomic.c). Inline, an access the cached size or the alignment
    does not admit also takes the runtime call: it reads the current size of a shared
    memory another thread may have grown and traps with the exact message (out of
    bounds / unaligned atomic)."""
    from wasmbed.aot.emit import RELOAD

    sub = r.uleb()
    if sub == 0x03:  # atomic.fence
        r.u8()
        fe.emit("#if WBX_AT")
        fe.emit("__atomic_thread_fence(__ATOMIC_SEQ_CST);")
        fe.emit("#else")
        fe.emit("(void)c->rt->atomic(c, 0u, 3u, 0u, 0u, 0u);")
        fe.emit("#endif")
        return
    mem, off = memarg(r)
    k = g = 0
    if sub == 0x00:            # notify [addr i32] -> i32
        args, res = ["i"], "i"
    elif sub in (0x01, 0x02):  # wait32 / wait64 [addr t i64] -> i32
        args, res = ["i" if sub == 0x01 else "l", "l"], "i"
    elif 0x10 <= sub <= 0x4E:
        k, g = (sub - 0x10) % 7, (sub - 0x10) // 7
        t = "l" if _AT_WIDE[k] else "i"
        args, res = {0: ([], t), 1: ([t], None), 8: ([t, t], t)}.get(g, ([t], t))
    else:
        raise fe_error(fe, f"opcode 0xfe {sub} is not supported")
    ops = [fe.pop() for _ in args][::-1]
    a = fe.pop()
    wide = is64(fe.mod, mem)
    if wide:
        ea = f"({a} + {off}ull < {a} ? 0x{U64_MAX:x}ull : {a} + {off}ull)" if off else a
    else:
        ea = f"(uint64_t){a} + {off}ull"
    vals = [f"(uint64_t){v}" for v in ops] + ["0u"] * (2 - len(ops))
    call = f"c->rt->atomic(c, {mem}u, {sub}u, ea, {vals[0]}, {vals[1]})"
    d = fe.push(res) if res else None
    ctype = "uint64_t" if res == "l" else "uint32_t"
    slow = (f"{d} = ({ctype}){call}; CHK();" if d else f"(void){call}; CHK();")
    if sub <= 0x02:  # wait, notify: the runtime's waiter queue
        fe.emit(f"{{ uint64_t ea = {ea}; {slow} }}")
        if sub != 0x00:  # another thread may have grown a shared memory while this one waited
            fe.reload()
        return
    n = _AT_SIZE[k]
    u = f"uint{8 * n}_t"
    p = f"(({u} *)(void *)({base_of(mem)} + (uintptr_t)ea))"
    if g == 0:
        fast = f"{d} = ({ctype})__atomic_load_n({p}, __ATOMIC_SEQ_CST);"
    elif g == 1:
        fast = f"__atomic_store_n({p}, ({u}){ops[0]}, __ATOMIC_SEQ_CST);"
    elif g == 8:
        fast = (f"{u} e = ({u}){ops[0]}; __atomic_compare_exchange_n({p}, &e, ({u}){ops[1]}, 0, "
                f"__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); {d} = ({ctype})e;")
    else:
        fn = _RMW[g - 2]
        fast = f"{d} = ({ctype}){fn}({p}, ({u}){ops[0]}, __ATOMIC_SEQ_CST);"
    ms = size_of(mem)
    bad = f"ea + {n}u > {ms} || (ea & {n - 1}u)" + (f" || ea + {n}u < ea" if wide else "")
    rl = RELOAD + reload(fe.mod)
    fe.emit(f"{{ uint64_t ea = {ea};")
    fe.emit("#if WBX_AT")
    fe.emit(f"if (UNLIKELY({bad})) {{ {slow} {rl} }} else {{ {fast} }}")
    fe.emit("#else")
    fe.emit(f"{slow} {rl}")
    fe.emit("#endif")
    fe.emit("}")


def fe_error(fe: FuncEmitter, msg: str) -> Exception:
    from wasmbed.aot.emit import TranslateError

    return TranslateError(f"function {fe.idx}: {msg}")
