/* A virtual machine: its settings, memory, buses and vCPUs. VMs are created from GRUB
 * modules (one module2 line each) and live until they end; a VM that misbehaves is
 * stopped alone and reported, the others keep running. */
#pragma once
#include "devices/bus.h"
#include "ept/ept.h"
#include "ept/guest_ram.h"
#include "kernel/mb2.h"
#include "kernel/vm_config.h"
#include "kernel/vm_devices.h"
#include "sched/policy.h"
#include <stdbool.h>
#include <stdint.h>

#define MAX_VMS            MB2_MAX_MODULES
#define VM_CONSOLE_LINE    200
#define VM_END_REASON_MAX  128

struct vcpu;

struct vm {
	unsigned id;
	struct vm_config cfg;
	const void *image;      /* the module's bytes, via the direct map */
	uint64_t image_size;
	struct ept ept;
	struct guest_ram ram;
	struct io_bus io;
	struct mmio_bus mmio;
	struct vm_platform plat;
	struct vm_virtio *virtio;       /* virtio devices (kernel/vm_virtio.h), or NULL */
	unsigned disk_module[VM_MAX_DISKS]; /* disk=: the GRUB module of each disk */
	const void *disk_src[VM_MAX_DISKS];
	uint64_t disk_size[VM_MAX_DISKS];
	struct vcpu *vcpus[VM_MAX_CPUS];
	unsigned nvcpus;
	struct sched_group sched;       /* weight= and cap= as the scheduling policy sees them */

	bool ended;
	bool stopped;           /* ended by the hypervisor, not by the guest */
	bool restart_pending;   /* reset requested with on_reset=restart */
	uint32_t exit_code;
	char end_reason[VM_END_REASON_MAX];

	char con_line[VM_CONSOLE_LINE]; /* guest console output, flushed a line at a time */
	unsigned con_len;
	uint64_t con_bytes_com1;        /* console output by source, for the exit statistics */
	uint64_t con_bytes_virtio;
	uint64_t testdev_scratch[2];    /* the test device's registers (kernel/guest_abi.h) */
	bool odd_msg_logged;            /* an ignored APIC message was reported */
	uint32_t unknown_msr_seen[8];   /* MSRs already logged once */
	unsigned unknown_msr_count;
};

unsigned vm_count(void);
/* The GRUB module whose name (its command line's first word, without directories) matches
 * the file name of `path`, or -1. */
int vm_find_module(const struct mb2_info *mb, const char *path);
struct vm *vm_by_index(unsigned i);

/* Parses every module's settings and reports bad ones; returns how many VMs are valid. */
unsigned vms_prepare(const struct mb2_info *mb);
/* Creates the prepared VMs (memory, image, vCPUs), runs them to the end, ends the run. */
_Noreturn void vms_run_all(void);

/* The guest ended itself with `code` (debug-exit port, hypercall). */
void vm_exit(struct vm *vm, uint32_t code, const char *how);
/* The hypervisor stops the VM (illegal action, failed entry...). `why` is one line. */
void vm_stop(struct vm *vm, const char *why);
/* The guest asked for a reset (i8042 0xFE): ends it ("reset requested") or, with
 * on_reset=restart, boots it again from its image. */
void vm_reset_requested(struct vm *vm);
/* The run's time limit passed while the VM still runs: report it (and its screen). */
void vm_time_limit(struct vm *vm);
/* Performs a pending on_reset=restart (called by the scheduler between slices). */
void vm_restart(struct vm *vm);
void vm_console_flush(struct vm *vm);
/* No vCPU of the VM can run again by itself: each is ended, waits for a SIPI, or halted
 * with interrupts disabled (only an NMI could wake it, and none is coming). */
bool vm_vcpus_all_parked(const struct vm *vm);
/* The VM's exits so far, every vCPU and reason. */
uint64_t vm_exit_count(const struct vm *vm);
/* Guest console byte (port 0x3f8 THR): buffered and printed a whole line at a time. */
void vm_console_putc(struct vm *vm, char c);
