obj-y += fat32.o disk.o
