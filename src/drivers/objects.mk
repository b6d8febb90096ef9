# SPDX-License-Identifier: Apache-2.0
# What every block device shares: the ranges of a host disk opened for writing (drivers/block.h).
obj-y += block.o
