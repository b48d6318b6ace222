/* ACPI as a guest OS finds it (ACPI 6.3 ch. 5): the RSDP by scanning the BIOS area
 * 0xE0000-0xFFFFF on 16-byte boundaries, every table's checksum, the MADT (a Local APIC
 * entry per CPU, the I/O APIC, the IRQ0 override, LINT1 NMI), the FADT's PM timer and sleep
 * control register, \_S5 in the DSDT, and the PM timer's rate against the TSC. */
#include "guests/lib/div64.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/smp-test/tests.h"

#define BIOS_AREA	 0xe0000u
#define BIOS_AREA_END	 0x100000u
#define RSDP_V1_LEN	 20 /* the ACPI 1.0 part its first checksum covers */
#define RSDP_V2_LEN	 36
#define SDT_HEADER_LEN	 36
#define MADT_ENTRIES	 44 /* after the header, LAPIC address and flags */
#define FADT_DSDT	 40
#define FADT_PM_TMR_BLK	 76
#define FADT_FLAGS	 112
#define FADT_HW_REDUCED	 (1u << 20)
#define FADT_SLEEP_CTL	 244 /* Generic Address Structure, 12 bytes */
#define GAS_SYSTEM_IO	 1
#define PM_TIMER_HZ	 3579545u
#define PM_SAMPLE_MS	 50
#define PM_BRACKET_TICKS 2000 /* a (TSC, PM) sample pair closer than this is trusted */

struct __attribute__((packed)) rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 ext_checksum;
	u8 reserved[3];
};

struct __attribute__((packed)) sdt {
	char signature[4];
	u32 length;
	u8 revision, checksum;
	char oem_id[6], oem_table_id[8];
	u32 oem_revision, creator_id, creator_revision;
};

static u8 sum(const void *p, u32 len)
{
	const u8 *b = p;
	u8 s = 0;
	while (len--)
		s += *b++;
	return s;
}

static const struct rsdp *find_rsdp(void)
{
	for (u32 a = BIOS_AREA; a < BIOS_AREA_END; a += 16) {
		const struct rsdp *r = (const struct rsdp *)a;
		if (!memcmp(r->signature, "RSD PTR ", 8) && sum(r, RSDP_V1_LEN) == 0)
			return r;
	}
	return 0;
}

static const struct sdt *xsdt_find(const struct sdt *xsdt, const char *sig)
{
	u32 n = (xsdt->length - SDT_HEADER_LEN) / 8;
	const u64 *entry = (const u64 *)((const u8 *)xsdt + SDT_HEADER_LEN);
	for (u32 i = 0; i < n; i++) {
		const struct sdt *t = (const struct sdt *)(u32)entry[i];
		if (!memcmp(t->signature, sig, 4))
			return t;
	}
	return 0;
}

static bool table_ok(const struct sdt *t, const char *sig)
{
	bool ok = t && t->length >= SDT_HEADER_LEN && sum(t, t->length) == 0;
	report(ok, "acpi: %s present, checksum valid (%u bytes)", sig, t ? t->length : 0);
	return ok;
}

static void check_madt(const struct sdt *madt, u32 ncpus)
{
	const u8 *p = (const u8 *)madt, *end = p + madt->length;
	u32 lapic_addr = *(const u32 *)(p + SDT_HEADER_LEN);
	u32 cpus = 0, ids_in_order = 1, ioapic_addr = 0, ioapic_gsi = ~0u, irq0_gsi = ~0u;
	u32 nmi_lint = ~0u;
	for (const u8 *e = p + MADT_ENTRIES; e + 2 <= end && e[1] >= 2; e += e[1]) {
		switch (e[0]) {
		case 0: /* Processor Local APIC: UID, APIC ID, flags (bit 0 enabled) */
			if (*(const u32 *)(e + 4) & 1) {
				ids_in_order &= e[3] == cpus;
				cpus++;
			}
			break;
		case 1: /* I/O APIC: ID, reserved, address, GSI base */
			ioapic_addr = *(const u32 *)(e + 4);
			ioapic_gsi = *(const u32 *)(e + 8);
			break;
		case 2: /* Interrupt Source Override: bus, source, GSI, flags */
			if (e[3] == 0)
				irq0_gsi = *(const u32 *)(e + 4);
			break;
		case 4: /* Local APIC NMI: UID, flags, LINT# */
			nmi_lint = e[5];
			break;
		}
	}
	report(cpus == ncpus && ids_in_order,
	       "acpi: MADT lists %u enabled local APICs, IDs 0..%u (want %u)", cpus, cpus - 1,
	       ncpus);
	report(lapic_addr == 0xfee00000 && ioapic_addr == 0xfec00000 && ioapic_gsi == 0,
	       "acpi: MADT local APIC at 0x%x, I/O APIC at 0x%x with GSI base %u", lapic_addr,
	       ioapic_addr, ioapic_gsi);
	report(irq0_gsi == 2 && nmi_lint == 1, "acpi: MADT IRQ0 -> GSI %u, NMI on LINT%u", irq0_gsi,
	       nmi_lint);
}

static bool contains(const struct sdt *t, const char *s, u32 n)
{
	const u8 *p = (const u8 *)t;
	for (u32 i = SDT_HEADER_LEN; i + n <= t->length; i++)
		if (!memcmp(p + i, s, n))
			return true;
	return false;
}

/* PM timer ticks against TSC ticks over PM_SAMPLE_MS, from sample pairs whose TSC reads
 * lie close together (a vCPU descheduled between them would skew the pair). */
static bool pm_sample(u16 port, u64 *tsc, u32 *pm)
{
	for (u32 tries = 0; tries < 16; tries++) {
		u64 t0 = rdtsc();
		*pm = inl(port);
		u64 t1 = rdtsc();
		if (t1 - t0 < PM_BRACKET_TICKS) {
			*tsc = t0 + (t1 - t0) / 2;
			return true;
		}
	}
	return false;
}

static void check_pm_timer(u16 port)
{
	u64 t0 = 0, t1 = 0;
	u32 p0 = 0, p1 = 0;
	bool ok = pm_sample(port, &t0, &p0);
	tsc_spin_ms(PM_SAMPLE_MS);
	ok &= pm_sample(port, &t1, &p1);
	u32 khz = tsc_khz_for_timeouts();
	u64 want = udiv64((u64)(t1 - t0) * PM_TIMER_HZ, khz * 1000, NULL);
	u32 got = p1 - p0;
	report(ok && got * 10 >= want * 9 && got * 10 <= want * 11,
	       "acpi: PM timer at port 0x%x counts %u in %u ms of TSC (want %llu, 3.579545 MHz)",
	       port, got, PM_SAMPLE_MS, want);
}

u16 test_acpi(u32 ncpus)
{
	const struct rsdp *r = find_rsdp();
	report(r && r->revision == 2 && sum(r, RSDP_V2_LEN) == 0,
	       "acpi: RSDP found at 0x%x by scanning the BIOS area, revision %u, checksums valid",
	       (u32)r, r ? r->revision : 0);
	if (!r || !r->xsdt || (r->xsdt >> 32))
		return 0;
	const struct sdt *xsdt = (const struct sdt *)(u32)r->xsdt;
	const struct sdt *madt = 0, *fadt = 0, *dsdt = 0;
	if (table_ok(xsdt, "XSDT")) {
		madt = xsdt_find(xsdt, "APIC");
		fadt = xsdt_find(xsdt, "FACP");
	}
	if (table_ok(madt, "MADT (APIC)"))
		check_madt(madt, ncpus);
	if (!table_ok(fadt, "FADT (FACP)"))
		return 0;
	const u8 *f = (const u8 *)fadt;
	dsdt = (const struct sdt *)*(const u32 *)(f + FADT_DSDT);
	if (table_ok(dsdt, "DSDT"))
		report(contains(dsdt, "_S5_", 4), "acpi: the DSDT defines \\_S5");
	u32 flags = *(const u32 *)(f + FADT_FLAGS);
	u16 pm_timer = (u16) * (const u32 *)(f + FADT_PM_TMR_BLK);
	const u8 *gas = f + FADT_SLEEP_CTL;
	u16 sleep_port = gas[0] == GAS_SYSTEM_IO ? (u16) * (const u64 *)(gas + 4) : 0;
	report((flags & FADT_HW_REDUCED) && pm_timer == 0x608 && sleep_port == 0x600,
	       "acpi: FADT hardware-reduced (flags 0x%x), PM timer 0x%x, sleep control 0x%x", flags,
	       pm_timer, sleep_port);
	if (pm_timer)
		check_pm_timer(pm_timer);
	return sleep_port;
}
