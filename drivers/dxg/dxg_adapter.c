// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: the host's adapters.
 *
 * Each time the control connection comes up (a new epoch) a work item
 * sends HELLO on the kernel's behalf and, if the reply holds up to
 * every check, publishes its adapters, each a new instance.  When the
 * connection goes, they are marked lost (and stay listed as such until
 * the next HELLO succeeds): every call about them fails with -ENODEV,
 * waiters wake, poll says EPOLLHUP.  Adapter handles are the open
 * file's objects (dxg_handle.c); they keep their adapter, lost or not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg_priv.h"

/* How long the HELLO work waits for the connection to be published. */
#define DXG_HELLO_WAIT_MS	5000

struct dxg_hosts dxg_hosts = {
	.lock = __MUTEX_INITIALIZER(dxg_hosts.lock),
	.poll_wq = __WAIT_QUEUE_HEAD_INITIALIZER(dxg_hosts.poll_wq),
};

struct dxg_stats dxg_stats;

/* Is the host connected with adapters, and in which epoch? */
static bool dxg_hosts_up;
static u32 dxg_next_instance;
static struct work_struct dxg_hello_work;
static u64 dxg_hello_epoch;
/* Module exit has begun: no more HELLO, no more adapters. */
static bool dxg_stopping;

static void dxg_adapter_release(struct kref *ref)
{
	kfree(container_of(ref, struct dxg_adapter, ref));
}

void dxg_adapter_put(struct dxg_adapter *adapter)
{
	kref_put(&adapter->ref, dxg_adapter_release);
}

bool dxg_adapter_lost(const struct dxg_adapter *adapter)
{
	return READ_ONCE(adapter->lost);
}

/*
 * The errno a caller sees: a lost adapter is -ENODEV whatever happened,
 * except a host protocol error: the call it answers fails -EPROTO
 * (protocol document, Trust), though that error lost the adapter.
 */
int dxg_errno(const struct dxg_adapter *adapter, int err)
{
	if (err && err != -EPROTO && dxg_adapter_lost(adapter))
		return -ENODEV;
	return err;
}

/* Context: dxg_hosts.lock held. */
static void dxg_hosts_drop_adapters(void)
{
	unsigned int i;

	lockdep_assert_held(&dxg_hosts.lock);
	for (i = 0; i < dxg_hosts.nadapters; i++) {
		dxg_sysfs_adapter_del(dxg_hosts.adapters[i]);
		dxg_adapter_put(dxg_hosts.adapters[i]);
		dxg_hosts.adapters[i] = NULL;
	}
	dxg_hosts.nadapters = 0;
}

/*
 * Strict UTF-8 (no overlong forms, surrogates or code points above
 * U+10FFFF) without control characters, C0, DEL or C1.
 */
static bool dxg_utf8_ok(const u8 *s, size_t len)
{
	unsigned int n, k;
	size_t i = 0;
	u32 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				return false;
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			n = 2;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			n = 3;
		else
			return false;
		if (len - i - 1 < n)
			return false;
		cp = s[i] & (0x3f >> n);
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0xa0) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* 1 to DXG_WIRE_NAME_LEN - 1 bytes of UTF-8, NUL-terminated and -padded. */
static bool dxg_name_ok(const char *name)
{
	size_t len = strnlen(name, DXG_WIRE_NAME_LEN);
	size_t i;

	if (!len || len == DXG_WIRE_NAME_LEN)
		return false;
	if (!dxg_utf8_ok((const u8 *)name, len))
		return false;
	for (i = len; i < DXG_WIRE_NAME_LEN; i++)
		if (name[i])
			return false;
	return true;
}

/* The HELLO reply's adapters: -EPROTO, with the reason, if one is bad. */
static int dxg_hello_check(const struct dxg_wire_hello_reply *hr,
			   const struct dxg_wire_adapter *ads,
			   const char **why)
{
	u16 version = le16_to_cpu(hr->version);
	unsigned int n = le16_to_cpu(hr->n_adapters);
	unsigned int i, j;

	if (version < DXG_WIRE_VERSION_MIN || version > DXG_WIRE_VERSION_MAX ||
	    version < le16_to_cpu(hr->min_version) ||
	    version > le16_to_cpu(hr->max_version)) {
		*why = "HELLO chose a version outside both ranges";
		return -EPROTO;
	}
	if (le64_to_cpu(hr->features) & ~DXG_WIRE_FEAT_ALL) {
		*why = "HELLO put features in force that were not offered";
		return -EPROTO;
	}
	for (i = 0; i < n; i++) {
		if (!ads[i].nonce) {
			*why = "an adapter with nonce 0";
			return -EPROTO;
		}
		if (!dxg_name_ok(ads[i].name)) {
			*why = "an adapter name empty, unterminated, not UTF-8 or unprintable";
			return -EPROTO;
		}
		if (le32_to_cpu(ads[i].flags) & ~DXG_WIRE_ADAPTER_F_ALL) {
			*why = "an adapter flag unknown";
			return -EPROTO;
		}
		for (j = 0; j < i; j++) {
			if (ads[j].nonce == ads[i].nonce) {
				*why = "two adapters with one nonce";
				return -EPROTO;
			}
			if (ads[j].luid_low == ads[i].luid_low &&
			    ads[j].luid_high == ads[i].luid_high) {
				*why = "two adapters with one LUID";
				return -EPROTO;
			}
		}
	}
	return 0;
}

static void dxg_adapter_fill(struct dxg_adapter *a,
			     const struct dxg_wire_adapter *w)
{
	kref_init(&a->ref);
	a->nonce = le64_to_cpu(w->nonce);
	a->info.luid.low = le32_to_cpu(w->luid_low);
	a->info.luid.high = le32_to_cpu(w->luid_high);
	/* known flags only: dxg_hello_check() refused the others */
	a->info.flags = le32_to_cpu(w->flags);
	a->info.vendor_id = le16_to_cpu(w->vendor_id);
	a->info.device_id = le16_to_cpu(w->device_id);
	a->info.dedicated_memory = le64_to_cpu(w->dedicated_memory);
	a->info.shared_memory = le64_to_cpu(w->shared_memory);
	memcpy(a->info.name, w->name, sizeof(a->info.name));
}

/*
 * The agreed frame must take the largest SUBMIT (DXG_WIRE_FRAME_MIN):
 * on a connection that agreed on less, no HELLO goes out and the
 * connection is dropped, as the host would after an EMSGSIZE reply.
 */
static int dxg_frame_check(void)
{
	ssize_t max = hostlink_max_payload(&dxg_service);

	if (max < 0)
		return max;
	if (max + sizeof(struct hostlink_cred) >= DXG_WIRE_FRAME_MIN)
		return 0;
	hostlink_service_break(&dxg_service,
			       "the agreed frame is below DXG_WIRE_FRAME_MIN");
	return -EMSGSIZE;
}

static void dxg_hello_work_fn(struct work_struct *work)
{
	struct dxg_adapter *fresh[DXG_WIRE_MAX_ADAPTERS] = {};
	struct dxg_wire_hello_reply hr;
	struct dxg_wire_adapter *ads;
	const char *why = NULL;
	unsigned int i, n = 0;
	u64 epoch;
	int ret;

	mutex_lock(&dxg_hosts.lock);
	epoch = dxg_hello_epoch;
	mutex_unlock(&dxg_hosts.lock);

	ads = kcalloc(DXG_WIRE_MAX_ADAPTERS, sizeof(*ads), GFP_KERNEL);
	if (!ads) {
		hostlink_service_break(&dxg_service, "no memory for HELLO");
		return;
	}
	ret = hostlink_wait_connected(&dxg_service, DXG_HELLO_WAIT_MS);
	if (!ret)
		ret = dxg_frame_check();
	if (!ret)
		ret = dxg_cmd_hello(&hr, ads);
	if (!ret)
		ret = dxg_hello_check(&hr, ads, &why);
	if (ret == -EPROTO && why) {
		atomic64_inc(&dxg_stats.bad_replies);
		hostlink_service_break(&dxg_service, why);
	}
	if (ret) {
		if (ret != -ENOTCONN)
			pr_warn_ratelimited("the host's GPU service refused HELLO or broke it: %d%s%s\n",
					    ret, why ? ": " : "", why ?: "");
		goto out;
	}

	n = le16_to_cpu(hr.n_adapters);
	for (i = 0; i < n; i++) {
		fresh[i] = kzalloc(sizeof(*fresh[i]), GFP_KERNEL);
		if (!fresh[i]) {
			hostlink_service_break(&dxg_service,
					       "no memory for the adapters");
			goto out;
		}
		dxg_adapter_fill(fresh[i], &ads[i]);
		fresh[i]->epoch = epoch;
	}

	mutex_lock(&dxg_hosts.lock);
	if (!dxg_hosts_up || dxg_hosts.epoch != epoch || dxg_stopping) {
		/* lost meanwhile: this reply is of a dead connection */
		mutex_unlock(&dxg_hosts.lock);
		goto out;
	}
	dxg_hosts_drop_adapters();
	for (i = 0; i < n; i++) {
		if (++dxg_next_instance == 0)
			dxg_next_instance = 1;
		fresh[i]->instance = dxg_next_instance;
		fresh[i]->info.instance = dxg_next_instance;
		dxg_hosts.adapters[i] = fresh[i];
		dxg_sysfs_adapter_add(fresh[i]);
		fresh[i] = NULL;
	}
	dxg_hosts.nadapters = n;
	dxg_hosts.version = le16_to_cpu(hr.version);
	dxg_hosts.features = le64_to_cpu(hr.features);
	dxg_hosts.ready = true;
	dxg_hosts.seq++;
	mutex_unlock(&dxg_hosts.lock);
	atomic64_inc(&dxg_stats.hellos);
	wake_up_all(&dxg_hosts.poll_wq);
	pr_info_ratelimited("host GPU service: protocol %u, %u adapter%s\n",
			    le16_to_cpu(hr.version), n, n == 1 ? "" : "s");
out:
	for (i = 0; i < n; i++)
		kfree(fresh[i]);
	kfree(ads);
}

static void dxg_service_state(struct hostlink_service *svc, bool up)
{
	unsigned int i;
	u64 epoch;

	mutex_lock(&dxg_hosts.lock);
	if (up) {
		dxg_hosts.epoch++;
		dxg_hello_epoch = dxg_hosts.epoch;
		dxg_hosts_up = true;
		if (!dxg_stopping)
			queue_work(dxg_wq, &dxg_hello_work);
		mutex_unlock(&dxg_hosts.lock);
		return;
	}
	dxg_hosts_up = false;
	dxg_hosts.ready = false;
	dxg_hosts.version = 0;
	dxg_hosts.features = 0;
	epoch = dxg_hosts.epoch;
	for (i = 0; i < dxg_hosts.nadapters; i++)
		WRITE_ONCE(dxg_hosts.adapters[i]->lost, true);
	dxg_hosts.seq++;
	mutex_unlock(&dxg_hosts.lock);

	dxg_fence_lost_all(epoch);
	wake_up_all(&dxg_hosts.poll_wq);
}

/*
 * EVENT frames: in whichever caller drains the socket, with the
 * connection's receive lock held.  Only dxg_ev_lock is taken below.
 */
static void dxg_service_event(struct hostlink_service *svc, u32 op,
			      const void *data, size_t len)
{
	atomic64_inc(&dxg_stats.events);
	switch (op) {
	case DXG_WIRE_EV_FENCE:
		if (len == sizeof(struct dxg_wire_ev_fence)) {
			dxg_fence_event(data);
			return;
		}
		break;
	case DXG_WIRE_EV_DEVICE:
		if (len == sizeof(struct dxg_wire_ev_device)) {
			dxg_device_event(data);
			return;
		}
		break;
	}
	dxg_cmd_event_malformed("an event of an unknown op or size");
}

const struct hostlink_service_ops dxg_service_ops = {
	.event = dxg_service_event,
	.state = dxg_service_state,
};

int dxg_hosts_init(void)
{
	INIT_WORK(&dxg_hello_work, dxg_hello_work_fn);
	return 0;
}

/*
 * Before the service is unregistered (the adapters' sysfs directories
 * are under its own): no HELLO is queued from now on, none runs.
 */
void dxg_hosts_exit(void)
{
	mutex_lock(&dxg_hosts.lock);
	dxg_stopping = true;
	mutex_unlock(&dxg_hosts.lock);
	cancel_work_sync(&dxg_hello_work);
	mutex_lock(&dxg_hosts.lock);
	dxg_hosts_drop_adapters();
	mutex_unlock(&dxg_hosts.lock);
}

int dxg_caps_get_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_caps_get *a = arg;

	if (a->flags)
		return -EINVAL;
	a->out_uapi_version = DXG_UAPI_VERSION;
	mutex_lock(&dxg_hosts.lock);
	a->out_host_version = dxg_hosts.ready ? dxg_hosts.version : 0;
	a->out_features = DXG_FEAT_FENCE_PAGE;
	if (dxg_hosts.ready && dxg_cmd_bulk_possible())
		a->out_features |= DXG_FEAT_HOST_BULK;
	mutex_unlock(&dxg_hosts.lock);
	if (dxg_sync_supported())
		a->out_features |= DXG_FEAT_SYNC_FILE;
	a->out_max_adapters = DXG_MAX_ADAPTERS;
	a->out_max_handles = dxg_max_handles;
	a->out_max_fences = dxg_max_fences;
	a->out_fence_map_size = PAGE_ALIGN(dxg_max_fences * sizeof(u64));
	a->out_max_cmd_size = DXG_MAX_CMD_SIZE;
	a->out_max_submit_allocs = DXG_MAX_SUBMIT_ALLOCS;
	a->out_max_submit_waits = DXG_MAX_SUBMIT_WAITS;
	a->out_max_submit_signals = DXG_MAX_SUBMIT_SIGNALS;
	a->out_max_wait_fences = DXG_MAX_WAIT_FENCES;
	a->out_max_signal_fences = DXG_MAX_SIGNAL_FENCES;
	a->out_max_alloc_size = DXG_MAX_ALLOC_SIZE;
	a->out_max_lock_size = min_t(u64, dxg_max_locked, DXG_MAX_ALLOC_SIZE);
	return 0;
}

int dxg_adapter_enum_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_adapter_enum *a = arg;
	struct dxg_adapter_info *infos;
	unsigned int i, n, count;
	u8 __user *out;
	int ret = 0;

	/* counting only (no array) needs no entry size */
	if (a->flags || a->__reserved || (!a->adapters_uptr && a->count) ||
	    ((a->adapters_uptr || a->entry_size) &&
	     (a->entry_size < sizeof(*infos) || a->entry_size % 8)))
		return -EINVAL;
	infos = kcalloc(DXG_WIRE_MAX_ADAPTERS, sizeof(*infos), GFP_KERNEL);
	if (!infos)
		return -ENOMEM;

	mutex_lock(&dxg_hosts.lock);
	n = dxg_hosts.nadapters;
	for (i = 0; i < n; i++) {
		struct dxg_adapter *ad = dxg_hosts.adapters[i];

		infos[i] = ad->info;
		infos[i].state = ad->lost ? DXG_ADAPTER_LOST : DXG_ADAPTER_ACTIVE;
	}
	dfile->enum_seq = dxg_hosts.seq;
	mutex_unlock(&dxg_hosts.lock);

	count = min(a->count, n);
	out = u64_to_user_ptr(a->adapters_uptr);
	for (i = 0; i < count; i++, out += a->entry_size) {
		if (copy_to_user(out, &infos[i], sizeof(infos[i])) ||
		    clear_user(out + sizeof(infos[i]),
			       a->entry_size - sizeof(infos[i]))) {
			ret = -EFAULT;
			break;
		}
	}
	a->count = count;
	a->out_total = n;
	kfree(infos);
	return ret;
}

/* The adapter of @luid to open, with a reference; or an errno. */
static struct dxg_adapter *dxg_adapter_find(const struct dxg_luid *luid,
					    u32 instance)
{
	struct dxg_adapter *found = ERR_PTR(-ENOENT);
	unsigned int i;

	mutex_lock(&dxg_hosts.lock);
	for (i = 0; i < dxg_hosts.nadapters; i++) {
		struct dxg_adapter *ad = dxg_hosts.adapters[i];

		if (ad->info.luid.low != luid->low ||
		    ad->info.luid.high != luid->high)
			continue;
		if (ad->lost || (instance && instance != ad->instance)) {
			found = ERR_PTR(-ENODEV);
			break;
		}
		kref_get(&ad->ref);
		found = ad;
		break;
	}
	mutex_unlock(&dxg_hosts.lock);
	return found;
}

static void dxg_ahandle_release(struct dxg_obj *obj)
{
	struct dxg_ahandle *ah = to_dxg_ahandle(obj);

	dxg_adapter_put(ah->adapter);
	kfree(ah);
}

/*
 * Close an adapter handle on the host (the host destroys everything
 * made through it).  A lost adapter has nothing left there.  From the
 * release worker on the kernel's behalf.
 */
void dxg_ahandle_close_host(struct dxg_file *dfile, struct dxg_ahandle *ah)
{
	if (!ah->obj.host_id || dxg_adapter_lost(ah->adapter))
		return;
	dxg_cmd_adapter_close(dfile, ah, true);
}

int dxg_adapter_open_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_adapter_open *a = arg;
	struct dxg_adapter *adapter;
	struct dxg_ahandle *ah;
	int ret;

	if (a->flags || a->__reserved)
		return -EINVAL;
	adapter = dxg_adapter_find(&a->luid, a->instance);
	if (IS_ERR(adapter))
		return PTR_ERR(adapter);

	ah = kzalloc(sizeof(*ah), GFP_KERNEL_ACCOUNT);
	if (!ah) {
		dxg_adapter_put(adapter);
		return -ENOMEM;
	}
	dxg_obj_init(&ah->obj, DXG_KIND_ADAPTER, dfile, NULL,
		     dxg_ahandle_release);
	ah->adapter = adapter;

	ret = dxg_cmd_adapter_open(dfile, adapter, &ah->obj.host_id);
	if (ret)
		goto err_put;

	mutex_lock(&dfile->lock);
	ret = dxg_obj_publish(&ah->obj);
	mutex_unlock(&dfile->lock);
	if (ret)
		goto err_close_host;
	a->out_adapter = ah->obj.handle;
	return 0;

err_close_host:
	dxg_cmd_adapter_close(dfile, ah, false);
err_put:
	dxg_obj_put(&ah->obj);
	return dxg_errno(adapter, ret);
}

int dxg_adapter_close_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_adapter_close *a = arg;
	struct dxg_obj *obj;
	LIST_HEAD(dead);

	if (a->flags)
		return -EINVAL;
	obj = dxg_obj_get(dfile, a->adapter, DXG_KIND_ADAPTER);
	if (!obj)
		return -ENOENT;
	mutex_lock(&dfile->lock);
	if (obj->dead) {
		mutex_unlock(&dfile->lock);
		dxg_obj_put(obj);
		return -ENOENT;
	}
	dxg_obj_unpublish(obj, &dead);
	mutex_unlock(&dfile->lock);

	/* cleanup always works: a host error changes nothing here */
	dxg_ahandle_close_host(dfile, to_dxg_ahandle(obj));
	dxg_obj_put_list(&dead);
	dxg_obj_put(obj);
	return 0;
}

static int dxg_query_clock(struct dxg_file *dfile, struct dxg_ahandle *ah,
			   struct dxg_query_clock *out)
{
	struct dxg_wire_query_clock w;
	u64 t0, t1;
	int ret;

	t0 = ktime_get_ns();
	ret = dxg_cmd_query(dfile, ah, DXG_WIRE_QUERY_CLOCK, &w, sizeof(w));
	t1 = ktime_get_ns();
	if (ret)
		return ret;
	if (!w.frequency) {
		dxg_cmd_protocol_error("QUERY CLOCK with frequency 0");
		return -EPROTO;
	}
	out->gpu_ticks = le64_to_cpu(w.gpu_ticks);
	out->frequency = le64_to_cpu(w.frequency);
	out->monotonic_ns = t0 + (t1 - t0) / 2;
	out->uncertainty_ns = (t1 - t0) / 2;
	return 0;
}

static int dxg_query_memory(struct dxg_file *dfile, struct dxg_ahandle *ah,
			    struct dxg_query_memory *out)
{
	struct dxg_wire_query_memory w;
	int ret;

	ret = dxg_cmd_query(dfile, ah, DXG_WIRE_QUERY_MEMORY, &w, sizeof(w));
	if (ret)
		return ret;
	out->budget = le64_to_cpu(w.budget);
	out->usage = le64_to_cpu(w.usage);
	out->file_usage = le64_to_cpu(w.process_usage);
	return 0;
}

static int dxg_query_stats(struct dxg_file *dfile, struct dxg_ahandle *ah,
			   struct dxg_query_stats *out)
{
	struct dxg_wire_query_stats w = {};
	int ret;

	mutex_lock(&dfile->lock);
	out->file_objects = ah->objects;
	out->file_alloc_bytes = ah->alloc_bytes;
	mutex_unlock(&dfile->lock);
	out->file_submits = atomic64_read(&ah->submits);
	out->file_bytes_read = atomic64_read(&ah->bytes_read);
	out->file_bytes_written = atomic64_read(&ah->bytes_written);

	/* a lost adapter answers from what the guest has: its own counts */
	ret = dxg_cmd_query(dfile, ah, DXG_WIRE_QUERY_STATS, &w, sizeof(w));
	if (ret && ret != -ENODEV)
		return ret;
	out->adapter_submits = le64_to_cpu(w.submits);
	out->adapter_retired = le64_to_cpu(w.retired);
	out->adapter_failed = le64_to_cpu(w.failed);
	out->adapter_commands = le64_to_cpu(w.commands);
	out->adapter_busy_ns = le64_to_cpu(w.busy_ns);
	out->adapter_bytes_read = le64_to_cpu(w.bytes_read);
	out->adapter_bytes_written = le64_to_cpu(w.bytes_written);
	out->adapter_events_coalesced = le64_to_cpu(w.events_coalesced);
	return 0;
}

int dxg_adapter_query_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_adapter_query *a = arg;
	union {
		struct dxg_query_memory memory;
		struct dxg_query_clock clock;
		struct dxg_query_stats stats;
	} out = {};
	struct dxg_obj *obj;
	size_t ksize;
	u8 __user *uptr = u64_to_user_ptr(a->data_uptr);
	int ret;

	switch (a->type) {
	case DXG_QUERY_MEMORY:
		ksize = sizeof(out.memory);
		break;
	case DXG_QUERY_CLOCK:
		ksize = sizeof(out.clock);
		break;
	case DXG_QUERY_STATS:
		ksize = sizeof(out.stats);
		break;
	default:
		return -EINVAL;
	}
	if (a->flags || a->__reserved || a->data_size < ksize ||
	    a->data_size % 8)
		return -EINVAL;
	obj = dxg_obj_get(dfile, a->adapter, DXG_KIND_ADAPTER);
	if (!obj)
		return -ENOENT;

	switch (a->type) {
	case DXG_QUERY_MEMORY:
		ret = dxg_query_memory(dfile, to_dxg_ahandle(obj), &out.memory);
		break;
	case DXG_QUERY_CLOCK:
		ret = dxg_query_clock(dfile, to_dxg_ahandle(obj), &out.clock);
		break;
	default:
		ret = dxg_query_stats(dfile, to_dxg_ahandle(obj), &out.stats);
		break;
	}
	ret = dxg_errno(dxg_obj_adapter(obj), ret);
	if (a->type == DXG_QUERY_MEMORY && ret == -ENODEV)
		ret = 0;	/* no values from a lost host: zeros */
	dxg_obj_put(obj);
	if (ret)
		return ret;
	if (copy_to_user(uptr, &out, ksize) ||
	    clear_user(uptr + ksize, a->data_size - ksize))
		return -EFAULT;
	a->out_data_size = ksize;
	return 0;
}

/* Level-triggered poll state of a file (dxg-uapi.rst, poll). */
__poll_t dxg_adapter_poll(struct dxg_file *dfile)
{
	struct dxg_obj *ah, *dev;
	__poll_t mask = 0;
	unsigned long flags;

	mutex_lock(&dfile->lock);
	list_for_each_entry(ah, &dfile->ahandles, node) {
		if (dxg_adapter_lost(to_dxg_ahandle(ah)->adapter))
			mask |= EPOLLHUP | EPOLLERR | EPOLLPRI;
		spin_lock_irqsave(&dxg_ev_lock, flags);
		list_for_each_entry(dev, &ah->children, node) {
			u32 state = le32_to_cpu(to_dxg_device(dev)->state.state);

			if (state == DXG_WIRE_DEVICE_FAULTED ||
			    state == DXG_WIRE_DEVICE_LOST)
				mask |= EPOLLPRI;
		}
		spin_unlock_irqrestore(&dxg_ev_lock, flags);
	}
	mutex_unlock(&dfile->lock);

	mutex_lock(&dxg_hosts.lock);
	if (dfile->enum_seq != dxg_hosts.seq)
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&dxg_hosts.lock);
	return mask;
}
