/* Host serial input to the guests (see kernel/console_focus.h for the keys). */
#pragma once
#include <stdbool.h>

void console_input_init(void);
/* Moves typed bytes to the focused VM's COM1; called by the scheduler between slices.
 * True if any byte reached a guest (it may have raised an interrupt). */
bool console_input_poll(void);
