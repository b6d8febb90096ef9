# SPDX-License-Identifier: Apache-2.0
# A FAT32 disk for the hypervisor (guest images and VM configs read at boot), made without mount or
# root by mkfs.fat and mtools:
#   make disk_img GUESTS=a.toml:b.toml:file.bin [DISK_IMG=disk.img] [DISK_SIZE_MB=64]
#   make run DISK=disk.img
# Configs go to /guest/vm_default/ with the images they name (scripts/make-disk-img.sh says how
# they are found); other files to /guest/. The test guests are built first, as they may be named.
GUESTS ?=
DISK_IMG ?= disk.img
DISK_SIZE_MB ?= 64

.PHONY: disk_img
disk_img: guests
	@scripts/ensure-deps.sh disk
	DISK_SIZE_MB=$(DISK_SIZE_MB) scripts/make-disk-img.sh $(DISK_IMG) $(ARCH) $(subst :, ,$(GUESTS))
