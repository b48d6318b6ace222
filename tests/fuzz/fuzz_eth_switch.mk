FUZZ_TARGETS += fuzz_eth_switch
fuzz_eth_switch_SRCS := devices/eth_switch.c
