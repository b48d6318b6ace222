#include "guests/lib/cmdline.h"

const char *cmdline_of(const struct mb1_info *mbi)
{
	if (!(mbi->flags & MB1_INFO_CMDLINE) || !mbi->cmdline)
		return "";
	return (const char *)(uintptr_t)mbi->cmdline;
}

bool cmdline_next(const char **cursor, char word[CMDLINE_WORD_MAX])
{
	const char *c = *cursor;
	u32 n = 0;

	while (*c == ' ')
		c++;
	if (!*c)
		return false;
	for (; *c && *c != ' '; c++)
		if (n + 1 < CMDLINE_WORD_MAX)
			word[n++] = *c;
	word[n] = '\0';
	*cursor = c;
	return true;
}

const char *cmdline_value(const char *word, const char *key)
{
	while (*key && *word == *key)
		word++, key++;
	return !*key && *word == '=' ? word + 1 : NULL;
}
