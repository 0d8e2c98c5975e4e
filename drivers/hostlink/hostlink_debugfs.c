// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: /sys/kernel/debug/hostlink/<service>, the detail that
 * sysfs does not promise: the connection and every request in flight.
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>

#include "hostlink_priv.h"

struct dentry *hostlink_debugfs_root;

static int hostlink_debugfs_show(struct seq_file *m, void *unused)
{
	struct hostlink_conn *conn = m->private;
	struct hostlink_req *req;
	int bkt;

	spin_lock(&conn->lock);
	seq_printf(m, "state: %s\n", hostlink_state_name(conn->state));
	seq_printf(m, "generation: %llu\n", conn->gen);
	seq_printf(m, "local_port: %u\n", READ_ONCE(conn->local_port));
	seq_printf(m, "version: %u\nmax_frame: %u\nfeatures: %#llx\n",
		   conn->version, conn->max_frame, conn->features);
	seq_printf(m, "last_error: %s\n", conn->last_error);
	seq_printf(m, "in_flight: %d\n", atomic_read(&conn->in_flight));
	seq_puts(m, "requests:\n");
	/* entries leave the table under this lock before their owner goes */
	hash_for_each(conn->pending, bkt, req, node)
		seq_printf(m, "  id %llu op %u age_ms %d\n", req->id, req->op,
			   req->start ? jiffies_to_msecs(jiffies - req->start) : -1);
	spin_unlock(&conn->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hostlink_debugfs);

void hostlink_debugfs_add(struct hostlink_conn *conn)
{
	conn->debugfs = debugfs_create_file(conn->svc->name, 0400,
					    hostlink_debugfs_root, conn,
					    &hostlink_debugfs_fops);
}

void hostlink_debugfs_remove(struct hostlink_conn *conn)
{
	debugfs_remove(conn->debugfs);
}

void hostlink_debugfs_init(void)
{
	hostlink_debugfs_root = debugfs_create_dir("hostlink", NULL);
}

void hostlink_debugfs_exit(void)
{
	debugfs_remove_recursive(hostlink_debugfs_root);
}
