FUZZ_TARGETS += fuzz_insn_decode
fuzz_insn_decode_SRCS := vmx/insn_decode.c
