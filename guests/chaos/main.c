/* cmdline: "seed=S ops=N [trace]". Prints one line when it starts and one summary line before
 * the final operation; exits 0 unless the final operation ends the VM another way. */
#include "guests/chaos/chaos.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/printf.h"
#include "guests/lib/string.h"
#include "guests/lib/x86.h"

#define MB1_INFO_CMDLINE (1u << 2)
#define CMDLINE_MAX	 128
#define DEFAULT_OPS	 400

#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA	0x511
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS	0x05
#define CPUID_LEAF_TSC	0x15 /* ECX: the core crystal clock, which the local APIC timer counts */

#define IRQ_SAFE true /* the operation leaves the APIC and IDT alone: it may run with IF=1 */

struct op {
	const char *name;
	void (*fn)(void);
	u32 weight;
	bool irq_safe;
	u32 min_cpus;
};

static const struct op ops[] = {
    {"port", op_port, 12, IRQ_SAFE, 1},
    {"port-string", op_port_string, 5, IRQ_SAFE, 1},
    {"msr", op_msr, 10, false, 1},
    {"cr", op_cr, 5, false, 1},
    {"dr", op_dr, 4, IRQ_SAFE, 1},
    {"fpu", op_fpu, 4, false, 1},
    {"mmio", op_mmio, 12, IRQ_SAFE, 1},
    {"mmio-string", op_mmio_string, 4, IRQ_SAFE, 1},
    {"lapic", op_lapic, 6, false, 1},
    {"lapic-timer", op_lapic_timer, 4, false, 1},
    {"ioapic", op_ioapic, 4, IRQ_SAFE, 1},
    {"self-ipi", op_self_ipi, 4, false, 1},
    {"ipi-storm", op_ipi_storm, 4, false, 2},
    {"x2apic", op_x2apic, 4, false, 1},
    {"apic-base", op_apic_base, 3, false, 1},
    {"gdt", op_gdt, 3, false, 1},
    {"idt", op_idt, 3, false, 1},
    {"paging", op_paging, 5, false, 1},
    {"vmx", op_vmx, 3, IRQ_SAFE, 1},
    {"vmcall", op_vmcall, 3, IRQ_SAFE, 1},
    {"insn", op_insn, 5, IRQ_SAFE, 1},
    {"cpuid", op_cpuid, 2, IRQ_SAFE, 1},
    {"hlt", op_hlt, 3, false, 1},
    {"pe-toggle", op_pe_toggle, 1, false, 1},
    {"pci", op_pci, 3, IRQ_SAFE, 1},
    {"virtio", op_virtio, 8, IRQ_SAFE, 1},
    {"mmio-rmw", op_mmio_rmw, 8, IRQ_SAFE, 1},
    {"mmio-straddle", op_mmio_straddle, 3, false, 1},
};

static char cmdline[CMDLINE_MAX];

static u32 parse_number(const char *s)
{
	u32 v = 0;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	for (s += hex ? 2 : 0;; s++) {
		u32 d;
		if (*s >= '0' && *s <= '9')
			d = (u32)(*s - '0');
		else if (hex && *s >= 'a' && *s <= 'f')
			d = (u32)(*s - 'a' + 10);
		else if (hex && *s >= 'A' && *s <= 'F')
			d = (u32)(*s - 'A' + 10);
		else
			return v;
		v = v * (hex ? 16 : 10) + d;
	}
}

static bool word_is(const char *w, const char *key)
{
	size_t n = strlen(key);
	return memcmp(w, key, n) == 0 && (w[n] == ' ' || w[n] == 0 || key[n - 1] == '=');
}

/* The boot information lies in low memory, which the AP loops overwrite: copy what we need. */
static void parse_cmdline(const struct mb1_info *mbi)
{
	env.ops = DEFAULT_OPS;
	if (!(mbi->flags & MB1_INFO_CMDLINE) || !mbi->cmdline)
		return;
	const char *c = (const char *)(uintptr_t)mbi->cmdline;
	size_t n = strlen(c);
	if (n >= CMDLINE_MAX)
		n = CMDLINE_MAX - 1;
	memcpy(cmdline, c, n);
	for (const char *w = cmdline; *w; w++) {
		if (w != cmdline && w[-1] != ' ')
			continue;
		if (word_is(w, "seed="))
			env.seed = parse_number(w + 5);
		else if (word_is(w, "ops="))
			env.ops = parse_number(w + 4);
		else if (word_is(w, "trace"))
			env.trace = true;
	}
}

static u32 fw_cfg_read(u16 key, u32 bytes)
{
	u32 v = 0;
	outw(FW_CFG_SELECTOR, key);
	for (u32 i = 0; i < bytes; i++)
		v |= (u32)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

static const struct op *pick_op(void)
{
	u32 total = 0;
	for (u32 i = 0; i < COUNT(ops); i++)
		if (env.cpus >= ops[i].min_cpus)
			total += ops[i].weight;
	u32 r = rnd_below(total);
	for (u32 i = 0;; i++) {
		if (env.cpus < ops[i].min_cpus)
			continue;
		if (r < ops[i].weight)
			return &ops[i];
		r -= ops[i].weight;
	}
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	parse_cmdline(mbi);
	env.cpus = fw_cfg_read(FW_CFG_NB_CPUS, 2);
	env.ram_bytes = fw_cfg_read(FW_CFG_RAM_SIZE, 4);
	env.lapic_hz = cpuid(CPUID_LEAF_TSC).c;
	rng_seed(env.seed);
	desc_setup();
	traps_init();
	apic_restore();
	virtio_setup();
	if (env.cpus > 1)
		ap_setup();
	printf("chaos: seed %u: %u ops on %u vCPUs, %u MiB\n", env.seed, env.ops, env.cpus,
	       env.ram_bytes >> 20);
	for (env.op_index = 0; env.op_index < env.ops; env.op_index++) {
		const struct op *op = pick_op();
		bool irq = rnd_chance(40) && op->irq_safe;
		trace("%s%s", op->name, irq ? " (interrupts on)" : "");
		storm_reset();
		if (irq)
			sti();
		op->fn();
		cli();
		timer_tame();
	}
	final_op();
}
