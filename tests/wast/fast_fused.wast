;; fast-interp's fused instructions (runtime_src/core/wb_fastc.c, docs/fast-interp.md):
;; each function below is translated to the fused form named above it (checked
;; by hand with a dump of the translation); the results are what the unfused
;; instructions give, including traps at the fused accesses and addresses that
;; wrap around 2^32 before the access.

(module
  (memory 1)
  ;; 32-bit words 1, 2, 3, ... at 0; 100, 200, 300, ... at 64
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00")
  (data (i32.const 64) "\64\00\00\00\c8\00\00\00\2c\01\00\00\90\01\00\00\f4\01\00\00")
  (data (i32.const 65528) "\07\00\00\00\09\00\00\00")

  ;; F_MUL2LA: matmul's dot product, four products of two loads added to an
  ;; accumulator (a chain of four F_MUL2LA)
  (func (export "dot4") (param $a i32) (param $b i32) (param $acc i32) (result i32)
    local.get $a i32.const 12 i32.add i32.load
    local.get $b i32.const 12 i32.add i32.load
    i32.mul
    local.get $a i32.const 8 i32.add i32.load
    local.get $b i32.const 8 i32.add i32.load
    i32.mul
    local.get $a i32.const 4 i32.add i32.load
    local.get $b i32.const 4 i32.add i32.load
    i32.mul
    local.get $a i32.load
    local.get $b i32.load
    i32.mul
    local.get $acc
    i32.add i32.add i32.add i32.add)
  ;; the same into a local (the last F_MUL2LA writes it), in a loop
  (func (export "dot_loop") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $s i32)
    loop $l
      local.get $a i32.const 4 i32.add i32.load
      local.get $b i32.const 4 i32.add i32.load
      i32.mul
      local.get $a i32.load
      local.get $b i32.load
      i32.mul
      local.get $s
      i32.add i32.add
      local.set $s
      local.get $a i32.const 8 i32.add local.set $a
      local.get $n i32.const -1 i32.add local.tee $n
      br_if $l
    end
    local.get $s)
  ;; three products: F_MUL4LA (two of them) then F_MUL2LA
  (func (export "dot3") (param $a i32) (param $b i32) (param $acc i32) (result i32)
    local.get $a i32.const 8 i32.add i32.load
    local.get $b i32.const 8 i32.add i32.load
    i32.mul
    local.get $a i32.const 4 i32.add i32.load
    local.get $b i32.const 4 i32.add i32.load
    i32.mul
    local.get $a i32.load
    local.get $b i32.load
    i32.mul
    local.get $acc
    i32.add i32.add i32.add)
  ;; one product plus an accumulator on the right / left
  (func (export "mla_r") (param $a i32) (param $b i32) (param $acc i32) (result i32)
    local.get $acc
    local.get $a i32.const 4 i32.add i32.load
    local.get $b i32.const 4 i32.add i32.load
    i32.mul
    i32.add)
  (func (export "mla_l") (param $a i32) (param $b i32) (param $acc i32) (result i32)
    local.get $a i32.const 4 i32.add i32.load
    local.get $b i32.const 4 i32.add i32.load
    i32.mul
    local.get $acc
    i32.add)
  ;; f64 multiply-then-sub/add stored (nbody's p->f -= a * b * c): two roundings,
  ;; never one fused multiply-add (the cases below differ if they were fused)
  (func (export "poke") (param i32 f64) local.get 0 local.get 1 f64.store)
  (func (export "peek") (param i32) (result f64) local.get 0 f64.load)
  ;; F_DMS: store x - y * z
  (func (export "dms") (param $p i32) (param $x f64) (param $y f64) (param $z f64)
    local.get $p
    local.get $x
    local.get $y local.get $z f64.mul
    f64.sub
    f64.store offset=8)
  ;; F_LMSST: store load(p + 0) - a * (b * c) to p + 8
  (func (export "lmsst") (param $p i32) (param $a f64) (param $b f64) (param $c f64)
    local.get $p
    local.get $p f64.load
    local.get $a local.get $b f64.mul local.get $c f64.mul
    f64.sub
    f64.store offset=8)
  ;; F_MAMST: q = p - 24; store a * (b * c) + load(q) to q
  (func (export "mamst") (param $p i32) (param $a f64) (param $b f64) (param $c f64)
    (local $q i32)
    local.get $p i32.const -24 i32.add local.tee $q
    local.get $a local.get $b f64.mul local.get $c f64.mul
    local.get $q f64.load
    f64.add
    f64.store)
  ;; F_MAMST with the load's address p + 16 (base + imm, wraps) and offset 8, stored to p
  (func (export "mamst_imm") (param $p i32) (param $a f64) (param $b f64) (param $c f64)
    local.get $p
    local.get $a local.get $b f64.mul local.get $c f64.mul
    local.get $p i32.const 16 i32.add f64.load offset=8
    f64.add
    f64.store)

  ;; F_MAMSTA: the same with the add of q = p - 24 in the one instruction
  (func (export "mamsta") (param $p i32) (param $a f64) (param $b f64) (param $c f64)
    (result i32) (local $q i32)
    local.get $p i32.const -24 i32.add local.tee $q
    local.get $a local.get $b f64.mul local.get $c f64.mul
    local.get $q f64.load offset=8
    f64.add
    f64.store offset=16
    local.get $q)
  ;; F_MALST: x = x + c * load(p + 8), stored to 0 + offset, x returned
  (func (export "malst") (param $p i32) (param $x f64) (param $c f64) (param $at i32)
    (result f64)
    local.get $at
    local.get $p i32.const 8 i32.add f64.load offset=8
    local.get $c
    f64.mul
    local.get $x
    f64.add
    local.tee $x
    f64.store offset=8
    local.get $x)

  ;; F_STBR: the sieve's marking loop, store8 to i + 2000 (offset 1), then
  ;; i += step, i <u limit
  (func (export "mark10") (param $i i32) (param $step i32) (result i32)
    loop $l
      local.get $i i32.const 2000 i32.add
      local.get $step
      i32.store8 offset=1
      local.get $i local.get $step i32.add local.tee $i
      i32.const 10 i32.lt_u
      br_if $l
    end
    local.get $i)
  (func (export "mark_big") (param $i i32) (param $step i32) (result i32)
    loop $l
      local.get $i i32.const 2000 i32.add
      local.get $step
      i32.store8 offset=1
      local.get $i local.get $step i32.add local.tee $i
      i32.const 0x7fffffff i32.lt_u
      br_if $l
    end
    local.get $i)
  (func (export "mark") (param $i i32) (param $step i32) (result i32)
    loop $l
      local.get $i i32.const 2000 i32.add
      local.get $step
      i32.store8 offset=1
      local.get $i local.get $step i32.add local.tee $i
      i32.const 70000 i32.lt_u
      br_if $l
    end
    local.get $i)
  (func (export "peek8") (param i32) (result i32) local.get 0 i32.load8_u)

  ;; loads with an offset: F_MUL2L and an add (no F_MUL2LA)
  (func (export "mla_off") (param $a i32) (param $b i32) (param $acc i32) (result i32)
    local.get $a i32.const 4 i32.add i32.load offset=4
    local.get $b i32.const 4 i32.add i32.load offset=4
    i32.mul
    local.get $acc
    i32.add)
)

(assert_return (invoke "dot4" (i32.const 0) (i32.const 64) (i32.const 5))
               (i32.const 3005))  ;; 1*100 + 2*200 + 3*300 + 4*400 + 5
(assert_return (invoke "dot4" (i32.const 4) (i32.const 64) (i32.const -1))
               (i32.const 3999))  ;; 2*100 + 3*200 + 4*300 + 5*400 - 1
;; the sum wraps around 2^32
(assert_return (invoke "dot4" (i32.const 0) (i32.const 64) (i32.const 0x7fffffff))
               (i32.const 0x80000bb7))
(assert_return (invoke "dot3" (i32.const 0) (i32.const 64) (i32.const 7))
               (i32.const 1407))  ;; 1*100 + 2*200 + 3*300 + 7
(assert_trap (invoke "dot3" (i32.const 65528) (i32.const 64) (i32.const 0))
             "out of bounds memory access")  ;; a + 8
(assert_trap (invoke "dot3" (i32.const 0) (i32.const 65532) (i32.const 0))
             "out of bounds memory access")  ;; b + 4
(assert_trap (invoke "dot3" (i32.const 0) (i32.const 65536) (i32.const 0))
             "out of bounds memory access")  ;; b
(assert_trap (invoke "dot3" (i32.const -4) (i32.const 64) (i32.const 0))
             "out of bounds memory access")  ;; a + 8, a + 4 wrap to 4, 0; a does not
;; base + imm wraps around 2^32 to a low address (in bounds)
(assert_return (invoke "mla_r" (i32.const -4) (i32.const 60) (i32.const 1))
               (i32.const 101))   ;; (-4 + 4) = 0: word 1; 60 + 4 = 64: 100
(assert_return (invoke "mla_l" (i32.const -4) (i32.const 60) (i32.const 1))
               (i32.const 101))
(assert_return (invoke "mla_r" (i32.const 65524) (i32.const 65524) (i32.const 0))
               (i32.const 49))    ;; 65528: 7 * 7
;; out of bounds at either load of each product
(assert_trap (invoke "dot4" (i32.const 65524) (i32.const 64) (i32.const 0))
             "out of bounds memory access")
(assert_trap (invoke "dot4" (i32.const 0) (i32.const 65524) (i32.const 0))
             "out of bounds memory access")
(assert_trap (invoke "dot4" (i32.const 65536) (i32.const 0) (i32.const 0))
             "out of bounds memory access")
(assert_trap (invoke "dot4" (i32.const 0) (i32.const -1) (i32.const 0))
             "out of bounds memory access")  ;; b + 12, + 8, + 4 wrap to 11, 7, 3; b does not
(assert_trap (invoke "dot4" (i32.const -16) (i32.const 64) (i32.const 0))
             "out of bounds memory access")
(assert_trap (invoke "mla_r" (i32.const 65529) (i32.const 0) (i32.const 0))
             "out of bounds memory access")
(assert_trap (invoke "mla_l" (i32.const 0) (i32.const 65529) (i32.const 0))
             "out of bounds memory access")
(assert_trap (invoke "mla_l" (i32.const -5) (i32.const 0) (i32.const 0))
             "out of bounds memory access")
(assert_return (invoke "dot_loop" (i32.const 0) (i32.const 64) (i32.const 1))
               (i32.const 500))   ;; 1*100 + 2*200
(assert_return (invoke "dot_loop" (i32.const 0) (i32.const 64) (i32.const 2))
               (i32.const 1600))  ;; + 3*100 + 4*200 (b does not move)
(assert_trap (invoke "dot_loop" (i32.const 65520) (i32.const 64) (i32.const 3))
             "out of bounds memory access")
(assert_return (invoke "mla_off" (i32.const 0) (i32.const 64) (i32.const 1))
               (i32.const 901))   ;; 3 * 300 + 1
(assert_return (invoke "mla_off" (i32.const 65524) (i32.const 64) (i32.const 1))
               (i32.const 2701))  ;; 65532: 9 * 300 + 1
(assert_trap (invoke "mla_off" (i32.const 65525) (i32.const 64) (i32.const 1))
             "out of bounds memory access")
;; y = 1 + 2^-30, z = 1 - 2^-30: y * z rounds to 1 (exactly 1 - 2^-60)
(invoke "dms" (i32.const 1024) (f64.const 1) (f64.const 0x1.00000004p+0) (f64.const 0x1.fffffff8p-1))
(assert_return (invoke "peek" (i32.const 1032)) (f64.const 0))
(invoke "dms" (i32.const 1024) (f64.const 10) (f64.const 2) (f64.const 3))
(assert_return (invoke "peek" (i32.const 1032)) (f64.const 4))
(assert_trap (invoke "dms" (i32.const 65528) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")
(assert_trap (invoke "dms" (i32.const -8) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")  ;; -8 + offset 8 does not wrap to 0
(invoke "poke" (i32.const 1040) (f64.const 1))
(invoke "lmsst" (i32.const 1040) (f64.const 0x1.00000004p+0) (f64.const 0x1.fffffff8p-1) (f64.const 1))
(assert_return (invoke "peek" (i32.const 1048)) (f64.const 0))
(invoke "poke" (i32.const 1040) (f64.const 100))
(invoke "lmsst" (i32.const 1040) (f64.const 2) (f64.const 3) (f64.const 4))
(assert_return (invoke "peek" (i32.const 1048)) (f64.const 76))
(assert_return (invoke "peek" (i32.const 1040)) (f64.const 100))
(invoke "poke" (i32.const 65528) (f64.const 5))
;; the load is in bounds, the store (offset 8) is not
(assert_trap (invoke "lmsst" (i32.const 65528) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65528)) (f64.const 5))
(assert_trap (invoke "lmsst" (i32.const 65536) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")
(invoke "poke" (i32.const 1056) (f64.const -1))
(invoke "mamst" (i32.const 1080) (f64.const 0x1.00000004p+0) (f64.const 0x1.fffffff8p-1) (f64.const 1))
(assert_return (invoke "peek" (i32.const 1056)) (f64.const 0))
(invoke "mamst" (i32.const 1080) (f64.const 2) (f64.const 3) (f64.const 4))
(assert_return (invoke "peek" (i32.const 1056)) (f64.const 24))
(invoke "mamst" (i32.const 24) (f64.const 1) (f64.const 1) (f64.const 0.5))
(assert_trap (invoke "mamst" (i32.const 16) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")  ;; p - 24 wraps to -8
(invoke "poke" (i32.const 1088) (f64.const 0.25))
(invoke "mamst_imm" (i32.const 1064) (f64.const 2) (f64.const 3) (f64.const 4))
(assert_return (invoke "peek" (i32.const 1064)) (f64.const 24.25))
;; p + 16 wraps around 2^32 to 0 (+ 8): in bounds; the store to p is not
(invoke "poke" (i32.const 8) (f64.const 1.5))
(assert_trap (invoke "mamst_imm" (i32.const -16) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")
(assert_trap (invoke "mamst_imm" (i32.const 65520) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")  ;; the load: 65536 + 8
(invoke "poke" (i32.const 1104) (f64.const -1))
(assert_return (invoke "mamsta" (i32.const 1120) (f64.const 0x1.00000004p+0) (f64.const 0x1.fffffff8p-1) (f64.const 1))
               (i32.const 1096))  ;; q is written
(assert_return (invoke "peek" (i32.const 1112)) (f64.const 0))
(invoke "poke" (i32.const 1104) (f64.const 0.5))
(assert_return (invoke "mamsta" (i32.const 1120) (f64.const 2) (f64.const 3) (f64.const 4))
               (i32.const 1096))
(assert_return (invoke "peek" (i32.const 1112)) (f64.const 24.5))
(assert_trap (invoke "mamsta" (i32.const 16) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")  ;; q = -8: the load at -8 + 8 does not wrap to 0
(assert_trap (invoke "mamsta" (i32.const 65544) (f64.const 1) (f64.const 1) (f64.const 1))
             "out of bounds memory access")  ;; the load (65528) is in bounds, the store is not
(invoke "poke" (i32.const 1136) (f64.const 3))
(assert_return (invoke "malst" (i32.const 1120) (f64.const 1) (f64.const 2) (i32.const 1136))
               (f64.const 7))
(assert_return (invoke "peek" (i32.const 1144)) (f64.const 7))
(invoke "poke" (i32.const 1136) (f64.const 0x1.fffffff8p-1))
(assert_return (invoke "malst" (i32.const 1120) (f64.const -1) (f64.const 0x1.00000004p+0) (i32.const 1136))
               (f64.const 0))
(invoke "poke" (i32.const 8) (f64.const 2))
(assert_return (invoke "malst" (i32.const -8) (f64.const 1) (f64.const 2) (i32.const 1136))
               (f64.const 5))  ;; p + 8 wraps to 0, + offset 8 = 8
(assert_trap (invoke "malst" (i32.const -16) (f64.const 1) (f64.const 2) (i32.const 1136))
             "out of bounds memory access")  ;; p + 8 = -8, + offset 8 does not wrap
(assert_trap (invoke "malst" (i32.const 65520) (f64.const 1) (f64.const 1) (i32.const 0))
             "out of bounds memory access")  ;; the load: 65528 + 8
(assert_trap (invoke "malst" (i32.const 0) (f64.const 1) (f64.const 1) (i32.const 65528))
             "out of bounds memory access")  ;; the store: 65528 + 8
;; marks 2001 + 0, 3, 6, 9 with 3 (stops at 12)
(assert_return (invoke "mark10" (i32.const 0) (i32.const 3)) (i32.const 12))
(assert_return (invoke "peek8" (i32.const 2001)) (i32.const 3))
(assert_return (invoke "peek8" (i32.const 2010)) (i32.const 3))
(assert_return (invoke "peek8" (i32.const 2011)) (i32.const 0))
(assert_return (invoke "peek8" (i32.const 2013)) (i32.const 0))
;; -2000 + 2000 wraps to 0 (+ offset 1); the value is the step's low byte; the
;; compare is unsigned (-1734 is not below 0x7fffffff: one store)
(assert_return (invoke "mark_big" (i32.const -2000) (i32.const 0x10a))
               (i32.const -1734))
(assert_return (invoke "peek8" (i32.const 1)) (i32.const 10))
;; runs past the end of memory: the stores before the trap stay
(assert_trap (invoke "mark" (i32.const 63530) (i32.const 2))
             "out of bounds memory access")
(assert_return (invoke "peek8" (i32.const 65531)) (i32.const 2))
(assert_return (invoke "peek8" (i32.const 65533)) (i32.const 2))
(assert_return (invoke "peek8" (i32.const 65535)) (i32.const 2))
(assert_trap (invoke "mark" (i32.const -2001) (i32.const 2))
             "out of bounds memory access")  ;; -2001 + 2000 = -1, + offset 1: no wrap
