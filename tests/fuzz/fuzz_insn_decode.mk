FUZZ_TARGETS += fuzz_insn_decode
fuzz_insn_decode_SRCS := vmx/insn_decode.c vmx/insn_emulate.c vmx/insn_alu.c vmx/guest_vmem.c vmx/guest_walk.c
