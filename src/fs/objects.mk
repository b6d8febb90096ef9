# SPDX-License-Identifier: Apache-2.0
obj-y += fat32.o disk.o partitions.o
