#include "guests/chaos/chaos.h"

static u32 state;

/* xorshift32 (Marsaglia 2003) over a state spread from the seed by a multiplicative hash, so
 * neighbouring seeds start far apart; a few rounds drop the start's low-entropy values. */
void rng_seed(u32 seed)
{
	state = (seed + 1u) * 0x9e3779b9u;
	if (!state)
		state = 1;
	for (int i = 0; i < 8; i++)
		rnd();
}

u32 rnd(void)
{
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}

u64 rnd64(void)
{
	u64 hi = rnd();
	return hi << 32 | rnd();
}

u32 rnd_below(u32 n)
{
	return rnd() % n;
}

bool rnd_chance(u32 percent)
{
	return rnd_below(100) < percent;
}

u32 rnd_pick(const u32 *list, u32 n)
{
	return list[rnd_below(n)];
}

u32 rnd_value(void)
{
	switch (rnd_below(6)) {
	case 0:
		return 0;
	case 1:
		return ~0u;
	case 2:
		return 1u << rnd_below(32);
	case 3:
		return rnd_below(256);
	default:
		return rnd();
	}
}
