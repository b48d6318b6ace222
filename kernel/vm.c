/* VM lifecycle: from GRUB modules to running VMs, and their end. */
#include "kernel/vm.h"
#include "kernel/vm_devices.h"
#include "kernel/vm_virtio.h"
#include "kernel/console.h"
#include "kernel/console_input.h"
#include "kernel/format.h"
#include "kernel/kstring.h"
#include "kernel/loader.h"
#include "kernel/mem.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "sched/sched.h"
#include "vmx/exit_reason.h"
#include "vmx/vcpu.h"

static struct vm vms[MAX_VMS];
static unsigned nvms;

static bool ram_write_fn(void *ctx, uint64_t gpa, const void *src, uint64_t n)
{
	return guest_ram_write(ctx, gpa, src, n);
}

/* The first word of a module's command line: its image name (see tools/mkiso). */
static void module_name(const struct mb2_module *m, char *out, size_t len)
{
	const char *p = m->cmdline ? m->cmdline : "";
	size_t n = 0;
	while (*p == ' ')
		p++;
	while (p[n] && p[n] != ' ' && n + 1 < len) {
		out[n] = p[n];
		n++;
	}
	out[n] = 0;
}

static const char *base_name(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '/')
			b = p + 1;
	return b;
}

int vm_find_module(const struct mb2_info *mb, const char *path)
{
	char name[128];
	for (unsigned i = 0; i < mb->nmodules; i++) {
		module_name(&mb->modules[i], name, sizeof name);
		if (!strcmp(base_name(name), base_name(path)))
			return (int)i;
	}
	return -1;
}

/* Whether the settings name module idx with initrd=, modules= or disk=. */
static bool names_module(const struct mb2_info *mb, const struct vm_config *cfg, unsigned idx)
{
	if (cfg->initrd[0] && vm_find_module(mb, cfg->initrd) == (int)idx)
		return true;
	for (unsigned d = 0; d < cfg->ndisks; d++)
		if (vm_find_module(mb, cfg->disks[d].image) == (int)idx)
			return true;
	for (unsigned m = 0; m < cfg->nmodules; m++)
		if (vm_find_module(mb, vm_config_module_name(cfg, m)) == (int)idx)
			return true;
	return false;
}

/* Modules some VM uses as its initrd, its modules= or a disk are data, not VMs. */
static bool module_is_data(const struct mb2_info *mb, unsigned idx)
{
	static struct vm_config cfg;
	char err[160];
	for (unsigned i = 0; i < mb->nmodules; i++) {
		const char *cmd = mb->modules[i].cmdline ? mb->modules[i].cmdline : "";
		if (i != idx && vm_config_parse(cmd, &cfg, err, sizeof err) &&
		    names_module(mb, &cfg, idx))
			return true;
	}
	return false;
}

/* Points the VM's modules= at the GRUB modules they name; false (reported) if one is
 * missing. */
static bool attach_modules(const struct mb2_info *mb, struct vm *vm, unsigned i, const char *cmd)
{
	for (unsigned m = 0; m < vm->cfg.nmodules; m++) {
		const char *name = vm_config_module_name(&vm->cfg, m);
		int r = vm_find_module(mb, name);
		if (r < 0) {
			log_err("module %u ('%s'): modules=: %s: no such module (add a module2 "
				"line for it); this VM is not created",
				i + 1, cmd, name);
			return false;
		}
		const struct mb2_module *d = &mb->modules[r];
		vm->cfg.module_data[m] = (struct vm_module){
		    phys_to_virt(d->start), d->end - d->start, d->cmdline ? d->cmdline : ""};
	}
	return true;
}

unsigned vms_prepare(const struct mb2_info *mb)
{
	if (mb->nmodules == 0)
		log_info("no guest modules: add module2 lines to the GRUB entry (see README)");
	for (unsigned i = 0; i < mb->nmodules; i++) {
		const struct mb2_module *m = &mb->modules[i];
		const char *cmd = m->cmdline ? m->cmdline : "";
		struct vm *vm = &vms[nvms];
		char err[160];
		if (module_is_data(mb, i)) {
			log_info("module %u ('%s'): data for another VM (%u bytes)", i + 1, cmd,
				 m->end - m->start);
			continue;
		}
		memset(vm, 0, sizeof *vm);
		if (!vm_config_parse(cmd, &vm->cfg, err, sizeof err)) {
			log_err("module %u ('%s'): %s; this VM is not created", i + 1, cmd, err);
			continue;
		}
		if (m->end <= m->start) {
			log_err("module %u ('%s'): empty image; this VM is not created", i + 1, cmd);
			continue;
		}
		if (vm->cfg.initrd[0]) {
			int r = vm_find_module(mb, vm->cfg.initrd);
			if (r < 0) {
				log_err("module %u ('%s'): initrd=%s: no such module (add a module2 "
					"line for it); this VM is not created",
					i + 1, cmd, vm->cfg.initrd);
				continue;
			}
			vm->cfg.initrd_image = phys_to_virt(mb->modules[r].start);
			vm->cfg.initrd_size = mb->modules[r].end - mb->modules[r].start;
		}
		if (!attach_modules(mb, vm, i, cmd) || !vm_virtio_resolve(vm, mb))
			continue;
		vm->id = nvms;
		vm->image = phys_to_virt(m->start);
		vm->image_size = m->end - m->start;
		log_info("module %u: vm %s, image %s (%llu bytes), mem=%llu MiB", i + 1,
			 vm->cfg.name, vm->cfg.image, (unsigned long long)vm->image_size,
			 (unsigned long long)(vm->cfg.mem_bytes >> 20));
		nvms++;
	}
	return nvms;
}

unsigned vm_count(void)
{
	return nvms;
}

struct vm *vm_by_index(unsigned i)
{
	return i < nvms ? &vms[i] : 0;
}

static void vm_free(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_destroy(vm->vcpus[i]);
	vm->nvcpus = 0;
	vm_virtio_free(vm);
	platform_free(vm);
	if (vm->ram.size)
		guest_ram_destroy(&vm->ram, &vm->ept);
	if (vm->ept.pml4_pa)
		ept_destroy(&vm->ept);
}

/* Memory, image and vCPUs; false (reported) when the VM cannot be built. */
static bool vm_build(struct vm *vm)
{
	char err[160];
	if (!ept_init(&vm->ept) || !guest_ram_create(&vm->ram, &vm->ept, vm->cfg.mem_bytes) ||
	    !platform_alloc(vm)) {
		log_err("vm %s: not enough memory for mem=%llu MiB (%llu MiB free)", vm->cfg.name,
			(unsigned long long)(vm->cfg.mem_bytes >> 20),
			(unsigned long long)(frame_free_count() * PAGE_SIZE >> 20));
		return false;
	}
	if (!vm_virtio_alloc(vm))
		return false;
	struct gmem mem = {.ctx = &vm->ram, .size = vm->ram.size, .write = ram_write_fn};
	struct guest_entry entry;
	if (!image_load(vm->image, vm->image_size, &vm->cfg, &mem, &entry, err, sizeof err)) {
		log_err("vm %s: %s; this VM is not created", vm->cfg.name, err);
		return false;
	}
	if (!platform_devices_attach(vm)) {
		log_err("vm %s: cannot attach its devices", vm->cfg.name);
		return false;
	}
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vcpu *v = vcpu_create(vm, i, &entry);
		if (!v) {
			log_err("vm %s: cannot create vCPU %u", vm->cfg.name, i);
			return false;
		}
		vm->vcpus[vm->nvcpus++] = v;
	}
	log_info("vm %s: %s image, %llu MiB RAM (%llu large pages), entry 0x%llx, %u vCPU%s",
		 vm->cfg.name, image_format_name(image_detect(vm->image, vm->image_size, &vm->cfg)),
		 (unsigned long long)(vm->cfg.mem_bytes >> 20),
		 (unsigned long long)guest_ram_large_pages(&vm->ram), (unsigned long long)entry.rip,
		 vm->nvcpus, vm->nvcpus == 1 ? "" : "s");
	return true;
}

void vm_console_flush(struct vm *vm)
{
	if (vm->con_len) {
		console_guest_line(vm->cfg.name, vm->con_line, vm->con_len);
		vm->con_len = 0;
	}
}

void vm_console_putc(struct vm *vm, char c)
{
	if (c == '\n') {
		vm_console_flush(vm);
		return;
	}
	if (c == '\r')
		return;
	if (vm->con_len == sizeof vm->con_line)
		vm_console_flush(vm);
	vm->con_line[vm->con_len++] = c;
}

bool vm_vcpus_all_parked(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		bool parked = v->state == VCPU_DEAD || v->state == VCPU_WAIT_SIPI ||
			      (v->state == VCPU_HALTED && v->halted_if0 && !v->nmi_pending);
		if (!parked)
			return false;
	}
	return true;
}

static void vm_end(struct vm *vm)
{
	vm->ended = true;
	vm_console_flush(vm);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		sched_vcpu_dead(vm->vcpus[i]);
}

void vm_reset_requested(struct vm *vm)
{
	if (vm->ended)
		return;
	/* A guest that resets itself chose to end, as under QEMU -no-reboot. */
	if (!vm->cfg.reset_restarts) {
		vm_exit(vm, 0, "reset requested");
		return;
	}
	log_info("vm %s: reset requested: restarting it (on_reset=restart)", vm->cfg.name);
	vm->restart_pending = true;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vm->vcpus[i]->state = VCPU_HALTED;
}

/* Boots the VM again from its image on fresh, zeroed RAM with power-on devices. */
void vm_restart(struct vm *vm)
{
	char err[160];
	vm->restart_pending = false;
	vm_console_flush(vm);
	guest_ram_destroy(&vm->ram, &vm->ept);
	memset(&vm->io, 0, sizeof vm->io);
	memset(&vm->mmio, 0, sizeof vm->mmio);
	struct gmem mem = {.ctx = &vm->ram, .size = vm->cfg.mem_bytes, .write = ram_write_fn};
	struct guest_entry entry;
	if (!guest_ram_create(&vm->ram, &vm->ept, vm->cfg.mem_bytes) ||
	    !image_load(vm->image, vm->image_size, &vm->cfg, &mem, &entry, err, sizeof err) ||
	    !platform_devices_attach(vm)) {
		vm_stop(vm, "restart failed");
		return;
	}
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (!vcpu_reset(vm->vcpus[i], &entry)) {
			vm_stop(vm, "restart failed: vCPU state");
			return;
		}
	}
}

#define VGA_TEXT_GPA  0xb8000 /* colour text mode: 80x25 (character, attribute) pairs */
#define VGA_TEXT_COLS 80
#define VGA_TEXT_ROWS 25

/* Prints the non-blank rows of the VM's VGA text screen: what a monitor would show. */
static void vm_print_vga_text(struct vm *vm)
{
	uint8_t cells[VGA_TEXT_COLS * 2];
	for (unsigned row = 0; row < VGA_TEXT_ROWS; row++) {
		if (!guest_ram_read(&vm->ram, VGA_TEXT_GPA + row * sizeof cells, cells, sizeof cells))
			return;
		char line[VGA_TEXT_COLS + 1];
		unsigned len = 0;
		for (unsigned col = 0; col < VGA_TEXT_COLS; col++) {
			char c = (char)cells[2 * col];
			line[col] = c >= 0x20 && c < 0x7f ? c : ' ';
			if (line[col] != ' ')
				len = col + 1;
		}
		line[len] = 0;
		if (len)
			log_info("vm %s: screen row %2u: %s", vm->cfg.name, row, line);
	}
}

void vm_time_limit(struct vm *vm)
{
	if (vm->ended)
		return;
	vm_print_vga_text(vm);
	vm_stop(vm, "still running at the time limit (runtime=)");
}

void vm_exit(struct vm *vm, uint32_t code, const char *how)
{
	if (vm->ended)
		return;
	vm->exit_code = code;
	fmt_snprintf(vm->end_reason, sizeof vm->end_reason, "%s", how);
	vm_end(vm);
	log_info("vm %s: exit code %u (%s)", vm->cfg.name, code, how);
}

void vm_stop(struct vm *vm, const char *why)
{
	if (vm->ended)
		return;
	vm->stopped = true;
	vm->exit_code = ~0u;
	fmt_snprintf(vm->end_reason, sizeof vm->end_reason, "%s", why);
	vm_end(vm);
	log_err("vm %s: stopped by the hypervisor: %s", vm->cfg.name, why);
}

uint64_t vm_exit_count(const struct vm *vm)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		for (unsigned r = 0; r < VCPU_EXIT_COUNTERS; r++)
			n += vm->vcpus[i]->exits[r];
	return n;
}

static void vm_print_exit_stats(const struct vm *vm)
{
	if (!vm->nvcpus)
		return;
	log_info("exit statistics for vm %s:", vm->cfg.name);
	for (unsigned r = 0; r < VCPU_EXIT_COUNTERS; r++) {
		uint64_t n = 0;
		for (unsigned i = 0; i < vm->nvcpus; i++)
			n += vm->vcpus[i]->exits[r];
		if (n)
			log_info("  %s %llu", exit_reason_name(r), (unsigned long long)n);
	}
	log_info("  console output: %llu bytes through COM1, %llu through the virtio console",
		 (unsigned long long)vm->con_bytes_com1, (unsigned long long)vm->con_bytes_virtio);
	vm_virtio_print_stats(vm);
}

void vms_run_all(void)
{
	unsigned built = 0;
	for (unsigned i = 0; i < nvms; i++) {
		if (vm_build(&vms[i])) {
			built++;
			sched_add_vm(&vms[i]);
		} else {
			vm_free(&vms[i]);
			vms[i].ended = vms[i].stopped = true;
			vms[i].exit_code = ~0u;
			fmt_snprintf(vms[i].end_reason, sizeof vms[i].end_reason, "not created");
		}
	}
	if (built) {
		console_input_init();
		sched_run();
	}

	bool all_ok = true;
	log_info("all VMs have ended:");
	for (unsigned i = 0; i < nvms; i++) {
		struct vm *vm = &vms[i];
		if (vm->stopped)
			log_info("  vm %s: stopped (%s)", vm->cfg.name, vm->end_reason);
		else
			log_info("  vm %s: exit code %u (%s)", vm->cfg.name, vm->exit_code,
				 vm->end_reason);
		all_ok = all_ok && !vm->stopped && vm->exit_code == 0;
	}
	for (unsigned i = 0; i < nvms; i++) {
		vm_print_exit_stats(&vms[i]);
		vm_free(&vms[i]);
	}
	/* Counted lock-free when they happened, reported here where logging is safe. */
	const struct cpu *c = this_cpu();
	if (c->nmis)
		log_warn("%llu host NMIs arrived during the run (ignored: mhv uses no NMI source)",
			 (unsigned long long)c->nmis);
	if (c->machine_checks)
		log_err("%llu machine checks hit guests during the run (see above)",
			(unsigned long long)c->machine_checks);
	if (all_ok)
		hv_end(HV_STATUS_OK, "all VMs exited with code 0");
	hv_end(HV_STATUS_VM_FAILED, "some VMs failed or were stopped");
}
