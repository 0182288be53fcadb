/*
 * The contract between the RT-Thread port (port_rtthread.c) and a board support package:
 * the BSP registers the console as a character rt_device named RT_CONSOLE_DEVICE_NAME
 * (rtconfig.h) that supports RT_DEVICE_FLAG_INT_RX (rx_indicate from its interrupt) and
 * provides wb_bsp_exit and wb_bsp_time_us. wasmbed renders such a BSP for its QEMU boards
 * (templates/integration/rt-thread/bsp/); a user's own BSP provides the same.
 */
#ifndef WB_PORT_RTTHREAD_H
#define WB_PORT_RTTHREAD_H

#include <stdint.h>

/* End the firmware with an exit code (power-off under QEMU); never returns. */
void wb_bsp_exit(int code) __attribute__((noreturn));

/* Monotonic microseconds (RT-Thread's tick has RT_TICK_PER_SECOND resolution only). */
uint64_t wb_bsp_time_us(void);

#endif /* WB_PORT_RTTHREAD_H */
