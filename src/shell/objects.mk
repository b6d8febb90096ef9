# SPDX-License-Identifier: Apache-2.0
obj-y += shell.o shell_vm.o shell_disk.o shell_system.o
