FUZZ_TARGETS += fuzz_fw_cfg
fuzz_fw_cfg_SRCS := devices/bus.c devices/fw_cfg.c
