;; fast-interp's byte-indexed table lookups (runtime_src/core/wb_fastc.c tld8 /
;; tld8x): each function below translates to one F_TLD8
;; (t[((a & m) ^ load8u(x + imm + off)) << sh + imm2 + off2]) or F_TLD8X (the same
;; ^ (y >> sh3)); the results are what the unfused instructions give (the classic
;; interpreter passes this file too). Wrapping address arithmetic, the carry out
;; of address + offset, traps at the byte load and at the table load.

(module
  (memory 1)
  (data (i32.const 0) "123456789")
  (data (i32.const 65528) "\11\22\33\44\55\66\77\88")

  ;; the CRC-32 (IEEE, reflected) table at 1024
  (func $make_table (local $i i32) (local $c i32) (local $k i32)
    loop $next
      local.get $i local.set $c
      i32.const 8 local.set $k
      loop $bit
        i32.const 0xEDB88320 local.get $c i32.const 1 i32.shr_u i32.xor
        local.get $c i32.const 1 i32.shr_u
        local.get $c i32.const 1 i32.and
        select local.set $c
        local.get $k i32.const -1 i32.add local.tee $k br_if $bit
      end
      local.get $i i32.const 2 i32.shl i32.const 1024 i32.add local.get $c i32.store
      local.get $i i32.const 1 i32.add local.tee $i i32.const 256 i32.ne br_if $next
    end)
  (start $make_table)

  ;; CRC-32 of n bytes at p: the loop's step is one F_TLD8X
  (func (export "crc32") (param $p i32) (param $n i32) (result i32) (local $c i32)
    i32.const -1 local.set $c
    block $done
      loop $step
        local.get $n i32.eqz br_if $done
        local.get $c i32.const 255 i32.and
        local.get $p i32.load8_u
        i32.xor i32.const 2 i32.shl i32.const 1024 i32.add i32.load
        local.get $c i32.const 8 i32.shr_u
        i32.xor local.set $c
        local.get $p i32.const 1 i32.add local.set $p
        local.get $n i32.const -1 i32.add local.set $n
        br $step
      end
    end
    local.get $c i32.const -1 i32.xor)

  ;; F_TLD8 alone, with offsets on both loads and a 4-bit mask
  (func (export "tld8") (param $c i32) (param $p i32) (result i32)
    local.get $c i32.const 15 i32.and
    local.get $p i32.const 3 i32.add i32.load8_u offset=2
    i32.xor i32.const 2 i32.shl i32.const 1024 i32.add i32.load offset=4)

  ;; F_TLD8X with y another local, the result teed into a local
  (func (export "tld8x") (param $c i32) (param $y i32) (param $p i32) (result i32)
    (local $r i32)
    local.get $c i32.const 255 i32.and
    local.get $p i32.const 1 i32.add i32.load8_u
    i32.xor i32.const 2 i32.shl i32.const 1024 i32.add i32.load
    local.get $y i32.const 4 i32.shr_u
    i32.xor local.tee $r)

  ;; p + 32 wraps around 2^32 before the byte load
  (func (export "wrap_byte") (param $c i32) (param $p i32) (result i32)
    local.get $c i32.const 255 i32.and
    local.get $p i32.const 32 i32.add i32.load8_u
    i32.xor i32.const 2 i32.shl i32.const 1024 i32.add i32.load)

  ;; (i << 4) + (-2048) wraps for i >= 128, else the table address is near 2^32
  (func (export "wrap_index") (param $c i32) (param $p i32) (result i32)
    local.get $c i32.const 255 i32.and
    local.get $p i32.load8_u
    i32.xor i32.const 4 i32.shl i32.const -2048 i32.add i32.load)

  ;; the byte at p + offset 1: 0xffffffff + 1 is out of bounds, not address 0
  (func (export "carry") (param $c i32) (param $p i32) (result i32)
    local.get $c i32.const 255 i32.and
    local.get $p i32.load8_u offset=1
    i32.xor i32.const 2 i32.shl i32.const 1024 i32.add i32.load
    local.get $c i32.const 8 i32.shr_u
    i32.xor)

  ;; the table at the end of memory: index 0 reads the last 4 bytes
  (func (export "far") (param $c i32) (param $p i32) (result i32)
    local.get $c i32.const 255 i32.and
    local.get $p i32.load8_u
    i32.xor i32.const 2 i32.shl i32.const 64508 i32.add i32.load offset=1024)

  ;; shift counts are taken mod 32 (34 -> 2, 40 -> 8)
  (func (export "sh34") (param $c i32) (param $p i32) (result i32)
    local.get $c i32.const 255 i32.and
    local.get $p i32.load8_u
    i32.xor i32.const 34 i32.shl i32.const 1024 i32.add i32.load
    local.get $c i32.const 40 i32.shr_u
    i32.xor)
)

(assert_return (invoke "crc32" (i32.const 0x0) (i32.const 0x9)) (i32.const 0xcbf43926))
(assert_return (invoke "crc32" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "crc32" (i32.const 0x1) (i32.const 0x5)) (i32.const 0xb1b451d7))
(assert_return (invoke "tld8" (i32.const 0x12345678) (i32.const 0x0)) (i32.const 0xb6662d3d))
(assert_return (invoke "tld8" (i32.const 0xf0) (i32.const 0x4)) (i32.const 0x77073096))
(assert_return (invoke "tld8" (i32.const 0x7) (i32.const 0xfffa)) (i32.const 0xf00f9344))
(assert_trap (invoke "tld8" (i32.const 0x7) (i32.const 0xfffb)) "out of bounds memory access")
(assert_return (invoke "tld8x" (i32.const 0xffffffff) (i32.const 0x80000000) (i32.const 0x0)) (i32.const 0xedd5be0d))
(assert_return (invoke "tld8x" (i32.const 0x12) (i32.const 0x12345678) (i32.const 0x3)) (i32.const 0xa429f00c))
(assert_trap (invoke "tld8x" (i32.const 0x0) (i32.const 0x0) (i32.const 0xffff)) "out of bounds memory access")
(assert_return (invoke "wrap_byte" (i32.const 0x0) (i32.const 0xffffffe0)) (i32.const 0x51de003a))
(assert_return (invoke "wrap_byte" (i32.const 0x55) (i32.const 0xffffffe2)) (i32.const 0xa4d1c46d))
(assert_return (invoke "wrap_byte" (i32.const 0x33) (i32.const 0xffffffe8)) (i32.const 0xe0d5e91e))
(assert_trap (invoke "wrap_byte" (i32.const 0x0) (i32.const 0xffe0)) "out of bounds memory access")
(assert_return (invoke "wrap_byte" (i32.const 0x0) (i32.const 0xffdf)) (i32.const 0xe3630b12))
(assert_return (invoke "wrap_index" (i32.const 0xc0) (i32.const 0x9)) (i32.const 0x0))
(assert_return (invoke "wrap_index" (i32.const 0xc8) (i32.const 0x9)) (i32.const 0x3b6e20c8))
(assert_return (invoke "wrap_index" (i32.const 0xb1) (i32.const 0x0)) (i32.const 0x34333231))
(assert_trap (invoke "wrap_index" (i32.const 0x0) (i32.const 0x9)) "out of bounds memory access")
(assert_trap (invoke "wrap_index" (i32.const 0x7f) (i32.const 0x9)) "out of bounds memory access")
(assert_trap (invoke "carry" (i32.const 0x0) (i32.const 0xffffffff)) "out of bounds memory access")
(assert_return (invoke "carry" (i32.const 0x0) (i32.const 0x0)) (i32.const 0xc8d75180))
(assert_return (invoke "carry" (i32.const 0x0) (i32.const 0xfffe)) (i32.const 0xe3630b12))
(assert_trap (invoke "carry" (i32.const 0x0) (i32.const 0xffff)) "out of bounds memory access")
(assert_return (invoke "far" (i32.const 0x0) (i32.const 0x9)) (i32.const 0x88776655))
(assert_trap (invoke "far" (i32.const 0x1) (i32.const 0x9)) "out of bounds memory access")
(assert_return (invoke "far" (i32.const 0x31) (i32.const 0x0)) (i32.const 0x88776655))
(assert_return (invoke "sh34" (i32.const 0xabcdef01) (i32.const 0x2)) (i32.const 0xc87c9c6f))
(assert_return (invoke "sh34" (i32.const 0x1000000) (i32.const 0x8)) (i32.const 0x5f048808))
