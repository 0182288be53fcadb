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
