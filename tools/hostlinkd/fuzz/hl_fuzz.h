/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The input format of the hostlinkd fuzz target, shared with the seed
 * corpus generator.
 *
 * Byte 0 sets the scene (HL_FZ_*).  Then records: one command byte, a
 * little-endian 16-bit length, that many bytes.  A short last record
 * takes what is there.
 */
#ifndef HL_FUZZ_H
#define HL_FUZZ_H

/* Byte 0. */
#define HL_FZ_HYBRID		0x01	/* the peers are hybrid vsock peers */
#define HL_FZ_TRUST		0x02	/* trust_hybrid */
#define HL_FZ_LOOPBACK		0x04	/* allow_loopback */
#define HL_FZ_CID_SHIFT		3	/* 2 bits: CID 3, 1, 2 or 7 */
#define HL_FZ_UNRESERVED	0x20	/* the control port is 40000, not 700 */
#define HL_FZ_SMALL		0x40	/* tiny limits */
#define HL_FZ_NO_DRAIN		0x80	/* the peer reads only on HL_FZ_DRAIN */

/* Commands (low 3 bits of the command byte). */
enum {
	HL_FZ_FEED_A,		/* bytes on connection A */
	HL_FZ_FEED_B,		/* bytes on connection B (opened if needed) */
	HL_FZ_CLOCK,		/* the clock moves len * 4 ms; timers run */
	HL_FZ_DRAIN,		/* the peers read everything queued */
	HL_FZ_EOF_A,		/* A shuts down its sending side */
	HL_FZ_EOF_B,
	HL_FZ_NEW_B,		/* B is replaced by a new connection */
	HL_FZ_ATTACH_B,		/* B sends ATTACH with the last token issued */
};

/* Tokens from the fuzz target's random source: token n is n repeated. */

#endif /* HL_FUZZ_H */
