/* SPDX-License-Identifier: Apache-2.0 */
/* Does this CPU have what Tessera needs to run guests: AMD SVM (CPUID 8000_0001h ECX[2]) not
 * disabled by firmware (VM_CR.SVMDIS, MSR C001_0114h bit 4) and nested paging (CPUID 8000_000Ah
 * EDX[0]) -- AMD APM vol. 2, 15.4 "Enabling SVM" and 15.25 "Nested Paging". Also prints the CPU
 * line of the banner. */
#include "arch_impl/msr.h"
#include "arch/boot.h"
#include "kernel/console.h"
#include "lib/string.h"

#define CPUID_EXTENDED_MAX 0x80000000u
#define CPUID_80000001_ECX_SVM (1u << 2)
#define CPUID_SVM_FEATURES 0x8000000au
#define CPUID_8000000A_EDX_NP (1u << 0)

struct cpu_identity {
	char vendor[13];
	char brand[49];
	unsigned family, model, stepping;
};

static void identify(struct cpu_identity *id, uint32_t extended_max)
{
	struct cpuid_regs r = cpuid(0, 0);
	/* cppcheck-suppress ctuuninitvar ; id->vendor + 0 is where memcpy writes: nothing of *id is read */
	memcpy(id->vendor + 0, &r.ebx, 4);
	memcpy(id->vendor + 4, &r.edx, 4);
	memcpy(id->vendor + 8, &r.ecx, 4);
	id->vendor[12] = '\0';

	id->brand[0] = '\0';
	if (extended_max >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002u + i, 0);
			memcpy(id->brand + 16 * i, &r, 16);
		}
		id->brand[48] = '\0';
	}
	/* Family and model with their extensions (APM vol. 3, E.3.2). */
	uint32_t signature = cpuid(1, 0).eax;
	id->family = (signature >> 8) & 0xf;
	id->model = (signature >> 4) & 0xf;
	id->stepping = signature & 0xf;
	if (id->family == 0xf) {
		id->family += (signature >> 20) & 0xff;
		id->model |= ((signature >> 16) & 0xf) << 4;
	}
}

bool arch_virtualization_supported(const char **why)
{
	uint32_t extended_max = cpuid(CPUID_EXTENDED_MAX, 0).eax;
	struct cpu_identity id;
	identify(&id, extended_max);

	bool svm = extended_max >= 0x80000001u && (cpuid(0x80000001u, 0).ecx & CPUID_80000001_ECX_SVM);
	bool svm_disabled = false, nested_paging = false;
	unsigned svm_revision = 0, asids = 0;
	if (svm) {
		svm_disabled = (rdmsr(MSR_VM_CR) & MSR_VM_CR_SVMDIS) != 0;
		if (extended_max >= CPUID_SVM_FEATURES) {
			struct cpuid_regs r = cpuid(CPUID_SVM_FEATURES, 0);
			svm_revision = r.eax & 0xff;
			asids = r.ebx;
			nested_paging = (r.edx & CPUID_8000000A_EDX_NP) != 0;
		}
	}

	const char *brand = id.brand;
	while (*brand == ' ')
		brand++;
	console_printf("cpu = %s %s (family %#x, model %#x, stepping %u)\n", id.vendor, brand, id.family,
		       id.model, id.stepping);
	if (!svm)
		console_printf("SVM = no\n\n");
	else
		console_printf("SVM = %s (revision %u, %u ASIDs), nested paging = %s\n\n",
			       svm_disabled ? "disabled by firmware (VM_CR.SVMDIS)" : "yes", svm_revision, asids,
			       nested_paging ? "yes" : "no");

	if (!svm && strcmp(id.vendor, "GenuineIntel") == 0) {
		*why = "this is an Intel CPU: Tessera on x86_64 needs AMD SVM (Intel VMX is not supported)";
		return false;
	}
	if (!svm) {
		*why = "the CPU has no AMD SVM (CPUID 8000_0001h ECX bit 2 is clear)";
		return false;
	}
	if (svm_disabled) {
		*why = "SVM is disabled by the firmware (VM_CR.SVMDIS, MSR C001_0114h bit 4)";
		return false;
	}
	if (!nested_paging) {
		*why = "the CPU has SVM but no nested paging (CPUID 8000_000Ah EDX bit 0 is clear)";
		return false;
	}
	*why = NULL;
	return true;
}
