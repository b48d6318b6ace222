UNIT_TESTS += test_uart
test_uart_SRCS := devices/uart16550.c
