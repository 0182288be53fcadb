/*
 * wb_port.h on RT-Thread: the console is the BSP's character device
 * (RT_CONSOLE_DEVICE_NAME, read with RT_DEVICE_FLAG_INT_RX and a semaphore released by
 * its rx_indicate), time from the BSP (the RT-Thread tick refined by the tick timer),
 * memory is rt_malloc's system heap.
 * The agent's main() runs in RT-Thread's main thread (RT_USING_USER_MAIN).
 */
#include <rtthread.h>

#include "wb_port.h"
#include "wb_port_rtthread.h"

static rt_device_t console;
static struct rt_semaphore rx_sem;

static rt_err_t rx_indicate(rt_device_t dev, rt_size_t size)
{
    (void)dev;
    (void)size;
    rt_sem_release(&rx_sem);
    return RT_EOK;
}

void wb_port_init(void)
{
    rt_sem_init(&rx_sem, "wbrx", 0, RT_IPC_FLAG_FIFO);
    console = rt_device_find(RT_CONSOLE_DEVICE_NAME);
    if (console == RT_NULL) {
        rt_kprintf("wasmbed: no console device %s\n", RT_CONSOLE_DEVICE_NAME);
        wb_bsp_exit(1);
    }
    rt_device_set_rx_indicate(console, rx_indicate);
    if (rt_device_open(console, RT_DEVICE_OFLAG_RDWR | RT_DEVICE_FLAG_INT_RX) != RT_EOK) {
        rt_kprintf("wasmbed: cannot open %s\n", RT_CONSOLE_DEVICE_NAME);
        wb_bsp_exit(1);
    }
}

static long console_read(unsigned char *buf, size_t len)
{
    rt_size_t n = rt_device_read(console, 0, buf, len);
    if (n == 0)
        rt_sem_take(&rx_sem, RT_WAITING_FOREVER); /* until the UART interrupt */
    return (long)n;
}

static long console_write(const unsigned char *buf, size_t len)
{
    rt_size_t n = rt_device_write(console, 0, buf, len);
    return n ? (long)n : -1;
}

static void console_gone(void) { wb_bsp_exit(1); }

#define WB_CONSOLE_IN_BUF 256
#include "../common/wb_console.h"

uint64_t wb_port_time_us(void)
{
    return wb_bsp_time_us();
}

void wb_port_exit(int code) { wb_bsp_exit(code); }

void *wb_port_malloc(size_t size) { return rt_malloc(size); }

void wb_port_free(void *ptr) { rt_free(ptr); }
