UNIT_TESTS += test_eth_switch
test_eth_switch_SRCS := devices/eth_switch.c
