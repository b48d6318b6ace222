FUZZ_TARGETS += fuzz_uart
fuzz_uart_SRCS := devices/bus.c devices/uart16550.c
