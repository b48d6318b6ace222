UNIT_TESTS += test_fw_cfg
test_fw_cfg_SRCS := devices/fw_cfg.c
