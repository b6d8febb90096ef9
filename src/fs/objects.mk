obj-y += fat32.o
