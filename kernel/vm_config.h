/* A VM's settings, parsed from its GRUB module2 line:
 *   module2 /boot/guests/IMAGE [IMAGE-AS-GIVEN] key=value ...
 * GRUB passes the words after the module's path (not the path itself), so the first word
 * must be the image path or name as given again (tools/mkiso writes the basename); the
 * default VM name is its last path component.
 * Settings (each at most once, but disk=):
 *   name=N       1..23 of [A-Za-z0-9_.-]     mem=MIB    1..3072, default 16
 *   cpus=N       1..VM_MAX_CPUS, default 1   load=ADDR  entry=ADDR  (0x hex or decimal, < 4 GiB)
 *   cmdline=TEXT initrd=PATH                 on_reset=exit|restart
 *   modules=A,B,...  further GRUB modules by name (as initrd=), 1..VM_MAX_MODULES of them,
 *                handed to a Multiboot kernel in this order; each is data, not a VM
 *   bios=on|off  (default off) a BIOS-like start state for Multiboot and flat images: PIC at
 *                bases 0x08/0x70 with IRQ 0-2 unmasked, PIT channel 0 at 18.2 Hz, a real-mode
 *                IVT of IRET/EOI stubs and a BIOS data area (kernel/loader.h); other image
 *                formats refuse it
 *   disk=IMAGE[,ro]  another GRUB module by name (as initrd=) as a virtio-blk disk; up to
 *                VM_MAX_DISKS, one PCI device each, in order (/dev/vda, vdb, ...); ",ro" makes
 *                it read-only. The module is data, not a VM. Writes live in RAM for the run.
 *   net=SWITCH   a virtio-net NIC on the hypervisor's Ethernet switch SWITCH (1..15 of
 *                [A-Za-z0-9_-]); VMs naming the same switch share a LAN
 *   mac=MAC      the NIC's MAC, xx:xx:xx:xx:xx:xx (unicast); default derived from the VM name
 *   virtio=default|none  every VM gets a virtio console and a virtio entropy source unless
 *                none
 *   weight=N     1..VM_WEIGHT_MAX, default VM_WEIGHT_DEFAULT: each vCPU's CPU share, in
 *                proportion to the other vCPUs' weights when they compete (sched/policy.h)
 *   cap=PCT      1..100*cpus: the most CPU time the whole VM gets, in percent of one CPU
 *   pin=LIST     the host CPUs its vCPUs may run on: CPU numbers and ranges, "0,2-3"
 *                (0..VM_PIN_CPUS-1); default any
 * Quoting: GRUB's shell strips the quotes of cmdline="a b c"; GRUB >= 2.04 then writes the
 * whole word back quoted ("cmdline=a b c") with \ \" \' escaped, older GRUBs write it bare,
 * which cannot be told apart from separate words. So words may be quoted in whole or in
 * part with "..." or '...', a backslash escapes \ " ' (outside single quotes), and a
 * value with spaces needs a GRUB >= 2.04 or quotes that survive GRUB's own parsing, e.g.
 * 'cmdline="a b c"' in grub.cfg. An unclosed quote is an error. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VM_NAME_MAX    24
#define VM_CMDLINE_MAX 1024
#define VM_MAX_CPUS    8
#define VM_MAX_MODULES 8
#define VM_MODULES_MAX 256 /* bytes of the modules= value */
#define VM_MAX_DISKS   4
#define VM_SWITCH_NAME_MAX 16
#define VM_WEIGHT_DEFAULT  256   /* the scheduler's SCHED_WEIGHT_DEFAULT */
#define VM_WEIGHT_MAX      65535 /* the scheduler's SCHED_WEIGHT_MAX */
#define VM_PIN_CPUS        8     /* host CPUs pin= can name: the scheduler's SCHED_MAX_CPUS */

struct vm_disk {
	char image[128];   /* the module's name, as initrd= */
	bool read_only;
};

/* A GRUB module handed to the guest as data. */
struct vm_module {
	const void *data;
	uint64_t size;
	const char *cmdline; /* as GRUB gave it: the module's name and arguments */
};

struct vm_config {
	char name[VM_NAME_MAX];      /* name=; default: image file name without directory */
	char image[128];             /* the image path as GRUB gave it */
	uint64_t mem_bytes;          /* mem= in MiB; default 16 MiB */
	unsigned cpus;               /* cpus=; default 1 */
	bool have_load, have_entry;
	uint64_t load;               /* load= (flat binaries): guest-physical load address */
	uint64_t entry;              /* entry= (flat binaries): guest-physical entry point */
	char cmdline[VM_CMDLINE_MAX]; /* cmdline="..." passed to the guest kernel */
	char initrd[128];            /* initrd=PATH: another GRUB module by path (Linux guests) */
	bool reset_restarts;         /* on_reset=restart|exit (default exit) */
	char module_names[VM_MODULES_MAX]; /* modules=: each name NUL-terminated, one after the
					    * other (vm_config_module_name()) */
	unsigned nmodules;
	bool bios;                   /* bios=on|off (default off) */
	struct vm_disk disks[VM_MAX_DISKS]; /* disk=, in order */
	unsigned ndisks;
	char net[VM_SWITCH_NAME_MAX]; /* net=: switch name, "" for no NIC */
	bool have_mac;
	uint8_t mac[6];              /* mac= */
	bool no_virtio_extras;       /* virtio=none: no console and no entropy device */
	unsigned weight;             /* weight=; default VM_WEIGHT_DEFAULT */
	unsigned cap;                /* cap= in percent of one CPU; 0: none */
	uint32_t pin;                /* pin=: bit N for host CPU N; 0: any */
	/* Not parsed: the caller points these at the module initrd= names before image_load
	 * (NULL/0 = no initrd), and module_data[i] at the module modules= names i-th. */
	const void *initrd_image;
	uint64_t initrd_size;
	struct vm_module module_data[VM_MAX_MODULES];
};

/* Parses one module command line. On error returns false with a one-line reason in err
 * (e.g. "mem=abc: not a number of MiB"); cfg is then unspecified. */
bool vm_config_parse(const char *module_cmdline, struct vm_config *cfg, char *err, size_t errlen);
/* The i-th name of modules= (i < cfg->nmodules). */
const char *vm_config_module_name(const struct vm_config *cfg, unsigned i);
