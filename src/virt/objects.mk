# SPDX-License-Identifier: Apache-2.0
# The arch-neutral part of the guest half: the guest page-table walker (each arch gives its format).
obj-y += gpt.o
