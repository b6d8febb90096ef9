# The start-up above the kernel and the VMM (include/kernel/app.h).
obj-y += main.o
