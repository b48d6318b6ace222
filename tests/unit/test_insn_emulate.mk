UNIT_TESTS += test_insn_emulate
test_insn_emulate_SRCS := vmx/insn_emulate.c vmx/insn_decode.c vmx/insn_alu.c vmx/guest_vmem.c vmx/guest_walk.c
