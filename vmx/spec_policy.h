/* Speculative-execution mitigations between guests and the hypervisor, decided from what
 * the CPU reports (CPUID.7.0:EDX and IA32_ARCH_CAPABILITIES), so a CPU that is not affected
 * pays nothing. Pure decision logic, host-tested; vmx/spec_ctrl.c reads the inputs and
 * applies the result.
 *
 * | threat (where)                  | mitigation when affected                 | cost        |
 * |---------------------------------|------------------------------------------|-------------|
 * | L1TF (L1D read by a guest)      | IA32_FLUSH_CMD.L1D before every entry    | per entry   |
 * | MDS/TAA (CPU buffers)           | VERW before every entry (implied by the  | per entry   |
 * |                                 | L1D flush where that runs)               |             |
 * | Spectre v2 (guest-trained BTB)  | eIBRS on for the host when the CPU has it;| once        |
 * |                                 | IBPB when a CPU switches between VMs;    | per switch  |
 * |                                 | retpolines for the hypervisor's indirect | per call    |
 * |                                 | calls (compiled in: -mindirect-branch)   |             |
 * | RSB underflow/poisoning (exit)  | fill the RSB after every exit unless     | per exit    |
 * |                                 | eIBRS without RSBA/PBRSB (nothing to do) |             |
 * Guests see none of the speculation-control MSRs (CPUID hides them), so there is no guest
 * IA32_SPEC_CTRL to switch; their SSBD and STIBP are the host's. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* CPUID.7.0:EDX */
#define SPEC_CPUID_MD_CLEAR   (1u << 10) /* VERW clears CPU buffers */
#define SPEC_CPUID_IBRS_IBPB  (1u << 26) /* IA32_SPEC_CTRL.IBRS, IA32_PRED_CMD.IBPB */
#define SPEC_CPUID_STIBP      (1u << 27)
#define SPEC_CPUID_L1D_FLUSH  (1u << 28) /* IA32_FLUSH_CMD */
#define SPEC_CPUID_ARCH_CAPS  (1u << 29) /* IA32_ARCH_CAPABILITIES exists */
#define SPEC_CPUID_SSBD       (1u << 31)

/* IA32_ARCH_CAPABILITIES (MSR 0x10a) */
#define ARCH_CAP_RDCL_NO            (1ull << 0)  /* not affected by L1TF/Meltdown */
#define ARCH_CAP_IBRS_ALL           (1ull << 1)  /* enhanced IBRS */
#define ARCH_CAP_RSBA               (1ull << 2)  /* RET may use the BTB on RSB underflow */
#define ARCH_CAP_SKIP_L1DFL_VMENTRY (1ull << 3)  /* no L1D flush needed on VM entry */
#define ARCH_CAP_MDS_NO             (1ull << 5)  /* not affected by MDS */
#define ARCH_CAP_TAA_NO             (1ull << 8)  /* not affected by TSX async abort */
#define ARCH_CAP_PBRSB_NO           (1ull << 24) /* no post-barrier RSB predictions */

struct spec_inputs {
	bool intel;                 /* GenuineIntel: the only vendor mhv runs on */
	uint32_t cpuid7_edx;
	uint64_t arch_capabilities; /* 0 when the MSR does not exist */
};

struct spec_policy {
	bool l1d_flush_on_entry;
	bool verw_on_entry;
	bool ibpb_on_vm_switch;
	bool rsb_fill_on_exit;
	bool eibrs;                 /* set IA32_SPEC_CTRL.IBRS once for the host */
	bool l1tf_unmitigated;      /* affected, but the CPU has no L1D flush command */
	bool mds_unmitigated;       /* affected, but VERW does not clear buffers */
};

void spec_policy_decide(const struct spec_inputs *in, struct spec_policy *out);
/* One line such as "L1D flush on entry, VERW on entry, IBPB on VM switch, RSB fill". */
void spec_policy_describe(const struct spec_policy *p, char *buf, unsigned len);
