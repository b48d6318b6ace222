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
# terminal) and CR-LF line ends. Turn them into plain lines: a filter, stdin to stdout,
# that drops escape sequences (CSI ones whole), CRs and the other control characters but
# tab and newline. It passes on every byte as soon as it has read it (only an escape
# sequence split between two reads waits for its end), so a live console shows each line,
# even a prompt without its newline yet, as the VMs print it: a filter whose output
# waits for a full block (tr, or anything using stdio, writing to a pipe) would show
# nothing until the run ends. serial_clean_crlf ends the lines with CR LF instead, for a
# terminal in raw mode.
serial_clean() {
	serial_filter 0
}

serial_clean_crlf() {
	serial_filter 1
}

serial_filter() {
	LC_ALL=C perl -e '
		my ($crlf, $held) = (shift, "");
		while (sysread(STDIN, my $buf, 65536)) {
			$buf = $held . $buf;
			$held = $buf =~ s/(\x1b(?:\[[0-9;?]*)?)\z// ? $1 : "";
			$buf =~ s/\x1b\[[0-9;?]*[A-Za-z]//g;
			$buf =~ s/\x1b.//g;
			$buf =~ tr/\x00-\x08\x0b-\x1f\x7f//d;
			$buf =~ s/\n/\r\n/g if $crlf;
			syswrite(STDOUT, $buf) // exit 0 if length $buf;
		}' "$1"
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
