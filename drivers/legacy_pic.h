/* The host's own 8259A pair. mhv takes no legacy interrupts: at boot the PICs are moved off
 * the exception vectors (the BIOS leaves IRQ0 on vector 8, #DF) and fully masked. */
#pragma once

void legacy_pic_disable(void);
