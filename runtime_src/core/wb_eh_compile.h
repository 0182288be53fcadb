/*
 * Legacy exception handling in the validator + compiler: try, catch,
 * catch_all, delegate, throw, rethrow (feature legacy-exception-handling).
 * Included by wb_compile.c (it uses that file's comp / ctl helpers); see
 * wb_eh.c for the runtime and docs/embedding.md for the design.
 *
 * try emits no code: it opens a region (wb_eh.h) whose body ends at the
 * first catch (or at end / delegate). A catch block keeps the exception it
 * caught in hidden frame slots after the locals (one group of WB_EH_GROUP
 * slots per catch nesting level) for rethrow; a function that needs them is
 * compiled a second time with the locals' base moved up by that many slots
 * (wb_compile_func), so functions without catch blocks pay nothing.
 */
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING

/* fp slot of the hidden group of catch nesting level `level` */
static uint32_t eh_slot(comp *cc, uint32_t level)
{
    if (level + 1u > cc->eh_need)
        cc->eh_need = level + 1u;
    return LBASE(cc) - cc->eh_groups * WB_EH_GROUP + level * WB_EH_GROUP;
}

static int eh_fail(comp *cc, wb_status st)
{
    if (st)
        wb_rd_fail(cc->r, st, "out of memory");
    return st != WB_OK;
}

/* the region of the nearest try (still in its body) at ctls[0..i], else WB_NONE */
static uint32_t eh_enclosing(comp *cc, uint32_t i)
{
    while (i-- > 0)
        if (cc->ctls[i].kind == K_TRY)
            return cc->ctls[i].target;
    return WB_NONE;
}

static const wb_functype *eh_tag_type(comp *cc, uint32_t tag)
{
    wb_module *m = cc->m;
    if (tag >= m->ntags) {
        wb_rd_fail(cc->r, WB_ERR_INVALID, "unknown tag");
        return NULL;
    }
    return &m->types[m->tag_type[tag]];
}

static void eh_try(comp *cc)
{
    uint32_t np, nr, reg = WB_NONE;
    const uint8_t *pt, *rt;
    read_blocktype(cc, &np, &pt, &nr, &rt);
    if (cc->r->st)
        return;
    pop_n(cc, np, pt);
    if (live(cc) && eh_fail(cc, wb_eh_add_region(cc->m, &reg)))
        return;
    push_ctl(cc, K_TRY, np, pt, nr, rt);
    top(cc)->target = reg;
    if (reg != WB_NONE) {
        wb_eh_region *r = &cc->m->eh[reg];
        r->start = here(cc);
        r->next = eh_enclosing(cc, cc->nctl - 1u);
    }
}

/* catch tagidx / catch_all (tag WB_NONE) */
static void eh_catch(comp *cc, uint32_t tag)
{
    ctl *f = top(cc);
    const wb_functype *t = NULL;
    uint32_t level = 0, i;
    if (tag != WB_NONE && !(t = eh_tag_type(cc, tag)))
        return;
    INVALID(f->kind != K_TRY && f->kind != K_CATCH, "catch without try");
    MALFORMED(f->kind != K_TRY && f->kind != K_CATCH, "catch without try");
    pop_n(cc, f->nr, f->rt);
    INVALID(cc->nvals != f->height, "type mismatch");
    if (f->kind == K_TRY && f->target != WB_NONE) /* the try body ends here */
        cc->m->eh[f->target].end = here(cc);
    if (live(cc)) { /* the body (or the previous handler) jumps to the end */
        uint32_t at;
        emit_op(cc, OP_BR);
        at = here(cc);
        emit(cc, f->fix);
        f->fix = at;
    }
    for (i = 0; i + 1u < cc->nctl; i++)
        level += cc->ctls[i].kind >= K_CATCH;
    f->kind = tag == WB_NONE ? K_CATCH_ALL : K_CATCH;
    f->unreach = 0;
    set_barrier(cc);
    if (f->target != WB_NONE) {
        wb_eh_region *r = &cc->m->eh[f->target];
        r->height = LBASE(cc) + 1u + SH(f);
        r->slot = eh_slot(cc, level);
        if (eh_fail(cc, wb_eh_add_catch(cc->m, f->target, tag, here(cc))))
            return;
    } else {
        eh_slot(cc, level);
    }
    cc->nvals = f->height;
#if WB_FEATURE_SIMD
    cc->nslots = f->sheight;
#endif
    if (t)
        push_n(cc, t->nparams, t->types);
}

/* delegate l: the try ends; what its body raised goes to label l's try */
static void eh_delegate(comp *cc, uint32_t l)
{
    ctl *f = top(cc), *to;
    uint32_t i;
    INVALID(f->kind != K_TRY, "delegate without try");
    MALFORMED(f->kind != K_TRY, "delegate without try");
    /* l counts from outside the try */
    if (l + 1u >= cc->nctl) {
        wb_rd_fail(cc->r, WB_ERR_INVALID, "unknown label");
        return;
    }
    to = &cc->ctls[cc->nctl - 2u - l];
    if (f->target != WB_NONE) {
        wb_eh_region *r = &cc->m->eh[f->target];
        i = (uint32_t)(to - cc->ctls);
        r->delegate = 1;
        /* the label's try handles it while in its body; else the try around it */
        r->next = (to->kind == K_TRY) ? to->target : eh_enclosing(cc, i);
    }
    f->kind = K_BLOCK; /* closes like a block */
    if (f->target != WB_NONE)
        cc->m->eh[f->target].end = here(cc);
    op_end(cc);
}

static void eh_throw(comp *cc, uint32_t tag)
{
    const wb_functype *t = eh_tag_type(cc, tag);
    if (!t)
        return;
    pop_n(cc, t->nparams, t->types);
    emit_op2(cc, OP_EXT, WB_EXT_EH + WB_EH_THROW);
    emit(cc, tag);
    set_unreachable(cc);
}

static void eh_rethrow(comp *cc, uint32_t l)
{
    ctl *f = label(cc, l);
    uint32_t level = 0, i;
    if (!f)
        return;
    INVALID(f->kind < K_CATCH, "invalid rethrow label");
    MALFORMED(f->kind < K_CATCH, "invalid rethrow label");
    for (i = 0; &cc->ctls[i] != f; i++)
        level += cc->ctls[i].kind >= K_CATCH;
    emit_op2(cc, OP_EXT, WB_EXT_EH + WB_EH_RETHROW);
    emit(cc, eh_slot(cc, level));
    set_unreachable(cc);
}

/* one of the legacy EH opcodes; 0 if op is none of them */
static int eh_instr(comp *cc, uint8_t op)
{
    switch (op) {
    case 0x06: eh_try(cc); return 1;
    case 0x07: eh_catch(cc, wb_rd_u32(cc->r)); return 1;
    case 0x19: eh_catch(cc, WB_NONE); return 1;
    case 0x18: eh_delegate(cc, wb_rd_u32(cc->r)); return 1;
    case 0x08: eh_throw(cc, wb_rd_u32(cc->r)); return 1;
    case 0x09: eh_rethrow(cc, wb_rd_u32(cc->r)); return 1;
    default: return 0;
    }
}
#endif
