/* Hypervisor command line (the words after the image on GRUB's multiboot2 line):
 *   log=error|warn|info|debug   console verbosity (default info)
 *   selftest=exception          fault inside the hypervisor on purpose (tests the dump)
 *   timeslice=MICROSECONDS      scheduler time slice (default 10000)
 *   runtime=SECONDS             end the run after this long even if VMs still run; each is
 *                               reported "still running" with its VGA text screen
 *   rtc=SECONDS                 guests' RTCs start at this Unix time instead of the host's
 *                               CMOS clock (repeatable test runs)
 *   cpus=N                      use at most N of the machine's CPUs (default: all, up to 8)
 *   spec=auto|off               speculation mitigations as the CPU needs them (default), or
 *                               none of the per-entry/exit/switch ones (to measure them)
 *   apicv=full|basic|off        local-APIC virtualization (vmx/vmx_caps.h): all the CPU has
 *                               (default), the TPR shadow only, or none
 *   console=LIST                where the console goes, comma-separated: serial (the first of
 *                               COM1-COM4 that answers), ttyS0-ttyS3 or 0xPORT (that UART,
 *                               if it answers), screen (GRUB's framebuffer), none; default
 *                               serial,screen
 *   end=halt|reboot|poweroff    what the machine does when the run ends (default halt);
 *                               under QEMU or Bochs their exit ports end the emulator first
 *   slicetimer=auto|lapic       how a guest that never exits is stopped at the end of its
 *                               slice: the VMX-preemption timer unless the CPU lacks it or
 *                               has it broken (default), or always the local APIC timer
 * Unknown or malformed options are reported and ignored; the boot goes on. */
#pragma once
#include <stdbool.h>
#include "vmx/vmx_caps.h"
#include <stdint.h>

enum end_action { END_HALT, END_REBOOT, END_POWEROFF };

struct console_choice {
	bool serial;   /* a UART: `port`, or the first of COM1-COM4 that answers if 0 */
	uint16_t port;
	bool screen;   /* the framebuffer, when GRUB gave one */
};

struct hv_options {
	bool selftest_exception;
	uint32_t timeslice_us;
	uint64_t rtc_epoch; /* 0: use the host clock */
	uint32_t runtime_s; /* 0: no limit */
	enum apicv_level apicv;
	bool spec_off;
	uint32_t host_cpus; /* 0: all */
	struct console_choice console;
	enum end_action end;
	bool slice_timer_lapic; /* slicetimer=lapic */
};

extern struct hv_options hv_options;

/* Returns the number of rejected words (each reported with log_err). */
unsigned hv_options_parse(const char *cmdline, struct hv_options *out);
