# wasi-threads entry (the same job as wasi-libc's wasi_thread_start.s): the new
# thread's instance has its own __stack_pointer global; set it from the start
# argument (a struct whose first word is the stack top), then run thread_main.
	.text
	.globaltype __stack_pointer, i32
	.functype thread_main (i32, i32) -> ()
	.export_name wasi_thread_start, wasi_thread_start
	.globl wasi_thread_start
	.type wasi_thread_start,@function
wasi_thread_start:
	.functype wasi_thread_start (i32, i32) -> ()
	local.get 1
	i32.load 0
	global.set __stack_pointer
	local.get 0
	local.get 1
	call thread_main
	end_function
