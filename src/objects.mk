# SPDX-License-Identifier: Apache-2.0
# The start-up above the kernel and the VMM (include/kernel/app.h).
obj-y += main.o
