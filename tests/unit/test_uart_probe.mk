UNIT_TESTS += test_uart_probe
test_uart_probe_SRCS := drivers/uart_probe.c
