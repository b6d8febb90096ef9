# SPDX-License-Identifier: Apache-2.0
obj-y += main.o log.o console.o panic.o spinlock.o percpu.o driver.o mm.o frame_allocator.o heap_allocator.o runqueue.o timer_queue.o irq.o timer.o sched.o platform_fdt.o entropy.o
hot-y += irq.o timer.o timer_queue.o spinlock.o
# make UBSAN=1: the undefined-behaviour runtime the instrumented objects call.
obj-$(CONFIG_UBSAN) += ubsan.o
