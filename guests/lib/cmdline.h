/* The words of a guest's Multiboot command line (space-separated, no quoting). */
#pragma once
#include "guests/lib/multiboot.h"
#include "guests/lib/types.h"

#define CMDLINE_WORD_MAX 64 /* longer words are cut */

/* The command line, or "" when the loader gave none. */
const char *cmdline_of(const struct mb1_info *mbi);
/* Copies the next word at *cursor into word (NUL-terminated) and moves the cursor past it;
 * false at the end of the line. */
bool cmdline_next(const char **cursor, char word[CMDLINE_WORD_MAX]);
/* If word is "key=value", returns value; else NULL. */
const char *cmdline_value(const char *word, const char *key);
