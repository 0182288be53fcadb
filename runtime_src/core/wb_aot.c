/*
 * AOT runtime: loads an AOT file (see docs/aot.md), checks its header,
 * checksum and target, copies its position-independent code image into
 * executable memory, applies its relocations (each one adds the load
 * address to a pointer-sized word) and binds it to the instance through a
 * wb_aot_ctx. The module's types, imports, exports and segments come from
 * the stripped WebAssembly module inside the file, read by the ordinary
 * loader, so AOT and interpreted modules share instances, tables, linking
 * and the embedding API.
 */
#include "wb_internal.h"

#if WB_FEATURE_AOT
#include "wb_aot.h"
#include "wb_aot_abi.h"

#ifndef WB_BOARD_TRIPLE
#define WB_BOARD_TRIPLE "x86_64-pc-linux-gnu"
#endif
#ifndef WB_AOT_STACK_BUDGET
#if WB_PLATFORM_BAREMETAL && defined(WB_STACK_SIZE)
#define WB_AOT_STACK_BUDGET ((WB_STACK_SIZE) / 4u * 3u)
#elif WB_PLATFORM_BAREMETAL
#define WB_AOT_STACK_BUDGET (48u * 1024u)
#else
#define WB_AOT_STACK_BUDGET (4u * 1024u * 1024u)
#endif
#endif

/* the ABI string: pointer size, byte order, float calling convention */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define WB_AOT_ABI_P "p64"
#else
#define WB_AOT_ABI_P "p32"
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WB_AOT_ABI_E "-be"
#else
#define WB_AOT_ABI_E "-le"
#endif
#if defined(__arm__) && defined(__ARM_PCS_VFP)
#define WB_AOT_ABI_F "-hf"
#elif defined(__arm__)
#define WB_AOT_ABI_F "-sf"
#elif defined(__riscv) && defined(__riscv_float_abi_double)
#define WB_AOT_ABI_F "-d"
#elif defined(__riscv) && defined(__riscv_float_abi_single)
#define WB_AOT_ABI_F "-f"
#elif defined(__riscv)
#define WB_AOT_ABI_F "-s"
#elif defined(__mips__) && defined(__mips_hard_float)
#define WB_AOT_ABI_F "-hf"
#elif defined(__mips__)
#define WB_AOT_ABI_F "-sf"
#else
#define WB_AOT_ABI_F ""
#endif
#define WB_AOT_ABI WB_AOT_ABI_P WB_AOT_ABI_E WB_AOT_ABI_F

/* the generated code reads memories through this prefix of wb_memory */
typedef char wb_aot_chk1[(__builtin_offsetof(wb_memory, data) ==
                          __builtin_offsetof(wb_aot_mem, data)) ? 1 : -1];
typedef char wb_aot_chk2[(__builtin_offsetof(wb_memory, pages) ==
                          __builtin_offsetof(wb_aot_mem, pages)) ? 1 : -1];
typedef char wb_aot_chk3[(__builtin_offsetof(wb_global, val) == 0) ? 1 : -1];

/* ---- file header ------------------------------------------------------------ */
static const uint8_t aot_magic[8] = {'W', 'B', 'A', 'O', 'T', 0x1A, '\r', '\n'};

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        int k;
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

int wb_aot_is_file(const uint8_t *bytes, uint32_t size)
{
    return size >= 8 && !memcmp(bytes, aot_magic, 8);
}

/* NUL-padded field equal to s? */
static int field_eq(const uint8_t *f, size_t n, const char *s)
{
    size_t l = wb_strlen(s);
    return l < n && !memcmp(f, s, l) && f[l] == 0;
}

/* every comma-separated key of f (n bytes, NUL-padded) in WB_FEATURES_STRING? */
static const char *missing_feature(const uint8_t *f, size_t n)
{
    static char miss[WB_AOT_FEATURES_LEN + 1];
    const char *have = WB_FEATURES_STRING;
    size_t i = 0;
    while (i < n && f[i]) {
        size_t j = i, k;
        int found = 0;
        while (j < n && f[j] && f[j] != ',')
            j++;
        for (k = 0; have[k];) {
            size_t e = k;
            while (have[e] && have[e] != ',')
                e++;
            if (e - k == j - i && !memcmp(have + k, f + i, j - i))
                found = 1;
            k = have[e] ? e + 1 : e;
        }
        if (!found) {
            memcpy(miss, f + i, j - i);
            miss[j - i] = 0;
            return miss;
        }
        i = (j < n && f[j] == ',') ? j + 1 : j;
    }
    return NULL;
}

static wb_status refuse(wb_env *env, const char *why, const char *detail)
{
    char *e = env->err;
    size_t n = 0, cap = sizeof env->err - 1;
    const char *parts[3];
    int i;
    parts[0] = "AOT file refused: ";
    parts[1] = why;
    parts[2] = detail ? detail : "";
    for (i = 0; i < 3; i++) {
        const char *s = parts[i];
        while (*s && n < cap)
            e[n++] = *s++;
    }
    e[n] = 0;
    return WB_ERR_MALFORMED;
}

/* ---- loading ------------------------------------------------------------------ */
typedef struct wb_aot_module {
    uint8_t *code;      /* executable image (NULL: statically linked) */
    uint8_t *block;     /* heap block holding it (code is aligned inside) */
    size_t size;
    int port_mapped;    /* came from wb_port_code_alloc            */
    uint32_t nsyms;
    uint32_t *syms;     /* trampoline offset per defined function  */
    void *const *funcs; /* statically linked: trampoline addresses */
} wb_aot_module;

/* Relocation kinds (low 2 bits of each entry; wasmbed/aot/link.py RELOC_*): the load
 * delta is added to a pointer-sized word, to the upper half of a MIPS `lui` (the image
 * is 64 KiB aligned: the %lo halves stay valid), or to the word index of a MIPS
 * `j`/`jal` (the image must lie inside one 256 MiB segment: that field only holds the
 * low 28 bits of the target). 32-bit fields are read in the target's byte order. */
#define WB_AOT_RELOC_WORD 0u
#define WB_AOT_RELOC_HI16 1u
#define WB_AOT_RELOC_J26 2u

static wb_status relocate(uint8_t *code, uint32_t len, const uint8_t *rel, uint32_t nrel,
                          uintptr_t delta)
{
    uint32_t i;
    for (i = 0; i < nrel; i++) {
        uint32_t r = rd32(rel + 4u * i), o = r & ~3u, kind = r & 3u, w32;
        uint8_t *p = code + o;
        if (kind == WB_AOT_RELOC_WORD) {
            uintptr_t w;
            if ((uint64_t)o + sizeof w > len)
                return WB_ERR_TRAP;
            memcpy(&w, p, sizeof w);
            w += delta;
            memcpy(p, &w, sizeof w);
            continue;
        }
        if ((uint64_t)o + 4u > len)
            return WB_ERR_TRAP;
        memcpy(&w32, p, 4);
        if (kind == WB_AOT_RELOC_HI16) {
            w32 = (w32 & 0xFFFF0000u) | ((w32 + (uint32_t)(delta >> 16)) & 0xFFFFu);
        } else if (kind == WB_AOT_RELOC_J26) {
            uintptr_t end = (uintptr_t)code + len - 1u;
            if (((uintptr_t)code ^ end) >> 28)
                return WB_ERR_MALFORMED;
            w32 = (w32 & 0xFC000000u) | ((w32 + (uint32_t)(delta >> 2)) & 0x03FFFFFFu);
        } else {
            return WB_ERR_TRAP;
        }
        memcpy(p, &w32, 4);
    }
    return WB_OK;
}

static void wb_aot_free_code(wb_env *env, wb_aot_module *am)
{
    if (am->port_mapped)
        wb_port_code_free(am->code, am->size);
    else
        wb_free(env, am->block);
    wb_free(env, am->syms);
    wb_free(env, am);
}

wb_status wb_aot_load(wb_env *env, const uint8_t *b, uint32_t size, wb_module **out)
{
    uint32_t hsize, fsize, wasm_off, wasm_len, img_off, img_len, rel_off, nrel, sym_off, nsym;
    uint32_t align;
    uint64_t base;
    wb_aot_module *am;
    const char *miss;
    wb_status st;
    uint32_t i;
    *out = NULL;
    env->err[0] = 0;
    if (size < WB_AOT_HEADER_SIZE)
        return refuse(env, "truncated header", NULL);
    if (rd16(b + 8) != WB_AOT_FORMAT_VERSION)
        return refuse(env, "unsupported format version", NULL);
    if (rd16(b + 10) != WB_AOT_ABI_VERSION)
        return refuse(env, "compiled for another runtime ABI version", NULL);
    hsize = rd32(b + 12);
    fsize = rd32(b + 16);
    if (hsize != WB_AOT_HEADER_SIZE)
        return refuse(env, "bad header size", NULL);
    if (fsize != size)
        return refuse(env, fsize > size ? "truncated file" : "trailing bytes after the file", NULL);
    if (crc32(b + 24, size - 24) != rd32(b + 20))
        return refuse(env, "checksum mismatch (corrupted file)", NULL);
    if (!field_eq(b + 24, 40, WB_BOARD_TRIPLE))
        return refuse(env, "compiled for another target; this runtime is ", WB_BOARD_TRIPLE);
    if (!field_eq(b + 64, 24, WB_AOT_ABI))
        return refuse(env, "compiled for another ABI; this runtime is ", WB_AOT_ABI);
    miss = missing_feature(b + 88, WB_AOT_FEATURES_LEN);
    if (miss)
        return refuse(env, "needs a feature this runtime lacks: ", miss);
    wasm_off = rd32(b + 128);
    wasm_len = rd32(b + 132);
    img_off = rd32(b + 136);
    img_len = rd32(b + 140);
    rel_off = rd32(b + 144);
    nrel = rd32(b + 148);
    sym_off = rd32(b + 152);
    nsym = rd32(b + 156);
    base = rd64(b + 160);
    align = rd32(b + 168) ? rd32(b + 168) : 16u;
    if ((align & (align - 1u)) != 0 || align > 65536u)
        return refuse(env, "bad image alignment", NULL);
    if ((uint64_t)wasm_off + wasm_len > size || (uint64_t)img_off + img_len > size ||
        (uint64_t)rel_off + (uint64_t)nrel * 4u > size ||
        (uint64_t)sym_off + (uint64_t)nsym * 4u > size)
        return refuse(env, "section outside the file", NULL);
#if WB_FEATURE_AOT_VALIDATOR
    /* the CRC catches damage; these catch a crafted file with a fresh CRC */
    for (i = 0; i < nrel; i++) {
        uint32_t r = rd32(b + rel_off + 4u * i), o = r & ~3u, kind = r & 3u;
        if (kind == WB_AOT_RELOC_WORD ? (uint64_t)o + sizeof(uintptr_t) > img_len ||
                                            (o % sizeof(uintptr_t)) != 0
                                      : (uint64_t)o + 4u > img_len)
            return refuse(env, "relocation outside the code image", NULL);
        if (kind == WB_AOT_RELOC_HI16 && align < 65536u)
            return refuse(env, "upper-half relocation in an image not 64 KiB aligned", NULL);
        if (kind > WB_AOT_RELOC_J26)
            return refuse(env, "unknown relocation kind", NULL);
    }
    for (i = 0; i < nsym; i++)
        if ((rd32(b + sym_off + 4u * i) & ~1u) >= img_len)
            return refuse(env, "symbol outside the code image", NULL);
#endif

    st = wb_module_load_wasm(env, b + wasm_off, wasm_len, out);
    if (st)
        return st;
    if ((*out)->nfuncs - (*out)->nfunc_imports != nsym) {
        wb_module_free(*out);
        *out = NULL;
        return refuse(env, "symbol table does not match the module", NULL);
    }
    am = (wb_aot_module *)wb_alloc(env, sizeof *am);
    if (am)
        am->syms = (uint32_t *)wb_alloc(env, (size_t)nsym * 4u + 4u);
    if (!am || !am->syms) {
        wb_free(env, am);
        wb_module_free(*out);
        *out = NULL;
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    }
    am->size = img_len;
    am->code = (uint8_t *)wb_port_code_alloc(img_len);
    am->port_mapped = am->code != NULL;
    if (am->code && ((uintptr_t)am->code & (align - 1u))) { /* mapping not aligned enough */
        wb_port_code_free(am->code, img_len);
        am->code = NULL;
        am->port_mapped = 0;
    }
    if (!am->code) {
        am->block = (uint8_t *)wb_alloc(env, img_len + align);
        if (am->block)
            am->code = am->block + ((align - ((uintptr_t)am->block & (align - 1u))) & (align - 1u));
    }
    if (!am->code) {
        wb_free(env, am->syms);
        wb_free(env, am);
        wb_module_free(*out);
        *out = NULL;
        return wb_fail(env, WB_ERR_NOMEM, "out of memory for AOT code");
    }
    memcpy(am->code, b + img_off, img_len);
    st = relocate(am->code, img_len, b + rel_off, nrel, (uintptr_t)am->code - (uintptr_t)base);
    if (st) {
        wb_aot_free_code(env, am);
        wb_module_free(*out);
        *out = NULL;
        return refuse(env, st == WB_ERR_MALFORMED ? "image loaded across a 256 MiB segment, "
                                                    "which its j/jal instructions cannot reach"
                                                  : "relocation outside the code image", NULL);
    }
    for (i = 0; i < nsym; i++)
        am->syms[i] = rd32(b + sym_off + 4u * i);
    am->nsyms = nsym;
    wb_port_code_seal(am->code, img_len);
    (*out)->aot = am;
    return WB_OK;
}

wb_status wb_aot_load_static(wb_env *env, const uint8_t *wasm, uint32_t len,
                             void *const *funcs, uint32_t nfuncs, wb_module **out)
{
    wb_aot_module *am;
    wb_status st = wb_module_load_wasm(env, wasm, len, out);
    if (st)
        return st;
    if ((*out)->nfuncs - (*out)->nfunc_imports != nfuncs) {
        wb_module_free(*out);
        *out = NULL;
        return refuse(env, "linked function table does not match the module", NULL);
    }
    am = (wb_aot_module *)wb_alloc(env, sizeof *am);
    if (!am) {
        wb_module_free(*out);
        *out = NULL;
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    }
    am->funcs = funcs;
    am->nsyms = nfuncs;
    (*out)->aot = am;
    return WB_OK;
}

void wb_aot_module_free(wb_module *m)
{
    wb_aot_module *am = (wb_aot_module *)m->aot;
    if (!am)
        return;
    if (am->port_mapped)
        wb_port_code_free(am->code, am->size);
    else if (am->block)
        wb_free(m->env, am->block);
    wb_free(m->env, am->syms);
    wb_free(m->env, am);
    m->aot = NULL;
}

/* ---- runtime services for the generated code ---------------------------------- */
#define INST(c) ((wb_instance *)(c)->inst)

static void set_status(wb_aot_ctx *c, wb_status st)
{
    c->trap = WB_AOT_TRAP_STATUS;
    c->status = (uint32_t)st;
}

static uint64_t rt_trunc(wb_aot_ctx *c, uint64_t bits, uint32_t kind)
{
    const char *err = NULL;
    uint64_t r = wb_trunc(bits, kind, &err);
    if (err)
        c->trap = err[0] == 'i' && err[1] == 'n' && err[2] == 'v' ? WB_AOT_TRAP_CONVERSION
                                                                 : WB_AOT_TRAP_OVERFLOW;
    return r;
}

/* Call any function with its parameters in slots[] from AOT code. */
static void call_func(wb_aot_ctx *c, wb_func *f, uint64_t *slots)
{
    wb_env *env = INST(c)->env;
    const wb_functype *t = f->type;
    wb_slot *saved_top = env->sp_top, *base;
    uint32_t saved_depth = env->depth, i;
    /* slots: a v128 takes two (wb_simd.h) */
    uint32_t np = wb_slots_of(t->nparams, t->types);
    uint32_t nr = wb_slots_of(t->nresults, t->types + t->nparams);
    uint32_t n = np > nr ? np : nr;
    wb_status st;
    if (f->aot) {
        env->depth = c->depth;
        st = wb_aot_call(env, f, slots);
        env->depth = saved_depth;
        if (st)
            set_status(c, st);
        return;
    }
    base = saved_top ? saved_top : env->stack;
    if (c->depth + 2u >= env->max_depth || base + n > env->stack + env->stack_slots) {
        c->trap = WB_AOT_TRAP_EXHAUSTED;
        return;
    }
    for (i = 0; i < np; i++)
        base[i] = slots[i];
    env->depth = c->depth;
    env->sp_top = base;
#if WB_FEATURE_INTERP
    if (f->inst)
        st = wb_interp_call(env, f, base);
    else
#endif
        st = wb_call_native(env, f, INST(c), base);
    env->sp_top = saved_top;
    env->depth = saved_depth;
    if (st) {
        set_status(c, st);
        return;
    }
    for (i = 0; i < nr; i++)
        slots[i] = base[i];
}

static void rt_call(wb_aot_ctx *c, uint32_t func, uint64_t *slots)
{
    call_func(c, INST(c)->funcs[func], slots);
}

static void rt_call_indirect(wb_aot_ctx *c, uint32_t table, uint32_t type, uint32_t elem,
                             uint64_t *slots)
{
    wb_instance *inst = INST(c);
    wb_table *t = inst->tables[table];
    wb_func *f;
    if (elem >= t->size) {
        c->trap = WB_AOT_TRAP_UNDEFINED;
        return;
    }
    f = (wb_func *)t->elems[elem];
    if (!f) {
        c->trap = WB_AOT_TRAP_UNINIT;
        return;
    }
    if (!wb_functype_eq(f->type, &inst->module->types[type])) {
        c->trap = WB_AOT_TRAP_SIGNATURE;
        return;
    }
    call_func(c, f, slots);
}

static int32_t rt_memory_grow(wb_aot_ctx *c, uint32_t mem, uint32_t delta)
{
    return wb_memory_grow(INST(c)->env, INST(c)->mems[mem], delta);
}

static void rt_memory_init(wb_aot_ctx *c, uint32_t seg, uint32_t d, uint32_t s, uint32_t n)
{
    if (wb_memory_init_seg(INST(c), seg, d, s, n))
        c->trap = WB_AOT_TRAP_MEMORY;
}

static void rt_data_drop(wb_aot_ctx *c, uint32_t seg)
{
    INST(c)->data_dropped[seg] = 1;
}

static void rt_memory_copy(wb_aot_ctx *c, uint32_t d, uint32_t s, uint32_t n)
{
    wb_memory *m = INST(c)->mems[0];
    uint64_t size = (uint64_t)m->pages * WB_PAGE;
    if ((uint64_t)d + n > size || (uint64_t)s + n > size) {
        c->trap = WB_AOT_TRAP_MEMORY;
        return;
    }
    memmove(m->data + d, m->data + s, n);
}

static void rt_memory_fill(wb_aot_ctx *c, uint32_t d, uint32_t v, uint32_t n)
{
    wb_memory *m = INST(c)->mems[0];
    if ((uint64_t)d + n > (uint64_t)m->pages * WB_PAGE) {
        c->trap = WB_AOT_TRAP_MEMORY;
        return;
    }
    memset(m->data + d, (int)(v & 0xFFu), n);
}

static uintptr_t rt_table_get(wb_aot_ctx *c, uint32_t t, uint32_t i)
{
    wb_table *tb = INST(c)->tables[t];
    if (i >= tb->size) {
        c->trap = WB_AOT_TRAP_TABLE;
        return 0;
    }
    return (uintptr_t)tb->elems[i];
}

static void rt_table_set(wb_aot_ctx *c, uint32_t t, uint32_t i, uintptr_t v)
{
    wb_table *tb = INST(c)->tables[t];
    if (i >= tb->size) {
        c->trap = WB_AOT_TRAP_TABLE;
        return;
    }
    tb->elems[i] = (void *)v;
}

static uint32_t rt_table_size(wb_aot_ctx *c, uint32_t t)
{
    return INST(c)->tables[t]->size;
}

static int32_t rt_table_grow(wb_aot_ctx *c, uint32_t t, uintptr_t init, uint32_t n)
{
    return wb_table_grow(INST(c)->env, INST(c)->tables[t], n, (void *)init);
}

static void rt_table_fill(wb_aot_ctx *c, uint32_t t, uint32_t d, uintptr_t v, uint32_t n)
{
    wb_table *tb = INST(c)->tables[t];
    uint32_t k;
    if ((uint64_t)d + n > tb->size) {
        c->trap = WB_AOT_TRAP_TABLE;
        return;
    }
    for (k = 0; k < n; k++)
        tb->elems[d + k] = (void *)v;
}

static void rt_table_copy(wb_aot_ctx *c, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                          uint32_t n)
{
    wb_table *a = INST(c)->tables[dt], *b = INST(c)->tables[st];
    if ((uint64_t)d + n > a->size || (uint64_t)s + n > b->size) {
        c->trap = WB_AOT_TRAP_TABLE;
        return;
    }
    memmove(a->elems + d, b->elems + s, (size_t)n * sizeof(void *));
}

static void rt_table_init(wb_aot_ctx *c, uint32_t t, uint32_t seg, uint32_t d, uint32_t s,
                          uint32_t n)
{
    if (wb_table_init_seg(INST(c), t, seg, d, s, n))
        c->trap = WB_AOT_TRAP_TABLE;
}

static void rt_elem_drop(wb_aot_ctx *c, uint32_t seg)
{
    INST(c)->elem_dropped[seg] = 1;
}

/* [a, a + n) inside `size` bytes, without wrap-around */
static int fits(uint64_t a, uint64_t n, uint64_t size)
{
    return a <= size && n <= size - a;
}

static uint64_t mem_bytes(const wb_memory *m)
{
#if WB_FEATURE_SHARED_MEMORY
    if (m->shared) /* another thread may grow it */
        return (uint64_t)__atomic_load_n(&m->pages, __ATOMIC_SEQ_CST) * WB_PAGE;
#endif
    return (uint64_t)m->pages * WB_PAGE;
}

static void rt_memory_init_x(wb_aot_ctx *c, uint32_t mem, uint32_t seg, uint64_t d,
                             uint32_t s, uint32_t n)
{
    wb_instance *inst = INST(c);
    const wb_data *ds = &inst->module->datas[seg];
    wb_memory *m = inst->mems[mem];
    uint32_t len = inst->data_dropped[seg] ? 0 : ds->len;
    if ((uint64_t)s + n > len || !fits(d, n, mem_bytes(m))) {
        c->trap = WB_AOT_TRAP_MEMORY;
        return;
    }
    memcpy(m->data + (size_t)d, ds->bytes + s, n);
}

static void rt_memory_copy_x(wb_aot_ctx *c, uint32_t dm, uint32_t sm, uint64_t d, uint64_t s,
                             uint64_t n)
{
    wb_memory *md = INST(c)->mems[dm], *ms = INST(c)->mems[sm];
    if (!fits(d, n, mem_bytes(md)) || !fits(s, n, mem_bytes(ms))) {
        c->trap = WB_AOT_TRAP_MEMORY;
        return;
    }
    memmove(md->data + (size_t)d, ms->data + (size_t)s, (size_t)n);
}

static void rt_memory_fill_x(wb_aot_ctx *c, uint32_t mem, uint64_t d, uint32_t v, uint64_t n)
{
    wb_memory *m = INST(c)->mems[mem];
    if (!fits(d, n, mem_bytes(m))) {
        c->trap = WB_AOT_TRAP_MEMORY;
        return;
    }
    memset(m->data + (size_t)d, (int)(v & 0xFFu), (size_t)n);
}

/* the threads proposal's instructions: the interpreter's own code (wb_atomic.c) */
static uint64_t rt_atomic(wb_aot_ctx *c, uint32_t mem, uint32_t sub, uint64_t ea, uint64_t a,
                          uint64_t b)
{
    uint64_t r = 0;
#if WB_FEATURE_SHARED_MEMORY
    wb_status st = wb_atomic_do(INST(c)->env, INST(c), mem, sub, ea, a, b, &r);
    if (st)
        set_status(c, st);
#else
    (void)mem;
    (void)sub;
    (void)ea;
    (void)a;
    (void)b;
    set_status(c, wb_fail(INST(c)->env, WB_ERR_TRAP,
                          "atomic instruction: this runtime was built without shared-memory"));
#endif
    return r;
}

static const wb_aot_rt aot_rt = {
    wb_f32_round, wb_f64_round, wb_f32_sqrt, wb_f64_sqrt, wb_f32_minmax, wb_f64_minmax,
    rt_trunc, rt_call, rt_call_indirect, rt_memory_grow, rt_memory_init, rt_data_drop,
    rt_memory_copy, rt_memory_fill, rt_table_get, rt_table_set, rt_table_size, rt_table_grow,
    rt_table_fill, rt_table_copy, rt_table_init, rt_elem_drop, rt_memory_init_x,
    rt_memory_copy_x, rt_memory_fill_x, rt_atomic,
};

/* ---- instances and calls ---------------------------------------------------------- */
wb_status wb_aot_instantiate(wb_instance *inst)
{
    wb_module *m = inst->module;
    wb_aot_module *am = (wb_aot_module *)m->aot;
    wb_aot_ctx *c = (wb_aot_ctx *)wb_alloc(inst->env, sizeof *c);
    uint32_t i, nf = m->nfuncs - m->nfunc_imports;
    if (!c)
        return wb_fail(inst->env, WB_ERR_NOMEM, "out of memory");
    c->rt = &aot_rt;
    c->mems = (wb_aot_mem **)(void *)inst->mems;
    c->globals = (uint64_t **)(void *)inst->globals;
    c->funcs = (uintptr_t *)(void *)inst->funcs;
    c->inst = inst;
    c->ctl = &wb_aot_ctl;
    c->tail = NULL;
    inst->aot = c;
    for (i = 0; i < nf; i++) {
        wb_func *f = &inst->own_funcs[i];
        f->aot = am->funcs ? am->funcs[i] : (void *)(am->code + am->syms[i]);
        f->code = NULL;
    }
    return WB_OK;
}

void wb_aot_instance_free(wb_instance *inst)
{
    wb_free(inst->env, inst->aot);
    inst->aot = NULL;
}

static const char *const trap_text[] = {
    "", "unreachable", "out of bounds memory access", "integer divide by zero",
    "integer overflow", "invalid conversion to integer", "undefined element",
    "uninitialized element", "indirect call type mismatch", "out of bounds table access",
    "call stack exhausted",
};

wb_status wb_aot_call(wb_env *env, wb_func *f, wb_slot *slots)
{
    wb_aot_ctx *c = (wb_aot_ctx *)f->inst->aot;
    uint32_t saved_depth = c->depth, saved_max = c->max_depth, code;
    uintptr_t saved_limit = c->stack_limit;
    wb_slot *saved_top = env->sp_top;
    wb_aot_tramp fn;
    wb_status st = WB_OK;
    /* called with slots on the interpreter's stack: nested interpreted
     * calls must start above them */
    if (env->stack && slots >= env->stack && slots < env->stack + env->stack_slots) {
        const wb_functype *t = f->type;
        uint32_t np = wb_slots_of(t->nparams, t->types);
        uint32_t nr = wb_slots_of(t->nresults, t->types + t->nparams);
        uint32_t n = np > nr ? np : nr;
        env->sp_top = slots + n;
    }
    /* the function pointer is data in the image: convert through uintptr_t */
    fn = (wb_aot_tramp)(uintptr_t)f->aot;
    c->depth = env->depth;
    c->max_depth = env->max_depth;
    if (!env->aot_stack_limit) {
        uintptr_t here = (uintptr_t)__builtin_frame_address(0);
        env->aot_stack_limit = here > WB_AOT_STACK_BUDGET ? here - WB_AOT_STACK_BUDGET : 1u;
        c->stack_limit = env->aot_stack_limit;
        c->trap = 0;
        fn(c, slots);
        env->aot_stack_limit = 0;
    } else {
        c->stack_limit = env->aot_stack_limit;
        c->trap = 0;
        fn(c, slots);
    }
    env->sp_top = saved_top;
    code = c->trap;
    c->trap = 0;
    c->depth = saved_depth;
    c->max_depth = saved_max;
    c->stack_limit = saved_limit;
    if (code == WB_AOT_TRAP_STATUS)
        st = (wb_status)c->status;
    else if (code == WB_AOT_TRAP_EXHAUSTED)
        st = wb_fail(env, WB_ERR_EXHAUSTION, trap_text[code]);
    else if (code)
        st = wb_fail(env, WB_ERR_TRAP, trap_text[code]);
    return st;
}

#else
typedef int wb_aot_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_AOT */
