#include "devices/rtc.h"

/* Register indices (MC146818 datasheet, figure 4). */
#define REG_SEC	       0x00
#define REG_ALARM_SEC  0x01
#define REG_MIN	       0x02
#define REG_ALARM_MIN  0x03
#define REG_HOUR       0x04
#define REG_ALARM_HOUR 0x05
#define REG_WDAY       0x06
#define REG_MDAY       0x07
#define REG_MONTH      0x08
#define REG_YEAR       0x09
#define REG_A	       0x0a
#define REG_B	       0x0b
#define REG_C	       0x0c
#define REG_D	       0x0d
#define REG_CENTURY    0x32 /* PC/AT convention, not part of the MC146818 itself */

#define A_UIP	   0x80 /* update in progress: time registers about to change */
#define A_WRITABLE 0x7f /* DV2-0 divider and RS3-0 rate select */
#define A_RS	   0x0f
#define A_DEFAULT  0x26 /* 32.768 kHz time base, 1024 Hz periodic rate */

#define B_SET	  0x80 /* stop updates so software can set the clock */
#define B_PIE	  0x40 /* periodic interrupt enable */
#define B_AIE	  0x20 /* alarm interrupt enable */
#define B_UIE	  0x10 /* update-ended interrupt enable */
#define B_BINARY  0x04 /* DM: 1 = binary, 0 = BCD */
#define B_24H	  0x02 /* 1 = 24-hour, 0 = 12-hour with bit 7 of the hour = PM */
#define B_DEFAULT B_24H

#define C_IRQF 0x80 /* PF & PIE | AF & AIE | UF & UIE */
#define C_PF   0x40 /* periodic */
#define C_AF   0x20 /* alarm */
#define C_UF   0x10 /* update ended */

#define D_VRT 0x80 /* valid RAM and time: the battery is good */

#define HOUR_PM		0x80 /* 12-hour mode */
#define ALARM_DONT_CARE 0xc0 /* an alarm byte with both top bits set matches any value */

/* CMOS RAM bytes the PC BIOS convention assigns. */
#define CMOS_FLOPPY	  0x10 /* drive types: 0 = none */
#define CMOS_EQUIPMENT	  0x14
#define CMOS_BASE_KB	  0x15 /* 0x15 low, 0x16 high: conventional memory in KiB */
#define CMOS_EXT_KB	  0x17 /* 0x17 low, 0x18 high: KiB above 1 MiB */
#define CMOS_EXT_KB_COPY  0x30 /* 0x30/0x31: the same, as POST reports it */
#define CMOS_ABOVE_16M	  0x34 /* 0x34/0x35: 64 KiB units between 16 MiB and 4 GiB */
#define CMOS_ABOVE_4G	  0x5b /* 0x5b-0x5d: 64 KiB units above 4 GiB */
#define EQUIPMENT_FPU_VGA 0x02 /* FPU present, EGA/VGA display, no floppy */

#define NS_PER_SEC    1000000000ll
#define UIP_WINDOW_NS 244000 /* UIP rises this long before each update */
#define TIMEBASE_HZ   32768  /* the crystal register A's divider selects */
#define SEC_PER_DAY   86400
#define DAYS_PER_400Y 146097

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b < 0)
		q--;
	return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, unsigned month)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return days[month - 1] + (month == 2 && leap_year(y));
}

/* Days from 0001-01-01 to January 1st of year y (proleptic Gregorian). */
static int64_t days_before_year(int64_t y)
{
	int64_t n = y - 1;
	return n * 365 + floor_div(n, 4) - floor_div(n, 100) + floor_div(n, 400);
}

int64_t rtc_time_to_epoch(const struct rtc_time *t)
{
	unsigned month = t->month < 1 ? 1 : t->month > 12 ? 12 : t->month;
	int64_t days = days_before_year(t->year) - days_before_year(1970) + t->mday - 1;
	for (unsigned m = 1; m < month; m++)
		days += days_in_month(t->year, m);
	return days * SEC_PER_DAY + t->hour * 3600 + t->min * 60 + t->sec;
}

void rtc_time_from_epoch(int64_t sec, struct rtc_time *t)
{
	int64_t days = floor_div(sec, SEC_PER_DAY);
	int64_t sod = sec - days * SEC_PER_DAY;
	t->hour = (uint8_t)(sod / 3600);
	t->min = (uint8_t)(sod / 60 % 60);
	t->sec = (uint8_t)(sod % 60);
	t->wday = (uint8_t)(floor_mod(days + 4, 7) + 1); /* 1970-01-01 was a Thursday */

	/* Whole 400-year cycles first, so the year loop below runs at most 400 times. */
	int64_t d = days + days_before_year(1970);
	int64_t cycles = floor_div(d, DAYS_PER_400Y);
	d -= cycles * DAYS_PER_400Y;
	int64_t y = 1 + 400 * cycles;
	while (d >= 365 + leap_year(y)) {
		d -= 365 + leap_year(y);
		y++;
	}
	unsigned month = 1;
	while (d >= days_in_month(y, month)) {
		d -= days_in_month(y, month);
		month++;
	}
	t->year = (uint16_t)y;
	t->month = (uint8_t)month;
	t->mday = (uint8_t)(d + 1);
}

static bool binary_mode(const struct rtc *r)
{
	return r->cmos[REG_B] & B_BINARY;
}

static bool frozen(const struct rtc *r)
{
	return r->cmos[REG_B] & B_SET;
}

static uint8_t encode(const struct rtc *r, unsigned v)
{
	return binary_mode(r) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned decode(const struct rtc *r, uint8_t v)
{
	return binary_mode(r) ? v : (v >> 4) * 10u + (v & 0xf);
}

static uint8_t encode_hour(const struct rtc *r, unsigned hour)
{
	if (r->cmos[REG_B] & B_24H)
		return encode(r, hour);
	unsigned h12 = hour % 12 ? hour % 12 : 12;
	return encode(r, h12) | (hour >= 12 ? HOUR_PM : 0);
}

static unsigned decode_hour(const struct rtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_24H)
		return decode(r, v);
	return decode(r, v & ~HOUR_PM) % 12 + (v & HOUR_PM ? 12 : 0);
}

/* The guest clock at time-source reading `host`: whole seconds since the epoch and the
 * nanoseconds into the current one. Kept apart because a guest may set any year up to 9999
 * (25599 in binary mode), far beyond the nanosecond range of 64 bits (the year 2262). */
struct guest_time {
	int64_t sec;
	int64_t ns; /* 0 .. NS_PER_SEC - 1 */
};

static struct guest_time guest_time_at(const struct rtc *r, uint64_t host)
{
	int64_t ns = (int64_t)(host % NS_PER_SEC) + r->offset_ns;
	int64_t sec = (int64_t)(host / NS_PER_SEC) + r->offset_sec + ns / NS_PER_SEC;
	return (struct guest_time){sec, ns % NS_PER_SEC};
}

static struct guest_time guest_time(const struct rtc *r)
{
	return guest_time_at(r, r->now_ns(r->ctx));
}

static void current_time(const struct rtc *r, struct rtc_time *t)
{
	if (frozen(r))
		*t = r->set_time;
	else
		rtc_time_from_epoch(guest_time(r).sec, t);
}

/* Run the clock from `t` onwards. The next update comes one second later, as when SET is
 * cleared on the real part; updates and alarms before that are not owed. */
static void start_clock(struct rtc *r, const struct rtc_time *t)
{
	int64_t sec = rtc_time_to_epoch(t);
	uint64_t host = r->now_ns(r->ctx);
	uint32_t into_second = (uint32_t)(host % NS_PER_SEC);
	/* offset = sec s - host ns, with its nanosecond part in [0, NS_PER_SEC). */
	r->offset_sec = sec - (int64_t)(host / NS_PER_SEC) - (into_second ? 1 : 0);
	r->offset_ns = into_second ? (uint32_t)NS_PER_SEC - into_second : 0;
	r->last_update_sec = sec;
	r->uip_shown_sec = sec;
}

static bool alarm_matches(const struct rtc *r, int64_t sec)
{
	int64_t sod = floor_mod(sec, SEC_PER_DAY);
	uint8_t now[3] = {encode(r, (unsigned)(sod % 60)), encode(r, (unsigned)(sod / 60 % 60)),
			  encode_hour(r, (unsigned)(sod / 3600))};
	static const uint8_t alarm_reg[3] = {REG_ALARM_SEC, REG_ALARM_MIN, REG_ALARM_HOUR};
	for (int i = 0; i < 3; i++) {
		uint8_t want = r->cmos[alarm_reg[i]];
		if ((want & ALARM_DONT_CARE) != ALARM_DONT_CARE && want != now[i])
			return false;
	}
	return true;
}

/* Did an update cycle in (after, upto] hit the alarm? Only the last day can matter:
 * every alarm setting that can match at all matches within a day. */
static bool alarm_due(const struct rtc *r, int64_t after, int64_t upto)
{
	int64_t first = upto - after > SEC_PER_DAY ? upto - SEC_PER_DAY + 1 : after + 1;
	for (int64_t s = first; s <= upto; s++)
		if (alarm_matches(r, s))
			return true;
	return false;
}

/* The 32.768 kHz time base's count at time-source time `host` (ns), and the first ns at
 * which it reaches `tick`. */
static uint64_t timebase_tick(uint64_t host)
{
	return host / NS_PER_SEC * TIMEBASE_HZ + host % NS_PER_SEC * TIMEBASE_HZ / NS_PER_SEC;
}

static uint64_t timebase_ns(uint64_t tick)
{
	return tick / TIMEBASE_HZ * NS_PER_SEC +
	       (tick % TIMEBASE_HZ * NS_PER_SEC + TIMEBASE_HZ - 1) / TIMEBASE_HZ;
}

/* Periodic interrupt period in time-base ticks, as a power of two; RS = 0 disables it.
 * With the 32.768 kHz base, rates 1 and 2 repeat rates 8 and 9. */
static unsigned periodic_shift(const struct rtc *r)
{
	unsigned rs = r->cmos[REG_A] & A_RS;
	return rs <= 2 ? rs + 6 : rs - 1;
}

/* Latch the flags due since last time. The divider setting (DV) is not modelled: the time
 * base always runs. */
static void latch_flags(struct rtc *r)
{
	uint64_t host = r->now_ns(r->ctx);
	uint64_t tick = timebase_tick(host);
	if (r->cmos[REG_A] & A_RS) {
		unsigned shift = periodic_shift(r);
		if (tick >> shift != r->last_tick >> shift)
			r->flags |= C_PF;
	}
	r->last_tick = tick;

	if (frozen(r))
		return; /* SET inhibits update cycles, hence UF and AF */
	int64_t sec = guest_time_at(r, host).sec;
	if (sec > r->last_update_sec) {
		r->flags |= C_UF;
		if (alarm_due(r, r->last_update_sec, sec))
			r->flags |= C_AF;
	}
	r->last_update_sec = sec;
}

static bool irqf(const struct rtc *r)
{
	return r->flags & r->cmos[REG_B] & (C_PF | C_AF | C_UF);
}

static void drive_irq(struct rtc *r)
{
	bool level = irqf(r);
	if (level != r->irq_level) {
		r->irq_level = level;
		irq_line_set(&r->irq8, level);
	}
}

void rtc_init(struct rtc *r, const struct irq_line *irq8, uint64_t (*now_ns)(void *ctx), void *ctx)
{
	*r = (struct rtc){.irq8 = *irq8, .now_ns = now_ns, .ctx = ctx};
	r->cmos[REG_A] = A_DEFAULT;
	r->cmos[REG_B] = B_DEFAULT;
	r->cmos[CMOS_FLOPPY] = 0;
	r->cmos[CMOS_EQUIPMENT] = EQUIPMENT_FPU_VGA;
	r->cmos[CMOS_BASE_KB] = 640 & 0xff;
	r->cmos[CMOS_BASE_KB + 1] = 640 >> 8;
	uint64_t host = now_ns(ctx);
	r->last_update_sec = (int64_t)(host / NS_PER_SEC);
	r->uip_shown_sec = r->last_update_sec;
	r->last_tick = timebase_tick(host);
}

static void put_le(struct rtc *r, unsigned reg, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		r->cmos[reg + i] = (uint8_t)(v >> (8 * i));
}

void rtc_set_memory_size(struct rtc *r, uint64_t bytes)
{
	const uint64_t mib = 1ull << 20, gib4 = 4ull << 30, unit = 64ull << 10;
	uint64_t ext_kb = bytes > mib ? (bytes - mib) / 1024 : 0;
	uint64_t below_4g = bytes < gib4 ? bytes : gib4;
	uint64_t above_16m = below_4g > 16 * mib ? (below_4g - 16 * mib) / unit : 0;
	uint64_t above_4g = bytes > gib4 ? (bytes - gib4) / unit : 0;
	if (ext_kb > 0xffff)
		ext_kb = 0xffff;
	if (above_16m > 0xffff)
		above_16m = 0xffff;
	if (above_4g > 0xffffff)
		above_4g = 0xffffff;
	put_le(r, CMOS_EXT_KB, ext_kb, 2);
	put_le(r, CMOS_EXT_KB_COPY, ext_kb, 2);
	put_le(r, CMOS_ABOVE_16M, above_16m, 2);
	put_le(r, CMOS_ABOVE_4G, above_4g, 3);
}

bool rtc_nmi_masked(const struct rtc *r)
{
	return r->nmi_masked;
}

void rtc_update(struct rtc *r)
{
	latch_flags(r);
	drive_irq(r);
}

static bool is_clock_reg(unsigned reg)
{
	return reg == REG_SEC || reg == REG_MIN || reg == REG_HOUR || reg == REG_CENTURY ||
	       (reg >= REG_WDAY && reg <= REG_YEAR);
}

static uint8_t read_clock(const struct rtc *r, unsigned reg)
{
	struct rtc_time t;
	current_time(r, &t);
	switch (reg) {
	case REG_SEC:
		return encode(r, t.sec);
	case REG_MIN:
		return encode(r, t.min);
	case REG_HOUR:
		return encode_hour(r, t.hour);
	case REG_WDAY:
		return encode(r, t.wday);
	case REG_MDAY:
		return encode(r, t.mday);
	case REG_MONTH:
		return encode(r, t.month);
	case REG_YEAR:
		return encode(r, t.year % 100u);
	default:
		return encode(r, t.year / 100u);
	}
}

/* Writes land in the frozen copy while SET is on (the usual way to set the clock); a write
 * with the clock running restarts it from the changed time. The weekday is kept only until
 * the clock runs again, from then on it follows the date. */
static void write_clock(struct rtc *r, unsigned reg, uint8_t v)
{
	struct rtc_time t;
	current_time(r, &t);
	switch (reg) {
	case REG_SEC:
		t.sec = (uint8_t)decode(r, v);
		break;
	case REG_MIN:
		t.min = (uint8_t)decode(r, v);
		break;
	case REG_HOUR:
		t.hour = (uint8_t)decode_hour(r, v);
		break;
	case REG_WDAY:
		t.wday = (uint8_t)decode(r, v);
		break;
	case REG_MDAY:
		t.mday = (uint8_t)decode(r, v);
		break;
	case REG_MONTH:
		t.month = (uint8_t)decode(r, v);
		break;
	case REG_YEAR:
		t.year = (uint16_t)(t.year / 100u * 100u + decode(r, v));
		break;
	default:
		t.year = (uint16_t)(decode(r, v) * 100u + t.year % 100u);
		break;
	}
	if (frozen(r))
		r->set_time = t;
	else
		start_clock(r, &t);
}

static void write_b(struct rtc *r, uint8_t v)
{
	if (v & B_SET)
		v &= (uint8_t)~B_UIE; /* setting SET clears UIE */
	if ((v & B_SET) && !frozen(r))
		current_time(r, &r->set_time);
	bool thaw = frozen(r) && !(v & B_SET);
	r->cmos[REG_B] = v;
	if (thaw)
		start_clock(r, &r->set_time);
}

static uint8_t read_c(struct rtc *r)
{
	latch_flags(r);
	uint8_t v = r->flags | (irqf(r) ? C_IRQF : 0);
	r->flags = 0;
	return v;
}

/* UIP for a register-A read (rule in rtc.h). */
static bool read_uip(struct rtc *r)
{
	if (frozen(r))
		return false;
	struct guest_time now = guest_time(r);
	int64_t sec = now.sec;
	if (now.ns >= NS_PER_SEC - UIP_WINDOW_NS) {
		r->uip_shown_sec = sec + 1;
		return true;
	}
	if (r->uip_shown_sec < sec) {
		r->uip_shown_sec = sec;
		return true;
	}
	return false;
}

static uint8_t read_data(struct rtc *r)
{
	unsigned reg = r->index;
	if (is_clock_reg(reg))
		return read_clock(r, reg);
	switch (reg) {
	case REG_A:
		return r->cmos[REG_A] | (read_uip(r) ? A_UIP : 0);
	case REG_C:
		return read_c(r);
	case REG_D:
		return D_VRT;
	default:
		return r->cmos[reg];
	}
}

static void write_data(struct rtc *r, uint8_t v)
{
	unsigned reg = r->index;
	if (is_clock_reg(reg)) {
		write_clock(r, reg, v);
		return;
	}
	switch (reg) {
	case REG_A:
		r->cmos[REG_A] = v & A_WRITABLE;
		break;
	case REG_B:
		write_b(r, v);
		break;
	case REG_C:
	case REG_D:
		break; /* read-only */
	default:
		r->cmos[reg] = v;
		break;
	}
}

/* Port 0x70 is write-only on the PC/AT and reads as 0xff. A wider access is split into
 * byte cycles at consecutive ports, so an outw to 0x70 selects the index and writes it. */
void rtc_io(void *rtc, struct io_access *a)
{
	struct rtc *r = rtc;
	uint32_t value = 0;
	for (unsigned i = 0; i < a->size; i++) {
		unsigned port = (a->port & 1) + i;
		uint8_t byte = 0xff;
		uint8_t in = (uint8_t)(a->value >> (8 * i));
		if (a->write && port == 0) {
			r->index = in & 0x7f;
			r->nmi_masked = in & 0x80;
		} else if (a->write && port == 1) {
			write_data(r, in);
		} else if (port == 1) {
			byte = read_data(r);
		}
		value |= (uint32_t)byte << (8 * i);
	}
	if (!a->write)
		a->value = value;
	drive_irq(r);
}

bool rtc_interrupts_enabled(const struct rtc *r)
{
	return r->cmos[REG_B] & (B_PIE | B_AIE | B_UIE);
}

uint64_t rtc_next_event_ns(const struct rtc *r)
{
	uint64_t host = r->now_ns(r->ctx), next = UINT64_MAX;
	uint8_t b = r->cmos[REG_B];
	if ((b & B_PIE) && (r->cmos[REG_A] & A_RS)) {
		unsigned shift = periodic_shift(r);
		uint64_t period = timebase_tick(host) >> shift;
		if (period != r->last_tick >> shift)
			return host; /* a tick not latched yet */
		next = timebase_ns((period + 1) << shift);
	}
	if ((b & (B_UIE | B_AIE)) && !frozen(r)) {
		int64_t sec = floor_div((int64_t)host + r->offset_ns, NS_PER_SEC);
		if (sec > r->last_update_sec)
			return host;
		uint64_t update = (uint64_t)((sec + 1) * NS_PER_SEC - r->offset_ns);
		next = update < next ? update : next;
	}
	return next;
}
