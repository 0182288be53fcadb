;; The classic interpreter's fused instructions (runtime_src/core/wb_compile.c,
;; WB_FUSE2) and its 32-bit bounds checks: each function below is compiled to one
;; of them; the results are what the unfused instructions give.

(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13\14")

  ;; local.get; i32.const; i32.and / i32.shr_u
  (func (export "lget_andi") (param i32) (result i32)
    local.get 0 i32.const 255 i32.and)
  (func (export "lget_shrui") (param i32) (result i32)
    local.get 0 i32.const 8 i32.shr_u)
  (func (export "lget_shrui_big") (param i32) (result i32)
    local.get 0 i32.const 40 i32.shr_u)  ;; the count is taken mod 32

  ;; i32.const s; i32.shl; i32.const c; i32.add; i32.load off (table lookup)
  (func (export "idx_ld32") (param i32) (result i32)
    local.get 0 i32.const 2 i32.shl i32.const 4 i32.add i32.load offset=4)
  (func (export "idx_ld32_far") (param i32) (result i32)
    local.get 0 i32.const 2 i32.shl i32.const 65532 i32.add i32.load offset=0)

  ;; local.get a; i32.const c; i32.add; local.set / local.tee d
  (func (export "laddi_set") (param i32) (result i32) (local i32)
    local.get 0 i32.const -3 i32.add local.set 1
    local.get 1)
  (func (export "laddi_tee") (param i32) (result i32) (local i32)
    local.get 0 i32.const 7 i32.add local.tee 1
    local.get 1 i32.mul)

  ;; local.get a; local.get b; i32.add
  (func (export "ll_add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)

  ;; i32.xor / i32.add; local.set / local.tee
  (func (export "xor_set") (param i32 i32) (result i32) (local i32)
    i32.const 100
    local.get 0 local.get 1 i32.xor local.set 2
    local.get 2 i32.sub)
  (func (export "xor_tee") (param i32 i32) (result i32) (local i32)
    local.get 0 local.get 1 i32.xor local.tee 2
    local.get 2 i32.add)
  (func (export "add_set") (param i32 i32) (result i32) (local i32)
    i32.const 100
    local.get 0 local.get 1 i32.add local.set 2
    local.get 2 i32.sub)

  ;; local.get b; i32.add; local.set d  /  i32.const c; local.set d
  (func (export "addl_set") (param i32 i32) (result i32) (local i32)
    local.get 0 i32.const 1 i32.shl local.get 1 i32.add local.set 2
    local.get 2)
  (func (export "const_set") (param i32) (result i32) (local i32)
    i32.const -5 local.set 1
    local.get 1 local.get 0 i32.add)

  ;; local.get; br_if
  (func (export "lbr_if") (param i32) (result i32)
    block
      local.get 0 br_if 0
      i32.const 10 return
    end
    i32.const 20)

  ;; loop ends: local.tee; br_if  /  local.tee; i32.const; i32.ne; br_if
  (func (export "count_to_zero") (param i32) (result i32) (local i32)
    i32.const 0 local.get 0 i32.sub local.set 0
    loop
      local.get 1 i32.const 3 i32.add local.set 1
      local.get 0 i32.const 1 i32.add local.tee 0
      br_if 0
    end
    local.get 1)
  (func (export "count_to_n") (param i32) (result i32) (local i32 i32)
    loop
      local.get 2 i32.const 5 i32.add local.set 2
      local.get 1 i32.const 1 i32.add local.tee 1
      local.get 0 i32.ne
      br_if 0
    end
    loop
      local.get 2 i32.const 1 i32.add local.set 2
      local.get 1 i32.const 2 i32.add local.tee 1
      i32.const 40 i32.ne
      br_if 0
    end
    local.get 2)

  ;; return with 0, 1 and 2 results (the 1-result return is a fast path)
  (func $two (param i32) (result i32 i32) local.get 0 local.get 0 i32.const 1 i32.add)
  (func (export "two") (param i32) (result i32)
    i32.const 1000 local.get 0 call $two i32.sub i32.add)
  (func $none (param i32))
  (func (export "none") (param i32) (result i32)
    i32.const 77 local.get 0 call $none)

  ;; bounds: the last 4 bytes of the memory, one past, an address whose sum with
  ;; the offset carries out of 32 bits
  (func (export "ld32") (param i32) (result i32) local.get 0 i32.load)
  (func (export "ld32_off") (param i32) (result i32) local.get 0 i32.load offset=2)
  (func (export "ld8") (param i32) (result i32) local.get 0 i32.load8_u offset=1)
  (func (export "lga_ld32") (param i32) (result i32)
    local.get 0 i32.const 4 i32.add i32.load offset=4)
  (func (export "st64") (param i32) local.get 0 i64.const -1 i64.store)
)

(assert_return (invoke "lget_andi" (i32.const 0x12345678)) (i32.const 0x78))
(assert_return (invoke "lget_shrui" (i32.const 0x80000000)) (i32.const 0x800000))
(assert_return (invoke "lget_shrui_big" (i32.const 0x12345678)) (i32.const 0x123456))
(assert_return (invoke "idx_ld32" (i32.const 0)) (i32.const 0x0c0b0a09))
(assert_return (invoke "idx_ld32" (i32.const 1)) (i32.const 0x100f0e0d))
(assert_return (invoke "idx_ld32" (i32.const 0x3fffffff)) (i32.const 0x08070605))
(assert_trap (invoke "idx_ld32" (i32.const 0x3fff)) "out of bounds memory access")
(assert_return (invoke "idx_ld32_far" (i32.const 0)) (i32.const 0))
(assert_trap (invoke "idx_ld32_far" (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "idx_ld32_far" (i32.const 0x3fffc001)) (i32.const 0x04030201))
(assert_return (invoke "laddi_set" (i32.const 1)) (i32.const -2))
(assert_return (invoke "laddi_tee" (i32.const 2)) (i32.const 81))
(assert_return (invoke "ll_add" (i32.const -1) (i32.const 3)) (i32.const 2))
(assert_return (invoke "xor_set" (i32.const 6) (i32.const 3)) (i32.const 95))
(assert_return (invoke "xor_tee" (i32.const 6) (i32.const 3)) (i32.const 10))
(assert_return (invoke "add_set" (i32.const 0xffffffff) (i32.const 2)) (i32.const 99))
(assert_return (invoke "addl_set" (i32.const 0x80000001) (i32.const 5)) (i32.const 7))
(assert_return (invoke "const_set" (i32.const 2)) (i32.const -3))
(assert_return (invoke "lbr_if" (i32.const 0)) (i32.const 10))
(assert_return (invoke "lbr_if" (i32.const 0x100)) (i32.const 20))
(assert_return (invoke "count_to_zero" (i32.const 4)) (i32.const 12))
(assert_return (invoke "count_to_n" (i32.const 6)) (i32.const 47))
(assert_return (invoke "two" (i32.const 5)) (i32.const 999))
(assert_return (invoke "none" (i32.const 5)) (i32.const 77))
(assert_return (invoke "ld32" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "ld32" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "ld32" (i32.const 0xffffffff)) "out of bounds memory access")
(assert_trap (invoke "ld32_off" (i32.const 0xfffffffe)) "out of bounds memory access")
(assert_trap (invoke "ld32_off" (i32.const 65531)) "out of bounds memory access")
(assert_return (invoke "ld8" (i32.const 65534)) (i32.const 0))
(assert_trap (invoke "ld8" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "ld8" (i32.const 0xffffffff)) "out of bounds memory access")
(assert_return (invoke "lga_ld32" (i32.const 0xfffffffc)) (i32.const 0x08070605))
(assert_trap (invoke "lga_ld32" (i32.const 65528)) "out of bounds memory access")
(assert_trap (invoke "st64" (i32.const 65529)) "out of bounds memory access")

;; a memory of 0 pages: every access traps
(module
  (memory 0)
  (func (export "ld8") (param i32) (result i32) local.get 0 i32.load8_u)
  (func (export "ld32") (param i32) (result i32) local.get 0 i32.load)
)
(assert_trap (invoke "ld8" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "ld32" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "ld32" (i32.const 0xfffffffc)) "out of bounds memory access")
