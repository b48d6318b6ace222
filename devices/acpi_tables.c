/* Fields are written at their byte offsets from the spec's tables rather than through
 * packed structs: every offset below can be checked against ACPI 6.3 line by line. */
#include "devices/acpi_tables.h"
#include "devices/acpi_pm.h"
#include "devices/aml.h"
#include "kernel/kstring.h"

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

/* Root System Description Pointer (ACPI 6.3 §5.2.5.3). */
#define RSDP_CHECKSUM	  8 /* sums bytes 0-19 to zero */
#define RSDP_OEMID	  9
#define RSDP_REVISION	  15 /* 2: ACPI 2.0+ layout with XSDT */
#define RSDP_RSDT	  16 /* 32-bit RSDT address; 0, there is none */
#define RSDP_LENGTH	  20
#define RSDP_XSDT	  24
#define RSDP_EXT_CHECKSUM 32 /* sums the whole 36 bytes to zero */
#define RSDP_SIZE	  36

/* System Description Table header (§5.2.6). */
#define SDT_LENGTH	     4
#define SDT_REVISION	     8
#define SDT_CHECKSUM	     9 /* the whole table sums to zero */
#define SDT_OEMID	     10
#define SDT_OEM_TABLE_ID     16 /* the FADT's must match the XSDT's (§5.2.9): one for all */
#define SDT_OEM_REVISION     24
#define SDT_CREATOR_ID	     28
#define SDT_CREATOR_REVISION 32
#define SDT_HEADER_SIZE	     36
#define OEM_TABLE_ID	     "MHVGUEST"
#define CREATOR_ID	     "MHV "

/* XSDT (§5.2.8): the header, then 64-bit table addresses. */
#define XSDT_ENTRIES 2 /* FADT, MADT */
#define XSDT_SIZE    (SDT_HEADER_SIZE + 8 * XSDT_ENTRIES)

/* Fixed ACPI Description Table, revision 6 (§5.2.9, table "FADT Format"). */
#define FADT_REVISION	    6
#define FADT_ACPI_MINOR	    3 /* ACPI 6.3 */
#define FADT_DSDT	    40
#define FADT_SCI_INT	    46
#define FADT_PM_TMR_BLK	    76
#define FADT_PM_TMR_LEN	    91
#define FADT_CENTURY	    108 /* RTC CMOS index of the century byte */
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS	    112
#define FADT_RESET_REG	    116
#define FADT_RESET_VALUE    128
#define FADT_MINOR_VERSION  131
#define FADT_X_DSDT	    140
#define FADT_X_PM_TMR_BLK   208
#define FADT_SLEEP_CONTROL  244
#define FADT_SLEEP_STATUS   256
#define FADT_HYPERVISOR_ID  268
#define FADT_SIZE	    276
#define RTC_CENTURY_INDEX   0x32 /* devices/rtc.c keeps the century there (PC/AT) */

/* IA-PC Boot Architecture Flags (§5.2.9.3). Left clear: NO_VGA (2; probing for VGA is
 * harmless, its ports read 0xff), NO_MSI (3; Linux would turn MSI off), NO_ASPM (4; no
 * PCIe) and NO_CMOS_RTC (5; the RTC exists). */
#define IAPC_LEGACY_DEVICES 0x0001 /* user-visible ISA/LPC devices: COM1, the RTC */
#define IAPC_8042	    0x0002 /* an i8042 exists; Linux skips it otherwise */

/* Fixed Feature Flags (§5.2.9, table "Fixed ACPI Description Table Fixed Feature Flags"). */
#define FADT_F_WBINVD	     (1u << 0)	/* WBINVD works; required of ACPI 2.0+ processors */
#define FADT_F_PWR_BUTTON    (1u << 4)	/* no fixed-feature power button */
#define FADT_F_SLP_BUTTON    (1u << 5)	/* no fixed-feature sleep button */
#define FADT_F_TMR_VAL_EXT   (1u << 8)	/* the PM timer counts all 32 bits */
#define FADT_F_RESET_REG_SUP (1u << 10) /* RESET_REG / RESET_VALUE are valid */
#define FADT_F_HW_REDUCED    (1u << 20) /* HW_REDUCED_ACPI: no fixed hardware, no FACS */

/* Generic Address Structure (§5.2.3.2), 12 bytes. */
#define GAS_SPACE_IO  1 /* address space ID: system I/O */
#define GAS_ACCESS_8  1 /* access size: byte */
#define GAS_ACCESS_32 3 /* access size: dword */

/* Multiple APIC Description Table (§5.2.12). */
#define MADT_REVISION	   5 /* ACPI 6.3 */
#define MADT_LAPIC_ADDR	   36
#define MADT_FLAGS	   40
#define MADT_PCAT_COMPAT   1 /* dual 8259s present as well (Linux skips probing them) */
#define MADT_HEADER_SIZE   44
#define MADT_LAPIC	   0 /* Processor Local APIC (§5.2.12.2) */
#define MADT_LAPIC_LEN	   8
#define MADT_LAPIC_ENABLED 1
#define MADT_IOAPIC	   1 /* I/O APIC (§5.2.12.3) */
#define MADT_IOAPIC_LEN	   12
#define MADT_ISO	   2 /* Interrupt Source Override (§5.2.12.5) */
#define MADT_ISO_LEN	   10
#define MADT_ISO_EDGE_HIGH 0x0005 /* MPS INTI flags: polarity 01 high, trigger 01 edge */
#define MADT_LAPIC_NMI	   4	  /* Local APIC NMI (§5.2.12.7) */
#define MADT_LAPIC_NMI_LEN 6
#define MADT_ALL_CPUS	   0xff /* ACPI processor UID meaning every processor */
#define PIT_IRQ		   0
#define PIT_GSI		   2 /* the PIT's output is wired to I/O APIC pin 2 */
#define NMI_LINT	   1 /* local APIC input the NMI is wired to */
#define IOAPIC_ID	   0
#define IOAPIC_GSI_0	   0

#define DSDT_REVISION 2 /* 2 and above: AML integers are 64 bits */

/* PC I/O resources the DSDT describes. */
#define PCI_CONF1_PORT	0xcf8 /* config address/data, 8 ports */
#define PCI_CONF1_PORTS 8
#define PCI_IO_HIGH	0x0d00 /* I/O window above them starts at the next 256-port block */
#define COM1_PORT	0x3f8
#define COM1_PORTS	8
#define COM1_IRQ	4
#define KBC_DATA_PORT	0x60
#define KBC_STATUS_PORT 0x64
#define KBC_IRQ		1
#define RTC_PORT	0x70
#define RTC_PORTS	2
#define RTC_IRQ		8

static uint32_t madt_size(unsigned ncpus)
{
	return MADT_HEADER_SIZE + ncpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN + MADT_ISO_LEN +
	       MADT_LAPIC_NMI_LEN;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	while (n--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

/* The OEM ID, up to 6 characters, padded with spaces. */
static void put_oem_id(uint8_t *p, const struct acpi_config *c)
{
	size_t i = 0;
	for (; i < 6 && c->oem_id[i]; i++)
		p[i] = (uint8_t)c->oem_id[i];
	for (; i < 6; i++)
		p[i] = ' ';
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev,
		       const struct acpi_config *c)
{
	memcpy(t, sig, 4);
	put32(t + SDT_LENGTH, len);
	t[SDT_REVISION] = rev;
	put_oem_id(t + SDT_OEMID, c);
	memcpy(t + SDT_OEM_TABLE_ID, OEM_TABLE_ID, 8);
	put32(t + SDT_OEM_REVISION, 1);
	memcpy(t + SDT_CREATOR_ID, CREATOR_ID, 4);
	put32(t + SDT_CREATOR_REVISION, 1);
}

/* Called once every other field is in place. */
static void sdt_checksum(uint8_t *t, uint32_t len)
{
	t[SDT_CHECKSUM] = 0;
	t[SDT_CHECKSUM] = checksum(t, len);
}

static void put_gas(uint8_t *p, uint8_t bits, uint8_t access, uint16_t port)
{
	p[0] = GAS_SPACE_IO;
	p[1] = bits;
	p[2] = 0; /* bit offset */
	p[3] = access;
	put64(p + 4, port);
}

static void build_fadt(uint8_t *t, const struct acpi_config *c, uint32_t dsdt_gpa)
{
	uint16_t timer = (uint16_t)(c->pm_base + ACPI_PM_TIMER);
	sdt_header(t, "FACP", FADT_SIZE, FADT_REVISION, c);
	put32(t + FADT_DSDT, dsdt_gpa);
	put16(t + FADT_SCI_INT, ACPI_SCI_IRQ);
	put32(t + FADT_PM_TMR_BLK, timer);
	t[FADT_PM_TMR_LEN] = ACPI_PM_TIMER_LEN;
	t[FADT_CENTURY] = RTC_CENTURY_INDEX;
	put16(t + FADT_IAPC_BOOT_ARCH, IAPC_LEGACY_DEVICES | IAPC_8042);
	put32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
				  FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED);
	put_gas(t + FADT_RESET_REG, 8, GAS_ACCESS_8, (uint16_t)(c->pm_base + ACPI_PM_RESET));
	t[FADT_RESET_VALUE] = ACPI_PM_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_ACPI_MINOR;
	put64(t + FADT_X_DSDT, dsdt_gpa);
	put_gas(t + FADT_X_PM_TMR_BLK, 32, GAS_ACCESS_32, timer);
	put_gas(t + FADT_SLEEP_CONTROL, 8, GAS_ACCESS_8,
		(uint16_t)(c->pm_base + ACPI_PM_SLEEP_CONTROL));
	put_gas(t + FADT_SLEEP_STATUS, 8, GAS_ACCESS_8,
		(uint16_t)(c->pm_base + ACPI_PM_SLEEP_STATUS));
	memcpy(t + FADT_HYPERVISOR_ID, ACPI_HYPERVISOR_VENDOR, 8);
	sdt_checksum(t, FADT_SIZE);
}

static void build_madt(uint8_t *t, const struct acpi_config *c)
{
	uint32_t len = madt_size(c->ncpus);
	sdt_header(t, "APIC", len, MADT_REVISION, c);
	put32(t + MADT_LAPIC_ADDR, c->lapic_addr);
	put32(t + MADT_FLAGS, MADT_PCAT_COMPAT);
	uint8_t *e = t + MADT_HEADER_SIZE;
	for (unsigned i = 0; i < c->ncpus; i++, e += MADT_LAPIC_LEN) {
		e[0] = MADT_LAPIC;
		e[1] = MADT_LAPIC_LEN;
		e[2] = (uint8_t)i; /* ACPI processor UID */
		e[3] = (uint8_t)i; /* APIC ID: what CPUID reports on vCPU i */
		put32(e + 4, MADT_LAPIC_ENABLED);
	}
	e[0] = MADT_IOAPIC;
	e[1] = MADT_IOAPIC_LEN;
	e[2] = IOAPIC_ID;
	put32(e + 4, c->ioapic_addr);
	put32(e + 8, IOAPIC_GSI_0);
	e += MADT_IOAPIC_LEN;
	e[0] = MADT_ISO;
	e[1] = MADT_ISO_LEN;
	e[2] = 0; /* bus: ISA */
	e[3] = PIT_IRQ;
	put32(e + 4, PIT_GSI);
	put16(e + 8, MADT_ISO_EDGE_HIGH);
	e += MADT_ISO_LEN;
	e[0] = MADT_LAPIC_NMI;
	e[1] = MADT_LAPIC_NMI_LEN;
	e[2] = MADT_ALL_CPUS;
	put16(e + 3, 0); /* flags: the bus's default polarity and trigger */
	e[5] = NMI_LINT;
	sdt_checksum(t, len);
}

/* Opens Device(name) with its _HID; the caller adds _UID/_CRS and closes it. */
static void legacy_device_begin(struct aml *a, const char *name, const char *hid)
{
	aml_device(a, name);
	aml_name(a, "_HID");
	aml_eisaid(a, hid);
}

static void dsdt_body(struct aml *a, const struct acpi_config *c)
{
	aml_scope(a, "\\_SB");

	aml_device(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03"); /* PCI host bridge; no _ADR, a device has _HID or _ADR */
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_resources(a);
	aml_res_bus_numbers(a, 0, 0); /* Linux insists on a bus range in a root's _CRS */
	aml_res_io(a, PCI_CONF1_PORT, PCI_CONF1_PORTS);
	aml_res_io_window(a, 0x0000, PCI_CONF1_PORT - 1);
	aml_res_io_window(a, PCI_IO_HIGH, 0xffff);
	aml_res_mem32_window(a, c->pci_mmio_base, c->pci_mmio_limit);
	aml_end(a); /* _CRS */
	aml_end(a); /* PCI0 */

	legacy_device_begin(a, "COM1", "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	aml_resources(a);
	aml_res_io(a, COM1_PORT, COM1_PORTS);
	aml_res_irq(a, COM1_IRQ);
	aml_end(a);
	aml_end(a);

	legacy_device_begin(a, "PS2_", "PNP0303");
	aml_name(a, "_CRS");
	aml_resources(a);
	aml_res_io(a, KBC_DATA_PORT, 1);
	aml_res_io(a, KBC_STATUS_PORT, 1);
	aml_res_irq(a, KBC_IRQ);
	aml_end(a);
	aml_end(a);

	legacy_device_begin(a, "RTC_", "PNP0B00");
	aml_name(a, "_CRS");
	aml_resources(a);
	aml_res_io(a, RTC_PORT, RTC_PORTS);
	aml_res_irq(a, RTC_IRQ);
	aml_end(a);
	aml_end(a);

	aml_end(a); /* \_SB */

	/* Soft-off: SLP_TYPa, SLP_TYPb, two reserved. HW-reduced sleep uses SLP_TYPa only. */
	aml_name(a, "\\_S5");
	aml_package(a, 4);
	aml_integer(a, ACPI_PM_SLP_TYP_S5);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a);
}

static bool config_valid(const struct acpi_config *c)
{
	return c->ncpus >= 1 && c->ncpus <= ACPI_MAX_CPUS &&
	       c->pci_mmio_base <= c->pci_mmio_limit &&
	       (uint32_t)c->pm_base + ACPI_PM_PORTS <= 0x10000;
}

size_t acpi_build(const struct acpi_config *c, uint8_t *buf, size_t size, uint64_t rsdp_gpa)
{
	if (!config_valid(c))
		return 0;
	size_t xsdt = ALIGN16(RSDP_SIZE);
	size_t fadt = ALIGN16(xsdt + XSDT_SIZE);
	size_t madt = ALIGN16(fadt + FADT_SIZE);
	size_t dsdt = ALIGN16(madt + madt_size(c->ncpus));
	if (size < dsdt + SDT_HEADER_SIZE)
		return 0;
	memset(buf, 0, dsdt + SDT_HEADER_SIZE); /* the AML writes every byte after that */

	struct aml a;
	aml_init(&a, buf + dsdt + SDT_HEADER_SIZE, size - dsdt - SDT_HEADER_SIZE);
	dsdt_body(&a, c);
	size_t aml_len = aml_finish(&a);
	if (aml_len == 0)
		return 0;
	size_t dsdt_len = SDT_HEADER_SIZE + aml_len;
	size_t used = dsdt + dsdt_len;
	if (rsdp_gpa > 0x100000000ull - used)
		return 0;
	sdt_header(buf + dsdt, "DSDT", (uint32_t)dsdt_len, DSDT_REVISION, c);
	sdt_checksum(buf + dsdt, (uint32_t)dsdt_len);

	build_madt(buf + madt, c);
	build_fadt(buf + fadt, c, (uint32_t)(rsdp_gpa + dsdt));

	uint8_t *x = buf + xsdt;
	sdt_header(x, "XSDT", XSDT_SIZE, 1, c);
	put64(x + SDT_HEADER_SIZE, rsdp_gpa + fadt);
	put64(x + SDT_HEADER_SIZE + 8, rsdp_gpa + madt);
	sdt_checksum(x, XSDT_SIZE);

	memcpy(buf, "RSD PTR ", 8);
	put_oem_id(buf + RSDP_OEMID, c);
	buf[RSDP_REVISION] = 2;
	put32(buf + RSDP_RSDT, 0);
	put32(buf + RSDP_LENGTH, RSDP_SIZE);
	put64(buf + RSDP_XSDT, rsdp_gpa + xsdt);
	buf[RSDP_CHECKSUM] = checksum(buf, 20);
	buf[RSDP_EXT_CHECKSUM] = checksum(buf, RSDP_SIZE);
	return used;
}
