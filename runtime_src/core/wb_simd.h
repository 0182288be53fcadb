/*
 * 128-bit SIMD (feature simd): what the compiler and wb_simd.c share.
 *
 * A v128 takes two operand-stack / local slots: the lower slot holds bytes
 * 0..7 of the vector as a little-endian number, the upper one bytes 8..15,
 * whatever the host's byte order. Every instruction is an extension op
 * (OP_EXT, sub-op = the 0xFD sub-opcode, then its immediates):
 *   loads/stores          offset
 *   load/store lane       offset lane
 *   v128.const, shuffle   4 words: bytes 0..15, little-endian in each word
 *   extract/replace lane  lane
 * plus the generic instructions on a v128 (sub-ops from 0x100 up).
 */
#ifndef WB_SIMD_H
#define WB_SIMD_H

#include "wb_ext.h"

enum {
    WB_SIMD_GLOBAL_GET = 0x100, /* globalidx */
    WB_SIMD_GLOBAL_SET = 0x101, /* globalidx */
    WB_SIMD_SELECT = 0x102      /* select on two v128 */
};

#endif
