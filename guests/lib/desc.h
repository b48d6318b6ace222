/* The guests' own GDT (flat 32-bit code and data) and IDT (a stub for every vector). */
#pragma once

#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE64 0x18 /* 64-bit code, for guests that visit IA-32e mode */

#define IDT_VECTORS   256
#define ISR_STUB_SIZE 32 /* isr.S aligns each vector's stub to this */

#ifndef __ASSEMBLY__
void desc_init(void);
/* Loads the GDT and the IDT desc_init built, on another CPU of the guest. */
void desc_load(void);
/* Loads a zero-limit IDT: any exception then escalates to a triple fault. */
void idt_load_empty(void);
#endif
