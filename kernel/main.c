/* mhv entry point: from boot/entry.S in long mode with the Multiboot2 magic and info. */
#include "drivers/acpi_host.h"
#include "drivers/lapic_host.h"
#include "drivers/legacy_pic.h"
#include "drivers/screen.h"
#include "drivers/tsc.h"
#include "kernel/console.h"
#include "kernel/end.h"
#include "kernel/entropy.h"
#include "kernel/layout.h"
#include "kernel/mb2.h"
#include "kernel/mem.h"
#include "kernel/mem_init.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/vm.h"
#include "kernel/vm_devices.h"
#include "vmx/vmx_init.h"
#include "vmx/xsave.h"

#define MHV_VERSION "0.1"
#define MBI_MAX_SIZE (1u << 20) /* refuse an info block claiming more than this */

void kmain(uint32_t magic, uint32_t mbi_phys);

static struct mb2_info boot_info;
static struct acpi_platform host_acpi;
static const struct console_screen framebuffer_console = {screen_write, screen_describe};
extern char _kernel_phys_start[]; /* linker.ld: the image's link address */

/* A fault on purpose, a few calls deep so the backtrace has frames to show. */
static __attribute__((noinline)) void selftest_fault_inner(void)
{
	volatile uint64_t *bad = (volatile uint64_t *)0x0000700000000000ull;
	*bad = 0x5e1f7e57;
}

static __attribute__((noinline)) void selftest_fault(void)
{
	log_info("selftest: faulting inside the hypervisor on purpose");
	selftest_fault_inner();
	__asm__ volatile("" ::: "memory");
}

void kmain(uint32_t magic, uint32_t mbi_phys)
{
	struct cpu *bsp = &cpus[0];

	cpu_set_self(bsp);
	cpu_tables_init(bsp);
	legacy_pic_disable();
	log_info("booting mhv %s (x86-64 VT-x/EPT hypervisor)", MHV_VERSION);

	if (magic != MB2_BOOTLOADER_MAGIC)
		hv_end(HV_STATUS_PANIC, "not booted by a Multiboot2 loader");
	const void *mbi = phys_to_virt(mbi_phys);
	uint32_t total = *(const uint32_t *)mbi;
	if (total > MBI_MAX_SIZE || !mb2_parse(mbi, total, &boot_info))
		hv_end(HV_STATUS_PANIC, "unusable Multiboot2 boot information");
	log_info("boot loader: %s; command line: '%s'",
		 boot_info.loader_name ? boot_info.loader_name : "(unnamed)",
		 boot_info.cmdline ? boot_info.cmdline : "");
	hv_options_parse(boot_info.cmdline, &hv_options);

	mem_init(&boot_info, mbi_phys);
	bool drawn = hv_options.console.screen && boot_info.have_fb && screen_init(&boot_info.fb);
	console_init(&boot_info, drawn ? &framebuffer_console : NULL);
	log_info("boot: image at %#llx (link address + %#llx); ACPI RSDP %s",
		 (unsigned long long)((uint64_t)(uintptr_t)_kernel_phys_start + kernel_load_offset),
		 (unsigned long long)kernel_load_offset,
		 boot_info.rsdp_version == 2   ? "2.0+ from the boot loader"
		 : boot_info.rsdp_version == 1 ? "1.0 from the boot loader"
					       : "not given by the boot loader");
	acpi_platform_parse(boot_info.rsdp, boot_info.rsdp_len, mem_phys_read, 0, &host_acpi);
	tsc_calibrate(&host_acpi);
	end_init(&host_acpi, boot_info.rsdp, lapic_host_send_nmi);
	xsave_cpu_init();
	smp_init(&boot_info, mbi_phys, total);
	platform_clock_init();
	entropy_init();
	log_info("entropy for guests (virtio-rng): %s", entropy_source());
	if (hv_options.selftest_exception)
		selftest_fault();

	unsigned nvms = vms_prepare(&boot_info);
	if (!vmx_init())
		hv_end(HV_STATUS_NO_VMX, "VT-x unusable");
	if (nvms == 0)
		hv_end(HV_STATUS_OK, "no guests to run");
	vms_run_all();
}
