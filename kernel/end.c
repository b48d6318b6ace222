#include "kernel/end.h"
#include "kernel/end_plan.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/options.h"
#include "kernel/percpu.h"
#include "kernel/x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4   /* isa-debug-exit: QEMU exits with (value << 1) | 1 */
#define BOCHS_SHUTDOWN_PORT  0x8900 /* Bochs ends when "Shutdown" is written here */
#define FW_CFG_SELECTOR	     0x510  /* QEMU fw_cfg: 16-bit key */
#define FW_CFG_DATA	     0x511
#define FW_CFG_SIGNATURE     0x0000 /* key: "QEMU" */
#define RSDP_OEM_ID	     9	    /* 6 bytes */
#define RESET_CONTROL_PORT   0xcf9
#define RST_SYS		     0x02 /* reset control: a system (not just CPU) reset... */
#define RST_CPU		     0x04 /* ...carried out when this bit goes 0 -> 1 */
#define KBC_COMMAND	     0x64
#define KBC_PULSE_RESET	     0xfe
#define PM1_SLP_TYP_SHIFT    10
#define PM1_SLP_TYP_MASK     (7u << 10)
#define PM1_SLP_EN	     (1u << 13)
#define SLEEP_CTL_TYP_SHIFT  2
#define SLEEP_CTL_SLP_EN     (1u << 5)
#define STOP_WAIT_SPINS	     10000000 /* a few ms for the other CPUs to park */

static struct acpi_platform acpi;
static enum emulator emulator;
static volatile bool ending;
static void (*send_nmi)(uint32_t apic_id);

void end_init(const struct acpi_platform *a, const void *rsdp, void (*nmi)(uint32_t apic_id))
{
	send_nmi = nmi;
	char sig[4] = {0};
	const char *oem = rsdp ? (const char *)rsdp + RSDP_OEM_ID : 0;
	acpi = *a;
	/* Both emulators' firmware names itself "BOCHS" in the RSDP; only then is fw_cfg
	 * probed: on a real machine no unknown port is touched. */
	if (emulator_detect(0, oem) != EMULATOR_NONE) {
		__asm__ volatile("outw %0, %1" : : "a"((uint16_t)FW_CFG_SIGNATURE), "Nd"(FW_CFG_SELECTOR));
		for (int i = 0; i < 4; i++)
			sig[i] = (char)inb(FW_CFG_DATA);
	}
	emulator = emulator_detect(sig, oem);
	if (emulator != EMULATOR_NONE)
		log_info("end: running under %s: its exit port ends the run",
			 emulator == EMULATOR_QEMU ? "QEMU" : "Bochs");
}

static void vmx_leave(struct cpu *c)
{
	if (c->vmxon_pa) {
		__asm__ volatile("vmxoff" ::: "cc", "memory");
		c->vmxon_pa = 0;
		write_cr4(read_cr4() & ~CR4_VMXE);
	}
}

static noreturn void park(struct cpu *c)
{
	vmx_leave(c);
	__atomic_store_n(&c->parked, true, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void end_nmi_check(void)
{
	if (ending)
		park(this_cpu());
}

static void stop_other_cpus(struct cpu *self)
{
	ending = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < ncpus_online; i++)
		if (&cpus[i] != self && cpus[i].online)
			send_nmi(cpus[i].apic_id);
	for (unsigned i = 0; i < ncpus_online; i++)
		for (unsigned spins = 0; &cpus[i] != self && cpus[i].online &&
					 !__atomic_load_n(&cpus[i].parked, __ATOMIC_ACQUIRE) &&
					 spins < STOP_WAIT_SPINS;
		     spins++)
			cpu_relax();
}

static void reg_write(const struct acpi_reg *r, uint32_t v)
{
	if (r->space == ACPI_SPACE_IO) {
		uint16_t port = (uint16_t)r->addr;
		if (r->bit_width == 16)
			__asm__ volatile("outw %0, %1" : : "a"((uint16_t)v), "Nd"(port));
		else if (r->bit_width == 32)
			outl(port, v);
		else
			outb(port, (uint8_t)v);
		return;
	}
	mem_map_uncached(r->addr, 4);
	volatile uint8_t *p = phys_to_virt(r->addr);
	if (r->bit_width == 16)
		*(volatile uint16_t *)p = (uint16_t)v;
	else if (r->bit_width == 32)
		*(volatile uint32_t *)p = v;
	else
		*p = (uint8_t)v;
}

static uint16_t pm1_read(const struct acpi_reg *r)
{
	uint16_t v = 0;
	if (r->space == ACPI_SPACE_IO)
		__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"((uint16_t)r->addr));
	return v;
}

static void delay(void)
{
	for (unsigned i = 0; i < STOP_WAIT_SPINS; i++)
		cpu_relax();
}

static void run_step(enum end_step s, int status)
{
	switch (s) {
	case END_STEP_QEMU_EXIT:
		outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status);
		break;
	case END_STEP_BOCHS_SHUTDOWN:
		for (const char *p = "Shutdown"; *p; p++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
		break;
	case END_STEP_ACPI_RESET:
		reg_write(&acpi.reset_reg, acpi.reset_value);
		delay();
		break;
	case END_STEP_CF9_RESET:
		outb(RESET_CONTROL_PORT, RST_SYS);
		outb(RESET_CONTROL_PORT, RST_SYS | RST_CPU);
		delay();
		break;
	case END_STEP_KBC_RESET:
		outb(KBC_COMMAND, KBC_PULSE_RESET);
		delay();
		break;
	case END_STEP_ACPI_SLEEP_S5: {
		uint16_t a = (uint16_t)((pm1_read(&acpi.pm1a_cnt) & ~PM1_SLP_TYP_MASK) |
					(acpi.s5_typ_a << PM1_SLP_TYP_SHIFT));
		if (acpi.pm1b_cnt.addr) {
			uint16_t b = (uint16_t)((pm1_read(&acpi.pm1b_cnt) & ~PM1_SLP_TYP_MASK) |
						(acpi.s5_typ_b << PM1_SLP_TYP_SHIFT));
			reg_write(&acpi.pm1b_cnt, b);
			reg_write(&acpi.pm1b_cnt, b | PM1_SLP_EN);
		}
		reg_write(&acpi.pm1a_cnt, a);
		reg_write(&acpi.pm1a_cnt, a | PM1_SLP_EN);
		delay();
		break;
	}
	case END_STEP_SLEEP_CONTROL_S5:
		reg_write(&acpi.sleep_control,
			  (uint32_t)(acpi.s5_typ_a << SLEEP_CTL_TYP_SHIFT) | SLEEP_CTL_SLP_EN);
		delay();
		break;
	case END_STEP_HALT:
		break;
	}
}

noreturn void end_machine(int status)
{
	struct cpu *self = this_cpu();
	irq_disable();
	stop_other_cpus(self);
	vmx_leave(self);
	enum end_step steps[END_MAX_STEPS];
	unsigned n = end_plan(hv_options.end, emulator, &acpi, steps);
	for (unsigned i = 0; i < n; i++)
		run_step(steps[i], status);
	park(self);
}
