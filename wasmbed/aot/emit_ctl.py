"""Tail calls and legacy exception handling in the WebAssembly -> C translation.

Tail calls (return_call, return_call_indirect). C compilers do not guarantee a tail call
(GCC 12 has no musttail, and the AOT C is built with -fno-optimize-sibling-calls), and the
tail-call suite recurses a million times deep. So a return_call does not call: it leaves
the callee's index and its arguments in `c->tail` / `c->tail_func`, sets trap
WB_AOT_TRAP_TAIL and returns. Its caller's call site already tests `c->trap` after the
call (the trap check every call has); in a module with tail calls, that slow path runs
the pending call in a loop (`wbx_tail`: a switch over the module's functions, through
internal trampolines that do not loop themselves) until a function returns normally, and
takes the results from `c->tail`. The native stack never holds more than the caller, the
loop and one callee. The runtime's entry trampolines of such a module own the buffer and
run the same loop, so WB_AOT_TRAP_TAIL never leaves the module. Modules without tail
calls get `TAILED()` = 0: their call sites compile to exactly the code they had.

Exceptions. A throw stores the tag and payload where the interpreter keeps an exception
(the runtime's env, through `c->ctl->throw_`) and travels as trap STATUS with status
WB_AOT_STATUS_EXCEPTION, like any failed runtime call. Inside a try body the check after
each call goes to the try's handler label `H<n>` instead of the function's exit `T`;
the handler tests that it is an exception (traps pass through), compares its tag with
each catch's, copies the payload into the catch's operand-stack variables and the
exception into `xt<n>`/`xv<n>` (for rethrow) and jumps to the catch; without a match it
goes on to the enclosing handler (or `T`: the caller's check takes it from there).
`delegate` sends its handler to the handler in effect at the label it names. No
setjmp/longjmp, no unwind tables: code without try is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmbed.aot.decode import Module, Reader

if TYPE_CHECKING:
    from wasmbed.aot.emit import FuncEmitter, Frame

#: C for every module (the handler form of CHK)
CTL_PRELUDE = r"""
#define CHKH(l) do { if (__builtin_expect(c->trap != 0u, 0)) goto l; } while (0)
"""
#: a pending tail call at a call site: none in a module without tail calls
NO_TAIL = "#define TAILED() 0\n"


class ControlMixin:
    """Tail calls and try/catch for FuncEmitter (state set in ctl_init)."""

    # provided by FuncEmitter
    frames: list["Frame"]
    stack: list[str]
    mod: Module
    has_mem: bool
    calls: bool
    results: list[str]

    def ctl_init(self) -> None:
        self.try_body: set[int] = set()          # try frames (labels) in their body
        self.catches: dict[int, list[tuple[int | None, str, list[tuple[str, str]]]]] = {}
        # the caught exception, per try, for rethrow: named by the try's position in the
        # body, so the checked copy (emit.py run()), entered in the middle of a catch,
        # finds what the fast copy caught
        self.eh_keep: set[int] = set()
        self.try_pos: dict[int, int] = {}        # try label -> its position
        self.tail = False                        # has return_call*

    # -- handlers -----------------------------------------------------------------
    def handler(self, upto: int | None = None) -> str:
        """The label an exception goes to from code directly inside frames[upto]
        (default: the innermost frame): the innermost try body around it, else T."""
        frames = self.frames if upto is None else self.frames[:upto + 1]
        for f in reversed(frames):
            if f.label in self.try_body:
                return f"H{f.label}"
        return "T"

    def route(self, line: str) -> str:
        """A check after a call inside a try body goes to the try's handler."""
        if self.try_body and "CHK();" in line:
            h = self.handler()
            if h != "T":
                return line.replace("CHK();", f"CHKH({h});")
        return line

    # -- calls --------------------------------------------------------------------
    def direct_call(self, call_head: str, args: list[str], res: list[str]) -> None:
        """`call_head` = "wf<i>(c": a direct call, its results, and its check: a
        pending tail call (TAILED()) runs here and leaves the results in c->tail."""
        from wasmbed.aot.emit import from_slot, nslots, slot_offsets

        h = self.handler()
        call = call_head + "".join(", " + a for a in args)
        if len(res) <= 1:
            if res:
                d = self.push(res[0])
                self.emit(f"{d} = {call});")
                took = f" {d} = {from_slot(res[0], 'c->tail', 0)};"
            else:
                self.emit(f"{call});")
                took = ""
            self.emit(f"if (UNLIKELY(c->trap != 0u)) {{ if (!TAILED()) goto {h};{took} }}")
            return
        self.emit("{")
        n = nslots(res)
        self.emit(f"    uint64_t o[{n}];")
        self.emit(f"    {call}, o);")
        self.emit(f"    if (UNLIKELY(c->trap != 0u)) {{ if (!TAILED()) goto {h}; "
                  + " ".join(f"o[{k}] = c->tail[{k}];" for k in range(n)) + " }")
        offs = slot_offsets(res)
        for k, tc in enumerate(res):
            self.emit(f"    {self.push(tc)} = {from_slot(tc, 'o', offs[k])};")
        self.emit("}")

    def _tail_args(self, type_idx: int) -> list[str]:
        from wasmbed.aot.emit import tc_of, to_bits

        t = self.mod.types[type_idx]
        args, _, _ = self.call_args(type_idx)
        return [f"tt[{k}] = {to_bits(tc_of(p), a)};" for k, (a, p) in enumerate(zip(args, t.params))]

    def op_12(self, r: Reader) -> None:  # return_call
        fi = r.uleb()
        self.calls = self.tail = True
        stores = self._tail_args(self.mod.func_types[fi])
        self.emit("{ uint64_t *tt = c->tail; " + " ".join(stores)
                  + f" c->tail_func = {fi}u; c->trap = 12u; goto T; }}")
        self.kill()

    def op_13(self, r: Reader) -> None:  # return_call_indirect
        from wasmbed.aot.emit import from_bits, tc_of

        ti = r.uleb()
        table = r.uleb()
        self.calls = self.tail = True
        idx = self.pop()
        stores = self._tail_args(ti)
        res = [tc_of(x) for x in self.mod.types[ti].results]
        if not res:
            ret = "return;"
        elif len(res) == 1:
            ret = f"return {from_bits(res[0], 'tt[0]')};"
        else:
            ret = " ".join(f"out[{k}] = tt[{k}];" for k in range(len(res))) + " return;"
        # a function of another instance: an ordinary call (nests once per instance hop)
        self.emit("{ uint64_t *tt = c->tail; uint32_t fi; " + " ".join(stores)
                  + f" fi = c->ctl->resolve(c, {table}u, {ti}u, {idx}); if (c->trap) goto T;"
                  + f" if (fi == 0xFFFFFFFFu) {{ c->rt->call_indirect(c, {table}u, {ti}u, {idx}, tt);"
                  + f" if (c->trap) goto T; {ret} }}"
                  + " c->tail_func = fi; c->trap = 12u; goto T; }")
        self.kill()

    # -- exceptions ---------------------------------------------------------------
    def op_06(self, r: Reader) -> None:  # try
        f = self._open("try", r)
        self.try_pos[f.label] = self.op_pos
        self.frames.append(f)
        self.try_body.add(f.label)
        self.catches[f.label] = []

    def _clause(self, tag: int | None) -> None:
        f = self.frames[-1]
        self.try_body.discard(f.label)
        if not f.dead:
            for line in self.copy_to(f.height, f.results):
                self.emit(line)
            self.emit(f"goto B{f.label};")
        clauses = self.catches[f.label]
        label = f"C{f.label}_{len(clauses)}"
        del self.stack[f.height:]
        payload: list[tuple[str, str]] = []
        if tag is not None:
            for tc in self.tag_params(tag):
                payload.append((self.push(tc), tc))
        clauses.append((tag, label, payload))
        self.eh_keep.add(self.try_pos[f.label])
        self.emit(f"{label}:;")
        f.dead = False
        f.has_else = True

    def tag_params(self, tag: int) -> list[str]:
        from wasmbed.aot.emit import tc_of

        return [tc_of(p) for p in self.mod.types[self.mod.tag_types[tag]].params]

    def op_07(self, r: Reader) -> None:  # catch
        self._clause(r.uleb())

    def op_19(self, r: Reader) -> None:  # catch_all
        self._clause(None)

    def end_try(self, f: "Frame", delegate: int | None = None) -> None:
        """The end of a try (frame already popped): the handler, then B<label>."""
        from wasmbed.aot import emit_mem
        from wasmbed.aot.emit import RELOAD, from_bits

        self.try_body.discard(f.label)
        if not f.dead:
            for line in self.copy_to(f.height, f.results):
                self.emit(line)
            self.emit(f"goto B{f.label};")
        if delegate is not None:
            out = self.handler(len(self.frames) - 1 - delegate)
        else:
            out = self.handler()
        self.emit(f"H{f.label}:;")
        clauses = self.catches.get(f.label, [])
        if clauses:
            k = self.try_pos[f.label]
            keep = f"xt{k} = x; c->ctl->exn_take(c, xv{k}); c->trap = 0u;"
            # memory k > 0 too (multi-memory: emit_mem.reload); a callee may have grown it
            reload = f" {RELOAD}{emit_mem.reload(self.mod)}" if self.has_mem else ""
            self.emit(f"if (c->trap == 11u && c->status == 12u) {{ uintptr_t x = c->ctl->exn_tag(c);")
            for tag, label, payload in clauses:
                sets = " ".join(f"{v} = {from_bits(tc, f'xv{k}[{j}]')};"
                                for j, (v, tc) in enumerate(payload))
                cond = "1" if tag is None else f"x == c->ctl->tag(c, {tag}u)"
                self.emit(f"    if ({cond}) {{ {keep} {sets}{reload} goto {label}; }}")
                if tag is None:
                    break
            self.emit("}")
        self.emit(f"goto {out};")
        self.emit(f"B{f.label}:;")
        del self.stack[f.height:]
        for tc in f.results:
            self.push(tc)

    def op_18(self, r: Reader) -> None:  # delegate
        depth = r.uleb()
        f = self.frames.pop()
        self.end_try(f, delegate=depth)

    def op_08(self, r: Reader) -> None:  # throw
        from wasmbed.aot.emit import to_bits

        tag = r.uleb()
        self.calls = True
        types = self.tag_params(tag)
        vals = [self.pop() for _ in types][::-1]
        sets = " ".join(f"tv[{k}] = {to_bits(tc, v)};" for k, (v, tc) in enumerate(zip(vals, types)))
        self.emit(f"{{ uint64_t tv[{max(len(types), 1)}]; {sets} "
                  f"c->ctl->throw_(c, c->ctl->tag(c, {tag}u), tv); }} goto {self.handler()};")
        self.kill()

    def op_09(self, r: Reader) -> None:  # rethrow
        depth = r.uleb()
        self.calls = True
        k = self.try_pos[self.frames[-1 - depth].label]
        self.eh_keep.add(k)
        self.emit(f"c->ctl->throw_(c, xt{k}, xv{k}); goto {self.handler()};")
        self.kill()

    def ctl_decls(self) -> list[str]:
        return [f"    uintptr_t xt{k} = 0; uint64_t xv{k}[WB_AOT_EH_PAYLOAD];"
                for k in sorted(self.eh_keep)]


def tail_slots(mod: Module) -> int:
    """Slots of the tail-call buffer: the most parameters or results of any type."""
    return max([1] + [max(len(t.params), len(t.results)) for t in mod.types])


def tail_support(emitters: list["FuncEmitter"]) -> list[str]:
    """C of a module with tail calls: internal trampolines (no loop), the loop that runs
    pending tail calls, and TAILED() for the call sites."""
    from wasmbed.aot.emit import from_bits, to_bits

    lines: list[str] = []
    for fe in emitters:
        args = ["c"] + [from_bits(tc, f"s[{k}]") for k, tc in enumerate(fe.params)]
        lines.append(f"static void wbx_u{fe.idx}(wb_aot_ctx *c, uint64_t *s) {{")
        if len(fe.results) == 1:
            lines.append(f"    {CTYPE_OF[fe.results[0]]} r = wf{fe.idx}({', '.join(args)});")
            lines.append(f"    if (!c->trap) s[0] = {to_bits(fe.results[0], 'r')};")
        elif not fe.results:
            lines.append(f"    wf{fe.idx}({', '.join(args)});")
        else:
            lines.append(f"    wf{fe.idx}({', '.join(args + ['s'])});")
        lines.append("}")
    lines.append("static void wbx_tail(wb_aot_ctx *c) {")
    lines.append("    do {")
    lines.append("        uint32_t f = c->tail_func;")
    lines.append("        c->trap = 0u;")
    lines.append("        switch (f) {")
    for fe in emitters:
        lines.append(f"        case {fe.idx}u: wbx_u{fe.idx}(c, c->tail); break;")
    lines.append("        default: c->rt->call(c, f, c->tail); break;")
    lines.append("        }")
    lines.append("    } while (c->trap == 12u);")
    lines.append("}")
    lines.append("static int wbx_tailed(wb_aot_ctx *c) {")
    lines.append("    if (c->trap != 12u) return 0;")
    lines.append("    wbx_tail(c);")
    lines.append("    return c->trap == 0u;")
    lines.append("}")
    return lines


def tail_trampoline(fe: "FuncEmitter", slots: int) -> list[str]:
    """The runtime's entry into a function of a module with tail calls: it owns the
    tail-call buffer and runs pending tail calls to the end."""
    from wasmbed.aot.emit import from_bits, to_bits

    args = ["c"] + [from_bits(tc, f"s[{k}]") for k, tc in enumerate(fe.params)]
    n = len(fe.results)
    copy = " ".join(f"s[{k}] = tb[{k}];" for k in range(n))
    lines = [f"void wbaot_t{fe.idx}(wb_aot_ctx *c, uint64_t *s) {{",
             f"    uint64_t tb[{slots}]; uint64_t *sv = c->tail; c->tail = tb;"]
    if n == 1:
        lines.append(f"    {CTYPE_OF[fe.results[0]]} r = wf{fe.idx}({', '.join(args)});")
        lines.append(f"    if (c->trap == 12u) {{ wbx_tail(c); if (!c->trap) {{ {copy} }} }}"
                     f" else s[0] = {to_bits(fe.results[0], 'r')};")
    elif n == 0:
        lines.append(f"    wf{fe.idx}({', '.join(args)});")
        lines.append("    if (c->trap == 12u) wbx_tail(c);")
    else:
        lines.append(f"    wf{fe.idx}({', '.join(args + ['s'])});")
        lines.append(f"    if (c->trap == 12u) {{ wbx_tail(c); if (!c->trap) {{ {copy} }} }}")
    lines.append("    c->tail = sv;")
    lines.append("}")
    return lines


CTYPE_OF = {"i": "uint32_t", "l": "uint64_t", "f": "float", "d": "double", "r": "uintptr_t"}
