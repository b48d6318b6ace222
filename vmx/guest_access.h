/* Reading and writing guest memory by linear address, through the guest's page tables
 * (vmx/guest_walk.c) and its RAM. Only RAM is reachable this way: an access that lands
 * in MMIO or outside RAM fails. */
#pragma once
#include "vmx/guest_walk.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* The guest's current paging registers (from the VMCS and CR read shadows). */
void guest_paging_current(struct guest_paging *p);
bool guest_linear_read(struct vcpu *v, uint64_t gla, void *dst, size_t n);
bool guest_linear_write(struct vcpu *v, uint64_t gla, const void *src, size_t n);
/* Reads through guest-physical addresses (for gpa_read_fn users). */
bool guest_phys_read(void *vm_ram, uint64_t gpa, void *dst, size_t n);
