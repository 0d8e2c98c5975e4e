// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: signal numbers.  The caller numbers signals as its own
 * architecture does; the wire as the asm-generic ABI does (x86, arm64,
 * riscv: there the two are the same).  The named signals go through a
 * table, the real-time ones by their distance from SIGRTMIN.
 */
#include <linux/kernel.h>
#include <linux/signal.h>

#include "interop_priv.h"

/* The wire number of each of this architecture's named signals, or 0. */
static const u8 interop_sig_wire[SIGRTMIN] = {
	[SIGHUP] = INTEROP_WIRE_SIGHUP,
	[SIGINT] = INTEROP_WIRE_SIGINT,
	[SIGQUIT] = INTEROP_WIRE_SIGQUIT,
	[SIGILL] = INTEROP_WIRE_SIGILL,
	[SIGTRAP] = INTEROP_WIRE_SIGTRAP,
	[SIGABRT] = INTEROP_WIRE_SIGABRT,
	[SIGBUS] = INTEROP_WIRE_SIGBUS,
	[SIGFPE] = INTEROP_WIRE_SIGFPE,
	[SIGKILL] = INTEROP_WIRE_SIGKILL,
	[SIGUSR1] = INTEROP_WIRE_SIGUSR1,
	[SIGSEGV] = INTEROP_WIRE_SIGSEGV,
	[SIGUSR2] = INTEROP_WIRE_SIGUSR2,
	[SIGPIPE] = INTEROP_WIRE_SIGPIPE,
	[SIGALRM] = INTEROP_WIRE_SIGALRM,
	[SIGTERM] = INTEROP_WIRE_SIGTERM,
#ifdef SIGSTKFLT
	[SIGSTKFLT] = INTEROP_WIRE_SIGSTKFLT,
#endif
	[SIGCHLD] = INTEROP_WIRE_SIGCHLD,
	[SIGCONT] = INTEROP_WIRE_SIGCONT,
	[SIGSTOP] = INTEROP_WIRE_SIGSTOP,
	[SIGTSTP] = INTEROP_WIRE_SIGTSTP,
	[SIGTTIN] = INTEROP_WIRE_SIGTTIN,
	[SIGTTOU] = INTEROP_WIRE_SIGTTOU,
	[SIGURG] = INTEROP_WIRE_SIGURG,
	[SIGXCPU] = INTEROP_WIRE_SIGXCPU,
	[SIGXFSZ] = INTEROP_WIRE_SIGXFSZ,
	[SIGVTALRM] = INTEROP_WIRE_SIGVTALRM,
	[SIGPROF] = INTEROP_WIRE_SIGPROF,
	[SIGWINCH] = INTEROP_WIRE_SIGWINCH,
	[SIGIO] = INTEROP_WIRE_SIGIO,
#ifdef SIGPWR
	[SIGPWR] = INTEROP_WIRE_SIGPWR,
#endif
	[SIGSYS] = INTEROP_WIRE_SIGSYS,
};

/**
 * interop_signal_to_wire() - the wire number of the caller's @signo
 * @signo: 1 to SIGRTMAX
 *
 * Context: any.
 * Return: 1 to INTEROP_WIRE_SIG_MAX, or -EINVAL for a number out of
 * range or one the wire has no name for.
 */
int interop_signal_to_wire(int signo)
{
	int wsig;

	if (signo < 1 || signo > SIGRTMAX)
		return -EINVAL;
	if (signo < SIGRTMIN)
		wsig = interop_sig_wire[signo];
	else
		wsig = INTEROP_WIRE_SIGRTMIN + signo - SIGRTMIN;
	return wsig >= 1 && wsig <= INTEROP_WIRE_SIG_MAX ? wsig : -EINVAL;
}

/**
 * interop_signal_from_wire() - the caller's number of wire signal @wsig
 * @wsig: 1 to INTEROP_WIRE_SIG_MAX, checked by the caller
 *
 * Context: any.
 * Return: the local number; a wire signal this architecture lacks is
 * given as its wire number.
 */
int interop_signal_from_wire(u32 wsig)
{
	int i;

	if (wsig >= INTEROP_WIRE_SIGRTMIN) {
		i = SIGRTMIN + wsig - INTEROP_WIRE_SIGRTMIN;
		return i <= SIGRTMAX ? i : wsig;
	}
	for (i = 1; i < SIGRTMIN; i++)
		if (interop_sig_wire[i] == wsig)
			return i;
	return wsig;
}
