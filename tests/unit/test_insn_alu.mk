UNIT_TESTS += test_insn_alu
test_insn_alu_SRCS := vmx/insn_alu.c
