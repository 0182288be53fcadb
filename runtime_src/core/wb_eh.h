/*
 * Legacy exception handling (feature legacy-exception-handling): the
 * compiler's try regions and the runtime's exception (docs/embedding.md,
 * "Exceptions"). Included by wb_compile.c, wb_eh.c and wb_instance.c.
 */
#ifndef WB_EH_H
#define WB_EH_H

#include "wb_internal.h"

#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
/* sub-ops in the WB_EXT_EH range */
enum {
    WB_EH_THROW = 0,   /* tagidx: pop the tag's parameters, throw         */
    WB_EH_RETHROW = 1  /* slot: throw again the exception caught in the
                        * hidden slots fp[slot..] (rethrow's catch block) */
};

/* A try body: code offsets [start, end) of one function. An exception
 * raised there (a throw, or a call it made) is matched against the
 * catches (first match wins; tag WB_NONE: catch_all); without a match it
 * goes on at `next`: the enclosing try (parent) or, for try-delegate, the
 * try the label names; WB_NONE: the caller. */
typedef struct wb_eh_region {
    uint32_t start, end;
    uint32_t next;
    uint32_t first, last;   /* chain of module->ehc (WB_NONE: none)     */
    uint32_t height;        /* fp slot of the handler's operand stack base */
    uint32_t slot;          /* fp slot where a handler keeps its exception */
    uint8_t delegate;
} wb_eh_region;

typedef struct wb_eh_catch {
    uint32_t tag;    /* tag index, WB_NONE for catch_all */
    uint32_t target; /* code offset of the handler */
    uint32_t next;   /* the try's next catch, WB_NONE */
} wb_eh_catch;

/* A tag instance: its identity is what catch compares. */
typedef struct wb_tag {
    const wb_functype *type;
} wb_tag;

/* Exception payload slots kept for rethrow; tags with more are refused. */
#ifndef WB_EH_PAYLOAD
#define WB_EH_PAYLOAD 8u
#endif
/* hidden frame slots per catch nesting level: the tag, then the payload */
#define WB_EH_GROUP (1u + WB_EH_PAYLOAD)

wb_status wb_eh_add_region(wb_module *m, uint32_t *index);
/* wb_eh.c: unwind to a handler of env's exception from the frame in x
 * (skip: start with its caller); WB_ERR_EXCEPTION when this activation has none */
struct wb_extctx;
wb_status wb_eh_unwind(struct wb_extctx *x, int skip);
wb_status wb_eh_add_catch(wb_module *m, uint32_t region, uint32_t tag, uint32_t target);
#endif
#endif
