# The Linux test guest: Debian's cloud kernel, a busybox initramfs and a root disk image
# (build/linux/rootfs.img), made from Debian packages by guests/linux/build. Not part of
# "guests": it downloads about 27 MB once. Exit status 77 from the script (no package
# mirror) makes make fail with "Error 77", which tests/boot/run reports as SKIP.
.PHONY: linux-guest
linux-guest:
	@guests/linux/build $(BUILD)/linux
