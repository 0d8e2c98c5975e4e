// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink_test: /dev/hostlink_test, the selftests' and benchmarks' way
 * into the hostlink core.  Each open file can bind a service of its own
 * (any host port, any remote name) and then send requests, open extra
 * connections and count the events it receives.  Not part of the DKMS
 * package.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/bvec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <uapi/linux/hostlink_test.h>

#include <linux/hostlink.h>

/**
 * struct hostlink_test_file - one open /dev/hostlink_test
 * @svc: the bound service; valid once @bound
 * @name: its sysfs name, "test-<n>"
 * @remote: the name sent in HELLO
 * @id: <n>
 * @lock: serialises BIND
 * @bound: set (under @lock, with release) once BIND succeeded; read
 *	with acquire by the other ioctls, which then see @svc complete
 * @events: counters, updated by the receive thread
 * @last_seq: payload of the last tick
 * @bad_events: events of another kind
 * @ups: connection came up
 * @downs: connection lost
 */
struct hostlink_test_file {
	struct hostlink_service svc;
	char name[HOSTLINK_NAME_LEN];
	char remote[HOSTLINK_NAME_LEN];
	int id;
	struct mutex lock;		/* see above */
	bool bound;
	atomic64_t events;
	atomic64_t last_seq;
	atomic64_t bad_events;
	atomic64_t ups;
	atomic64_t downs;
};

static DEFINE_IDA(hostlink_test_ida);

static inline struct hostlink_test_file *
to_hostlink_test_file(struct hostlink_service *svc)
{
	return container_of(svc, struct hostlink_test_file, svc);
}

static void hostlink_test_event(struct hostlink_service *svc, u32 op,
				const void *data, size_t len)
{
	struct hostlink_test_file *tf = to_hostlink_test_file(svc);
	__le64 seq;

	if (op != HOSTLINK_TEST_EV_TICK || len != sizeof(seq)) {
		atomic64_inc(&tf->bad_events);
		return;
	}
	memcpy(&seq, data, sizeof(seq));
	atomic64_set(&tf->last_seq, le64_to_cpu(seq));
	atomic64_inc(&tf->events);
}

static void hostlink_test_state(struct hostlink_service *svc, bool up)
{
	struct hostlink_test_file *tf = to_hostlink_test_file(svc);

	atomic64_inc(up ? &tf->ups : &tf->downs);
}

static const struct hostlink_service_ops hostlink_test_ops = {
	.event = hostlink_test_event,
	.state = hostlink_test_state,
};

static int hostlink_test_bind_ioctl(struct hostlink_test_file *tf,
				    void __user *arg)
{
	struct hostlink_test_bind bind;
	int ret;

	if (copy_from_user(&bind, arg, sizeof(bind)))
		return -EFAULT;
	if (bind.flags || bind.__reserved)
		return -EINVAL;
	if (strnlen(bind.remote, sizeof(bind.remote)) == sizeof(bind.remote))
		return -EINVAL;

	mutex_lock(&tf->lock);
	if (tf->bound) {
		ret = -EBUSY;
		goto out_unlock;
	}
	strscpy(tf->remote, bind.remote[0] ? bind.remote : "test",
		sizeof(tf->remote));
	tf->svc.name = tf->name;
	tf->svc.remote = tf->remote;
	tf->svc.port = bind.port ?: HOSTLINK_PORT_TEST;
	tf->svc.ops = &hostlink_test_ops;
	bind.out_id = tf->id;
	if (copy_to_user(arg, &bind, sizeof(bind))) {
		ret = -EFAULT;
		goto out_unlock;
	}
	ret = hostlink_service_register(&tf->svc);
	if (!ret) /* pairs with smp_load_acquire() in hostlink_test_ioctl() */
		smp_store_release(&tf->bound, true);
out_unlock:
	mutex_unlock(&tf->lock);
	return ret;
}

static int hostlink_test_wait_ioctl(struct hostlink_test_file *tf,
				    void __user *arg)
{
	struct hostlink_test_wait wait;
	int ret;

	if (copy_from_user(&wait, arg, sizeof(wait)))
		return -EFAULT;
	ret = hostlink_wait_connected(&tf->svc, wait.timeout_ms);
	wait.out_state = hostlink_connected(&tf->svc) ?
		HOSTLINK_TEST_CONNECTED : HOSTLINK_TEST_CONNECTING;
	if (copy_to_user(arg, &wait, sizeof(wait)))
		return -EFAULT;
	return ret;
}

/*
 * The caller's request bytes, pinned for the call: the core then copies
 * them once, into the socket, and a bad address fails here, before
 * anything is sent.
 */
struct hostlink_test_pinned {
	struct page **pages;
	struct bio_vec *bv;
	int nr;
	struct iov_iter iter;
};

static int hostlink_test_pin(struct hostlink_test_pinned *p, u64 uptr,
			     size_t len)
{
	size_t off = offset_in_page(uptr), left = len;
	int i, nr, got;

	if (uptr + len < uptr)
		return -EFAULT;
	nr = DIV_ROUND_UP(off + len, PAGE_SIZE);
	p->pages = kvcalloc(nr, sizeof(*p->pages), GFP_KERNEL);
	p->bv = kvcalloc(nr, sizeof(*p->bv), GFP_KERNEL);
	if (!p->pages || !p->bv)
		return -ENOMEM;
	got = pin_user_pages_fast(uptr & PAGE_MASK, nr, 0, p->pages);
	if (got > 0)
		p->nr = got;
	if (got != nr)
		return got < 0 ? got : -EFAULT;
	for (i = 0; i < nr; i++) {
		size_t n = min_t(size_t, left, PAGE_SIZE - off);

		p->bv[i].bv_page = p->pages[i];
		p->bv[i].bv_offset = off;
		p->bv[i].bv_len = n;
		left -= n;
		off = 0;
	}
	iov_iter_bvec(&p->iter, ITER_SOURCE, p->bv, nr, len);
	return 0;
}

static void hostlink_test_unpin(struct hostlink_test_pinned *p)
{
	if (p->nr)
		unpin_user_pages(p->pages, p->nr);
	kvfree(p->bv);
	kvfree(p->pages);
}

static int hostlink_test_call_ioctl(struct hostlink_test_file *tf,
				    void __user *arg)
{
	struct hostlink_test_call tc;
	struct hostlink_call call = {};
	struct hostlink_test_pinned pin = {};
	void *resp = NULL;
	int ret;

	if (copy_from_user(&tc, arg, sizeof(tc)))
		return -EFAULT;
	if ((tc.flags & ~HOSTLINK_TEST_CALL_KERNEL) || tc.__reserved)
		return -EINVAL;
	if (tc.req_len > HOSTLINK_FRAME_LIMIT ||
	    tc.resp_max > HOSTLINK_FRAME_LIMIT)
		return -EMSGSIZE;

	if (tc.req_len) {
		ret = hostlink_test_pin(&pin, tc.req_uptr, tc.req_len);
		if (ret)
			goto out_free;
		call.req_iter = &pin.iter;
	}
	if (tc.resp_uptr && tc.resp_max) {
		resp = kvmalloc(tc.resp_max, GFP_KERNEL);
		if (!resp) {
			ret = -ENOMEM;
			goto out_free;
		}
	}

	call.op = tc.op;
	call.flags = tc.flags & HOSTLINK_TEST_CALL_KERNEL ?
		HOSTLINK_CALL_KERNEL : 0;
	call.timeout_ms = tc.timeout_ms;
	call.req_len = tc.req_len;
	call.resp = resp;
	call.resp_max = resp ? tc.resp_max : 0;
	ret = hostlink_call(&tf->svc, &call);
	if (ret)
		goto out_free;

	tc.out_resp_len = call.resp_len;
	if ((call.resp_len &&
	     copy_to_user(u64_to_user_ptr(tc.resp_uptr), resp, call.resp_len)) ||
	    copy_to_user(arg, &tc, sizeof(tc)))
		ret = -EFAULT;
out_free:
	kvfree(resp);
	hostlink_test_unpin(&pin);
	return ret;
}

static int hostlink_test_stream_ioctl(struct hostlink_test_file *tf,
				      void __user *arg)
{
	struct hostlink_test_stream ts;
	struct hostlink_call call = {};
	struct socket *sock;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&ts, arg, sizeof(ts)))
		return -EFAULT;
	if ((ts.flags & ~HOSTLINK_TEST_STREAM_TOKEN) || ts.__reserved)
		return -EINVAL;

	if (!(ts.flags & HOSTLINK_TEST_STREAM_TOKEN)) {
		call.op = HOSTLINK_TEST_STREAM;
		call.timeout_ms = ts.timeout_ms;
		call.resp = ts.token;
		call.resp_max = sizeof(ts.token);
		ret = hostlink_call(&tf->svc, &call);
		if (ret)
			return ret;
		if (call.resp_len != sizeof(ts.token))
			return -EPROTO;
	}

	ret = hostlink_attach(&tf->svc, ts.token, ts.timeout_ms, &sock);
	if (ret)
		return ret;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_release;
	}
	file = sock_alloc_file(sock, O_CLOEXEC, NULL);
	if (IS_ERR(file)) {
		/* sock_alloc_file() released the socket */
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	ts.out_fd = fd;
	if (copy_to_user(arg, &ts, sizeof(ts))) {
		fput(file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;

err_release:
	sock_release(sock);
	return ret;
}

static int hostlink_test_stats_ioctl(struct hostlink_test_file *tf,
				     void __user *arg)
{
	struct hostlink_test_stats st = {
		.events = atomic64_read(&tf->events),
		.last_seq = atomic64_read(&tf->last_seq),
		.bad_events = atomic64_read(&tf->bad_events),
		.ups = atomic64_read(&tf->ups),
		.downs = atomic64_read(&tf->downs),
	};

	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static int hostlink_test_max_payload_ioctl(struct hostlink_test_file *tf,
					   void __user *arg)
{
	struct hostlink_test_max_payload mp = {};
	ssize_t ret;

	ret = hostlink_max_payload(&tf->svc);
	if (ret < 0)
		return ret;
	mp.out_max_payload = ret;
	return copy_to_user(arg, &mp, sizeof(mp)) ? -EFAULT : 0;
}

static long hostlink_test_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct hostlink_test_file *tf = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (cmd == HOSTLINK_TEST_IOC_BIND)
		return hostlink_test_bind_ioctl(tf, uarg);
	/* pairs with smp_store_release() in hostlink_test_bind_ioctl() */
	if (!smp_load_acquire(&tf->bound))
		return cmd == HOSTLINK_TEST_IOC_WAIT || cmd == HOSTLINK_TEST_IOC_CALL ||
		       cmd == HOSTLINK_TEST_IOC_STREAM ||
		       cmd == HOSTLINK_TEST_IOC_STATS ||
		       cmd == HOSTLINK_TEST_IOC_MAX_PAYLOAD ? -ENOTCONN : -ENOTTY;

	switch (cmd) {
	case HOSTLINK_TEST_IOC_WAIT:
		return hostlink_test_wait_ioctl(tf, uarg);
	case HOSTLINK_TEST_IOC_CALL:
		return hostlink_test_call_ioctl(tf, uarg);
	case HOSTLINK_TEST_IOC_STREAM:
		return hostlink_test_stream_ioctl(tf, uarg);
	case HOSTLINK_TEST_IOC_STATS:
		return hostlink_test_stats_ioctl(tf, uarg);
	case HOSTLINK_TEST_IOC_MAX_PAYLOAD:
		return hostlink_test_max_payload_ioctl(tf, uarg);
	}
	return -ENOTTY;
}

static int hostlink_test_open(struct inode *inode, struct file *file)
{
	struct hostlink_test_file *tf;

	tf = kzalloc(sizeof(*tf), GFP_KERNEL);
	if (!tf)
		return -ENOMEM;
	tf->id = ida_alloc(&hostlink_test_ida, GFP_KERNEL);
	if (tf->id < 0) {
		int ret = tf->id;

		kfree(tf);
		return ret;
	}
	snprintf(tf->name, sizeof(tf->name), "test-%d", tf->id);
	mutex_init(&tf->lock);
	file->private_data = tf;
	return 0;
}

static int hostlink_test_release(struct inode *inode, struct file *file)
{
	struct hostlink_test_file *tf = file->private_data;

	if (tf->bound)
		hostlink_service_unregister(&tf->svc);
	ida_free(&hostlink_test_ida, tf->id);
	kfree(tf);
	return 0;
}

static const struct file_operations hostlink_test_fops = {
	.owner = THIS_MODULE,
	.open = hostlink_test_open,
	.release = hostlink_test_release,
	.unlocked_ioctl = hostlink_test_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hostlink_test_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hostlink_test",
	.fops = &hostlink_test_fops,
	.mode = 0600,
};

static int __init hostlink_test_init(void)
{
	return misc_register(&hostlink_test_misc);
}

static void __exit hostlink_test_exit(void)
{
	misc_deregister(&hostlink_test_misc);
	ida_destroy(&hostlink_test_ida);
}

module_init(hostlink_test_init);
module_exit(hostlink_test_exit);

MODULE_DESCRIPTION("hostlink test device for selftests and benchmarks");
MODULE_AUTHOR("The hostlink authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(HOSTLINK_VERSION);
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(HOSTLINK);
