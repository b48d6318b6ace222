# shellcheck shell=bash
# Shared helpers for the bash tools (sourced, not run). Callers set PROG to their own name
# for messages before sourcing.

MHV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MHV_KERNEL=${KERNEL:-$MHV_ROOT/build/mhv.elf}

die() {
	echo "${PROG:-mhv}: $*" >&2
	exit 1
}

note() {
	echo "${PROG:-mhv}: $*" >&2
}

# Milliseconds since the epoch, for "(1.6s)" style durations.
now_ms() {
	local ns
	ns=$(date +%s%N)
	echo $((ns / 1000000))
}

# "1234" (ms) -> "1.2s"
fmt_secs() {
	printf '%d.%ds' $(($1 / 1000)) $(($1 % 1000 / 100))
}

# Serial logs hold SeaBIOS/GRUB terminal escapes (including "ESC c", which resets a
# terminal) and CR-LF line ends. Turn them into plain lines: a filter, stdin to stdout.
serial_clean() {
	sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b.//g' -e 's/\r//g' |
		tr -d '\000-\010\013-\037\177'
}

# The N of the last "HV-END status=N" line in a serial log, or nothing if there is none.
hv_end_status() {
	serial_clean <"$1" | sed -n 's/.*HV-END status=\([0-9][0-9]*\).*/\1/p' | tail -n 1
}

# Picks the emulator for "auto": KVM with nested VT-x when this host can do it, else Bochs
# (the only emulator here whose CPU has VT-x). A nested parameter that cannot be read is
# "unknown", not "on": then Bochs, with a note saying why.
auto_emulator() {
	local nested=/sys/module/kvm_intel/parameters/nested
	if [[ -r /dev/kvm && -w /dev/kvm ]] && grep -qw vmx /proc/cpuinfo; then
		if [[ ! -r $nested ]]; then
			note "KVM is here but $nested cannot be read (nested VT-x unknown): using Bochs"
		elif grep -qE '^(Y|1)$' "$nested"; then
			echo qemu-kvm
			return
		fi
	fi
	echo bochs
}
