UNIT_TESTS += test_insn_decode
test_insn_decode_SRCS := vmx/insn_decode.c
