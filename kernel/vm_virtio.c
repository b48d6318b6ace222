#include "kernel/vm_virtio.h"
#include "devices/apic_bus.h"
#include "kernel/entropy.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/vm.h"

#define MAX_SWITCHES 8
#define PCI_FIRST_SLOT 1 /* 0 is the host bridge */

/* PCI class codes (base << 16 | sub << 8 | prog), as QEMU gives its virtio devices. */
#define CLASS_STORAGE_SCSI 0x010000
#define CLASS_NET_ETHERNET 0x020000
#define CLASS_COMM_OTHER   0x078000
#define CLASS_OTHER	   0x00ff00

struct net_switch {
	char name[VM_SWITCH_NAME_MAX];
	struct eth_switch sw;
};

static struct net_switch switches[MAX_SWITCHES];
static unsigned nswitches;
/* How many disks of all VMs use each module so far: the first one uses it in place. */
static unsigned module_users[MB2_MAX_MODULES];

static struct eth_switch *switch_named(const char *name)
{
	for (unsigned i = 0; i < nswitches; i++)
		if (!strcmp(switches[i].name, name))
			return &switches[i].sw;
	if (nswitches == MAX_SWITCHES)
		return 0;
	struct net_switch *s = &switches[nswitches++];
	memcpy(s->name, name, strlen(name) + 1);
	eth_switch_init(&s->sw);
	return &s->sw;
}

bool vm_virtio_resolve(struct vm *vm, const struct mb2_info *mb)
{
	for (unsigned i = 0; i < vm->cfg.ndisks; i++) {
		int m = vm_find_module(mb, vm->cfg.disks[i].image);
		if (m < 0) {
			log_err("vm %s: disk=%s: no such module (add a module2 line for it); this "
				"VM is not created",
				vm->cfg.name, vm->cfg.disks[i].image);
			return false;
		}
		vm->disk_module[i] = (unsigned)m;
		vm->disk_src[i] = phys_to_virt(mb->modules[m].start);
		vm->disk_size[i] = mb->modules[m].end - mb->modules[m].start;
	}
	return true;
}

static void nic_mac(const struct vm *vm, uint8_t mac[ETH_ALEN])
{
	if (vm->cfg.have_mac)
		memcpy(mac, vm->cfg.mac, ETH_ALEN);
	else
		eth_mac_from_name(vm->cfg.name, mac);
}

static bool has_devices(const struct vm *vm)
{
	return vm->cfg.ndisks || vm->cfg.net[0] || !vm->cfg.no_virtio_extras;
}

static bool disk_image(struct vm *vm, unsigned i)
{
	struct vm_disk_image *img = &vm->virtio->image[i];
	img->size = vm->disk_size[i];
	if (module_users[vm->disk_module[i]]++ == 0) {
		img->data = (uint8_t *)vm->disk_src[i];
		return true;
	}
	/* Another VM (or disk) has the module already: this one gets a copy of its own. */
	img->copy_pages = ALIGN_UP(img->size, PAGE_SIZE) / PAGE_SIZE;
	img->copy_pa = img->copy_pages ? frame_alloc_contig(img->copy_pages, 1) : FRAME_NONE;
	if (img->copy_pa == FRAME_NONE) {
		log_err("vm %s: no %llu KiB of contiguous memory for a private copy of disk %s",
			vm->cfg.name, (unsigned long long)(img->size >> 10),
			vm->cfg.disks[i].image);
		img->copy_pa = 0;
		return false;
	}
	img->data = phys_to_virt(img->copy_pa);
	memcpy(img->data, vm->disk_src[i], img->size);
	return true;
}

bool vm_virtio_alloc(struct vm *vm)
{
	if (!has_devices(vm))
		return true;
	uint64_t pages = ALIGN_UP(sizeof(struct vm_virtio), PAGE_SIZE) / PAGE_SIZE;
	uint64_t pa = frame_alloc_contig(pages, 1);
	if (pa == FRAME_NONE) {
		log_err("vm %s: not enough memory for its virtio devices", vm->cfg.name);
		return false;
	}
	vm->virtio = phys_to_virt(pa);
	memset(vm->virtio, 0, sizeof *vm->virtio);
	vm->virtio->port = -1;
	for (unsigned i = 0; i < vm->cfg.ndisks; i++) {
		if (!disk_image(vm, i))
			return false;
		log_info("vm %s: disk vd%c = %s, %llu KiB, %s%s; writes last for this run only "
			 "(no host storage driver)",
			 vm->cfg.name, 'a' + i, vm->cfg.disks[i].image,
			 (unsigned long long)(vm->disk_size[i] >> 10),
			 vm->cfg.disks[i].read_only ? "read-only" : "read-write",
			 vm->virtio->image[i].copy_pa ? ", a private copy" : "");
	}
	if (vm->cfg.net[0] && !(vm->virtio->sw = switch_named(vm->cfg.net))) {
		log_err("vm %s: net=%s: more than %u switches", vm->cfg.name, vm->cfg.net,
			MAX_SWITCHES);
		return false;
	}
	if (vm->cfg.net[0]) {
		uint8_t mac[ETH_ALEN];
		nic_mac(vm, mac);
		log_info("vm %s: NIC %02x:%02x:%02x:%02x:%02x:%02x on switch %s", vm->cfg.name,
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], vm->cfg.net);
	}
	return true;
}

void vm_virtio_free(struct vm *vm)
{
	struct vm_virtio *v = vm->virtio;
	if (!v)
		return;
	if (v->sw && v->port >= 0)
		eth_switch_remove_port(v->sw, (unsigned)v->port);
	for (unsigned i = 0; i < VM_MAX_DISKS; i++)
		if (v->image[i].copy_pa)
			frame_free(v->image[i].copy_pa, v->image[i].copy_pages);
	frame_free(virt_to_phys(v), ALIGN_UP(sizeof *v, PAGE_SIZE) / PAGE_SIZE);
	vm->virtio = 0;
}

static void *guest_hva(void *ctx, uint64_t gpa)
{
	return guest_ram_hva(ctx, gpa);
}

/* MSI-X messages go on the VM's APIC bus like the I/O APIC's. */
static void msi_deliver(void *ctx, uint64_t address, uint32_t data)
{
	struct vm *vm = ctx;
	struct apic_msg m;
	if (apic_msg_from_msi(address, data, &m))
		apic_bus_deliver(&vm->plat.apic_bus, &m);
}

static void console_output(void *ctx, const uint8_t *p, uint64_t n)
{
	struct vm *vm = ctx;
	vm->virtio->console_in_use = true;
	vm->con_bytes_virtio += n;
	for (uint64_t i = 0; i < n; i++)
		vm_console_putc(vm, (char)p[i]);
}

static uint64_t rng_fill(void *ctx, void *buf, uint64_t n)
{
	(void)ctx;
	return entropy_fill(buf, n);
}

static bool add_device(struct vm *vm, struct virtio_dev *dev, uint32_t class_code)
{
	struct vm_virtio *v = vm->virtio;
	struct virtio_pci *vp = &v->pci[v->npci];
	if (!virtio_pci_init(vp, dev, class_code, msi_deliver, vm) ||
	    !pci_bus_attach(&vm->plat.pci, PCI_FIRST_SLOT + v->npci, &vp->pci))
		return false;
	v->npci++;
	return true;
}

bool vm_virtio_attach(struct vm *vm)
{
	struct vm_virtio *v = vm->virtio;
	if (!v)
		return true;
	v->npci = 0;
	v->again = v->console_in_use = false;
	v->mem = (struct guest_mem){.size = vm->ram.size, .hva = guest_hva, .ctx = &vm->ram};
	for (unsigned i = 0; i < vm->cfg.ndisks; i++) {
		struct vm_disk_image *img = &v->image[i];
		struct blk_backend be;
		blk_ram_backend(&be, &img->ram, img->data, img->size);
		virtio_blk_init(&v->blk[i], &v->mem, &be, vm->cfg.disks[i].read_only,
				vm->cfg.disks[i].image);
		if (!add_device(vm, &v->blk[i].dev, CLASS_STORAGE_SCSI))
			return false;
	}
	if (v->sw) {
		uint8_t mac[ETH_ALEN];
		nic_mac(vm, mac);
		if (v->port >= 0) /* a restart: the port comes back with the NIC */
			eth_switch_remove_port(v->sw, (unsigned)v->port);
		v->port = -1;
		if (!virtio_net_init(&v->net, &v->mem, v->sw, mac)) {
			log_err("vm %s: switch %s is full", vm->cfg.name, vm->cfg.net);
			return false;
		}
		v->port = (int)v->net.port;
		if (!add_device(vm, &v->net.dev, CLASS_NET_ETHERNET))
			return false;
	}
	if (!vm->cfg.no_virtio_extras) {
		virtio_console_init(&v->con, &v->mem, console_output, vm);
		virtio_rng_init(&v->rng, &v->mem, rng_fill, vm);
		if (!add_device(vm, &v->con.dev, CLASS_COMM_OTHER) ||
		    !add_device(vm, &v->rng.dev, CLASS_OTHER))
			return false;
	}
	return true;
}

bool vm_virtio_pending(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->virtio->npci; i++)
		if (vm->virtio->pci[i].again)
			return true;
	return false;
}

void vm_virtio_poll(struct vm *vm)
{
	struct vm_virtio *v = vm->virtio;
	bool again = false;
	for (unsigned i = 0; i < v->npci; i++)
		again |= virtio_pci_poll(&v->pci[i]);
	v->again = again;
}

bool vm_virtio_console_in_use(const struct vm *vm)
{
	return vm->virtio && vm->virtio->console_in_use;
}

uint64_t vm_virtio_console_input(struct vm *vm, const uint8_t *bytes, uint64_t n)
{
	return virtio_console_input(&vm->virtio->con, bytes, n);
}

void vm_virtio_print_stats(const struct vm *vm)
{
	const struct vm_virtio *v = vm->virtio;
	if (!v || !v->sw || v->port < 0)
		return;
	const struct eth_port_stats *s = eth_switch_stats(v->sw, (unsigned)v->port);
	log_info("  net %s port %d: sent %llu frames (%llu bytes), received %llu (%llu bytes), "
		 "dropped: %llu malformed, %llu spoofed, %llu looped, %llu for lack of buffers",
		 vm->cfg.net, v->port, (unsigned long long)s->tx_frames,
		 (unsigned long long)s->tx_bytes, (unsigned long long)s->rx_frames,
		 (unsigned long long)s->rx_bytes, (unsigned long long)s->drops[ETH_DROP_MALFORMED],
		 (unsigned long long)s->drops[ETH_DROP_SPOOFED],
		 (unsigned long long)s->drops[ETH_DROP_LOOPBACK],
		 (unsigned long long)s->drops[ETH_DROP_NO_BUFFER]);
}
