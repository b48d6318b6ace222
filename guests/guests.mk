# Test guests: 32-bit freestanding programs that run inside mhv VMs (see guests/lib/).
# Included by the top-level Makefile; everything goes to $(BUILD)/guests/.

GUEST_OUT := $(BUILD)/guests
# No loop-to-memset rewriting: guests/lib/string.c is the memset that rewrite would call.
GUEST_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -nostdlib \
                -O2 -Wall -Wextra -Werror -mgeneral-regs-only -fno-asynchronous-unwind-tables \
                -fno-tree-loop-distribute-patterns -I. -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -T guests/lib/guest.ld

# guest_objs DIR: the objects built from guests/DIR/*.c and *.S
guest_objs = $(patsubst guests/%,$(GUEST_OUT)/obj/%.o,$(wildcard guests/$(1)/*.c guests/$(1)/*.S))
GUEST_LIB_OBJS := $(call guest_objs,lib)

$(GUEST_OUT)/obj/%.c.o: guests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/obj/%.S.o: guests/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Multiboot v1 ELF guests: guests/NAME/ linked with guests/lib/ into $(GUEST_OUT)/NAME.elf,
# with the extra linker flags $(2).
define guest_elf_rule
$(GUEST_OUT)/$(1).elf: $(call guest_objs,$(1)) $(GUEST_LIB_OBJS) guests/lib/guest.ld
	$(LD) $(2) $(GUEST_LDFLAGS) -o $$@ $(call guest_objs,$(1)) $(GUEST_LIB_OBJS)
GUEST_IMAGES += $(GUEST_OUT)/$(1).elf
endef
$(foreach g,mb1-test mmio-test hostile bench sched-bench apic-test smp-test ioapic-test apic-hostile,$(eval $(call guest_elf_rule,$(g))))
# The hostile-guest generator and the reference VM it runs next to (tests/boot/scenarios).
$(foreach g,chaos chaos-ref,$(eval $(call guest_elf_rule,$(g))))
# Legacy-device guests: PIT, PIC, UART and RTC checks, and a port-I/O fuzzer.
$(foreach g,pit-test pic-test uart-test rtc-test port-fuzz console-echo,$(eval $(call guest_elf_rule,$(g))))
# virtio-pci drivers: a checking guest and a hostile one.
$(foreach g,virtio-test virtio-hostile,$(eval $(call guest_elf_rule,$(g))))
# Their disk images (GRUB modules a VM names with disk=): the image name is written into
# every sector, and the guests know the sector count (guests/virtio-test/vtest.h).
VIRTIO_DISK_SECTORS := 64
VIRTIO_DISKS := vdisk-a.img vdisk-b.img vdisk-ro.img vdisk-hostile.img
$(GUEST_OUT)/%.img: guests/virtio-test/mkdisk
	@mkdir -p $(dir $@)
	guests/virtio-test/mkdisk $(notdir $@) $(VIRTIO_DISK_SECTORS) >$@
GUEST_IMAGES += $(addprefix $(GUEST_OUT)/,$(VIRTIO_DISKS))
# Linked at 0x8000, below where mhv's Multiboot information used to be fixed.
$(eval $(call guest_elf_rule,mb1-low,--defsym=GUEST_BASE=0x8000))

# Flat real-mode images: linked where mhv loads them (load=0x8000), then stripped to raw bytes.
REALMODE_LOAD := 0x8000
define guest_flat_rule
$(GUEST_OUT)/$(1).elf: $(call guest_objs,$(1))
	$(LD) -m elf_i386 -nostdlib -static -Ttext=$(REALMODE_LOAD) -e _start -o $$@ $$^

$(GUEST_OUT)/$(1).bin: $(GUEST_OUT)/$(1).elf
	$(OBJCOPY) -O binary -j .text $$< $$@
GUEST_IMAGES += $(GUEST_OUT)/$(1).bin
endef
$(foreach g,realmode reset-test bios-test,$(eval $(call guest_flat_rule,$(g))))

-include $(wildcard $(GUEST_OUT)/obj/*/*.d)

# 64-bit ELF guests (loaded by mhv's ELF64 loader in long mode): standalone, no guests/lib.
GUEST64_CFLAGS := -m64 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -nostdlib -O2 \
                  -mno-red-zone -mgeneral-regs-only -mcmodel=small -Wall -Wextra -Werror \
                  -fno-asynchronous-unwind-tables -I. -MMD -MP

$(GUEST_OUT)/obj64/%.c.o: guests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST64_CFLAGS) -c $< -o $@

$(GUEST_OUT)/obj64/%.S.o: guests/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST64_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

guest64_objs = $(patsubst guests/%,$(GUEST_OUT)/obj64/%.o,$(wildcard guests/$(1)/*.c guests/$(1)/*.S))
define guest64_elf_rule
$(GUEST_OUT)/$(1).elf: $(call guest64_objs,$(1))
	$(LD) -m elf_x86_64 -nostdlib -static -Ttext=0x100000 -e _start -z max-page-size=0x1000 -o $$@ $$^
GUEST_IMAGES += $(GUEST_OUT)/$(1).elf
endef
$(foreach g,leak-test avx-test,$(eval $(call guest64_elf_rule,$(g))))
-include $(wildcard $(GUEST_OUT)/obj64/*/*.d)
