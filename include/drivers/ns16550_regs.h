/* SPDX-License-Identifier: Apache-2.0 */
/* 16550 UART registers and bits (TI PC16550D datasheet, section 8). Register numbers are in units
 * of the register stride, which the platform gives (reg-shift in the device tree, 1 byte on PCs). */
#ifndef DRIVERS_NS16550_REGS_H
#define DRIVERS_NS16550_REGS_H

#define NS16550_RBR 0 /* receive buffer (read, DLAB=0) */
#define NS16550_THR 0 /* transmit holding (write, DLAB=0) */
#define NS16550_DLL 0 /* divisor latch low (DLAB=1) */
#define NS16550_IER 1 /* interrupt enable (DLAB=0) */
#define NS16550_DLM 1 /* divisor latch high (DLAB=1) */
#define NS16550_IIR 2 /* interrupt identification (read) */
#define NS16550_FCR 2 /* FIFO control (write) */
#define NS16550_LCR 3 /* line control */
#define NS16550_MCR 4 /* modem control */
#define NS16550_LSR 5 /* line status */
#define NS16550_MSR 6 /* modem status */
#define NS16550_SCR 7 /* scratch */

#define NS16550_IER_RDI 0x01  /* received data available */
#define NS16550_IER_THRI 0x02 /* transmitter holding register empty */
#define NS16550_LCR_8N1 0x03
#define NS16550_LCR_DLAB 0x80
#define NS16550_FCR_ENABLE 0x01
#define NS16550_FCR_CLEAR 0x06
#define NS16550_MCR_DTR 0x01
#define NS16550_MCR_RTS 0x02
#define NS16550_MCR_OUT2 0x08 /* gates the interrupt line on PCs */
#define NS16550_LSR_DR 0x01   /* data ready */
#define NS16550_LSR_THRE 0x20 /* transmit holding register empty */
#define NS16550_LSR_TEMT 0x40

#endif
