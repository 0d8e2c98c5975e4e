// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun: signals.  INT, TERM, HUP, QUIT, USR1 and USR2 are caught and
 * forwarded to the program, WINCH becomes a resize; the handlers only
 * note the signal and wake the poll loop through a pipe, and do not
 * restart system calls, so a write to a stalled stdout gives way to
 * them.  SIGPIPE is ignored: a closed stdout is an EPIPE the loop acts
 * on.  Other deadly signals put the terminal back and kill us as they
 * would have; SIGTSTP stops us with the terminal's modes back, SIGCONT
 * makes it raw again.  A program killed by signal N kills us with N.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hostrun.h"

static const int hr_sig_forward[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

/* Deadly by default, not forwarded: restore the terminal, then die. */
static const int hr_sig_fatal[] = {
	SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPWR, SIGSTKFLT,
};

#define HR_NSIG 65
static volatile sig_atomic_t hr_sig_pending[HR_NSIG];
static int hr_sig_pipe[2] = { -1, -1 };

#define HR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void hr_sig_note(int signo)
{
	int saved = errno;
	char c = 0;

	if (signo > 0 && signo < HR_NSIG)
		hr_sig_pending[signo] = 1;
	/* A full pipe: the loop is awake already. */
	(void)!write(hr_sig_pipe[1], &c, 1);
	errno = saved;
}

static void hr_sig_stop_handler(int signo)
{
	int saved = errno;

	if (signo == SIGTSTP)
		hr_term_stop();
	else
		hr_term_resume();
	errno = saved;
}

static void hr_sig_fatal_handler(int signo)
{
	hr_term_restore();
	signal(signo, SIG_DFL);
	raise(signo);
}

bool hr_signal_forwarded(int signo)
{
	size_t i;

	for (i = 0; i < HR_ARRAY_SIZE(hr_sig_forward); i++)
		if (hr_sig_forward[i] == signo)
			return true;
	return false;
}

/* Install the handlers; 0 or -errno. */
int hr_signal_setup(void)
{
	struct sigaction sa;
	size_t i;

	if (pipe2(hr_sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = hr_sig_note;
	for (i = 0; i < HR_ARRAY_SIZE(hr_sig_forward); i++)
		sigaction(hr_sig_forward[i], &sa, NULL);
	sa.sa_handler = hr_sig_stop_handler;
	sigaction(SIGTSTP, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
	sa.sa_handler = hr_sig_fatal_handler;
	for (i = 0; i < HR_ARRAY_SIZE(hr_sig_fatal); i++)
		sigaction(hr_sig_fatal[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/* Readable when a signal came: poll it, then hr_signal_take(). */
int hr_signal_fd(void)
{
	return hr_sig_pipe[0];
}

/* A signal that came and was not taken yet, or 0. */
int hr_signal_take(void)
{
	char buf[64];
	int i;

	while (read(hr_sig_pipe[0], buf, sizeof(buf)) > 0)
		;
	for (i = 1; i < HR_NSIG; i++) {
		if (hr_sig_pending[i]) {
			hr_sig_pending[i] = 0;
			return i;
		}
	}
	return 0;
}

/**
 * hr_die_of() - end as a program killed by @signo does
 * @signo: the signal, in our numbers.
 *
 * The terminal is restored and no core is dumped (the host program's
 * core is the host's); a signal that does not kill (or one we do not
 * know) gives 128 + @signo, as a shell would show it.
 */
void hr_die_of(int signo)
{
	struct rlimit rl = { 0, 0 };
	sigset_t set;

	hr_term_restore();
	if (signo > 0 && signo <= SIGRTMAX && signo != SIGSTOP && signo != SIGTSTP &&
	    signo != SIGTTIN && signo != SIGTTOU) {
		fflush(NULL);
		setrlimit(RLIMIT_CORE, &rl);
		signal(signo, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, signo);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(signo);
	}
	exit(128 + (signo & 0x7f));
}
