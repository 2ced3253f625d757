/* SPDX-License-Identifier: Apache-2.0
 *
 * Kernel filter maps from user space (see kfilter_load.h).
 */
#include "kfilter_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "frc_kfilter.h"
#include "frc_probe.h"
#include "frc.skel.h"
#include "kfilter.h"
#include "probe_load.h"
#include "scap.h"

/* the keys written into one bank, to delete them when the bank is reused */
struct bank_keys {
	struct frc_kf_lpm_key *pfx, *sfx;
	uint32_t npfx, nsfx, cap_pfx, cap_sfx;
	struct frc_kf_comm_key *comm;
	uint32_t ncomm, cap_comm;
};

struct kfilter {
	struct probe *probe;
	struct frc_bpf *skel;
	int live;		/* bank bitmask as last published */
	int cur;		/* the committed bank, or -1 */
	int staged;		/* the staged bank, or -1 */
	struct bank_keys keys[FRC_KF_BANKS];
	int ncpus;
};

static void set_err(char *err, size_t len, const char *what, int e)
{
	if (err && len)
		snprintf(err, len, "kernel filter: %s: %s", what, strerror(e));
}

static void publish(struct kfilter *kf, int live)
{
	kf->live = live;
	__atomic_store_n(&kf->skel->bss->frc_kf_live, (uint32_t)live, __ATOMIC_RELEASE);
}

struct kfilter *kfilter_new(struct probe *p)
{
	struct kfilter *kf = calloc(1, sizeof(*kf));

	if (!kf)
		return NULL;
	kf->probe = p;
	kf->skel = probe_skeleton(p);
	kf->cur = kf->staged = -1;
	kf->ncpus = libbpf_num_possible_cpus();
	if (kf->ncpus <= 0)
		kf->ncpus = 1;
	return kf;
}

static void keys_free(struct bank_keys *k)
{
	free(k->pfx);
	free(k->sfx);
	free(k->comm);
	memset(k, 0, sizeof(*k));
}

void kfilter_free(struct kfilter *kf)
{
	if (!kf)
		return;
	for (int b = 0; b < FRC_KF_BANKS; b++)
		keys_free(&kf->keys[b]);
	free(kf);
}

/* deletes what a previous image left in bank @b */
static void clear_bank(struct kfilter *kf, int b)
{
	struct bank_keys *k = &kf->keys[b];
	int pfx = bpf_map__fd(kf->skel->maps.frc_kf_pfx);
	int sfx = bpf_map__fd(kf->skel->maps.frc_kf_sfx);
	int comm = bpf_map__fd(kf->skel->maps.frc_kf_comm);

	for (uint32_t i = 0; i < k->npfx; i++)
		bpf_map_delete_elem(pfx, &k->pfx[i]);
	for (uint32_t i = 0; i < k->nsfx; i++)
		bpf_map_delete_elem(sfx, &k->sfx[i]);
	for (uint32_t i = 0; i < k->ncomm; i++)
		bpf_map_delete_elem(comm, &k->comm[i]);
	k->npfx = k->nsfx = k->ncomm = 0;
}

static int grow(void **p, uint32_t *cap, uint32_t n, size_t size)
{
	if (n < *cap)
		return 0;
	uint32_t nc = *cap ? *cap * 2 : 64;
	void *np = realloc(*p, nc * size);

	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

/* the kernel's view of set @set of bank @b: two bytes in front of the string */
static void lpm_key(struct frc_kf_lpm_key *k, int b, uint32_t set, const uint8_t *bytes,
		    uint32_t len, bool reverse, bool nul)
{
	memset(k, 0, sizeof(*k));
	k->data[0] = (uint8_t)((b << 7) | ((set >> 8) & 0x7f));
	k->data[1] = (uint8_t)set;
	for (uint32_t i = 0; i < len; i++)
		k->data[2 + i] = reverse ? bytes[len - 1 - i] : bytes[i];
	if (nul)
		k->data[2 + len++] = 0;
	k->prefixlen = (2 + len) * 8;
}

static int write_items(struct kfilter *kf, int b, const struct kf_image *img, char *err,
		       size_t errlen)
{
	struct bank_keys *k = &kf->keys[b];
	int pfx = bpf_map__fd(kf->skel->maps.frc_kf_pfx);
	int sfx = bpf_map__fd(kf->skel->maps.frc_kf_sfx);
	int comm = bpf_map__fd(kf->skel->maps.frc_kf_comm);
	uint8_t one = 1;

	for (uint32_t i = 0; i < img->nitems; i++) {
		const struct kf_item *it = &img->items[i];
		int rc;

		if (it->set > 0x7fff) {
			set_err(err, errlen, "too many sets", E2BIG);
			return -E2BIG;
		}
		if (it->kind == FRC_KFA_COMM) {
			struct frc_kf_comm_key ck;

			if (grow((void **)&k->comm, &k->cap_comm, k->ncomm, sizeof(ck)))
				return -ENOMEM;
			memset(&ck, 0, sizeof(ck));
			ck.set = ((uint32_t)b << 16) | it->set;
			memcpy(ck.comm, it->bytes, it->len < 15 ? it->len : 15);
			rc = bpf_map_update_elem(comm, &ck, &one, BPF_ANY);
			if (rc) {
				set_err(err, errlen, "comm set", -rc);
				return rc;
			}
			k->comm[k->ncomm++] = ck;
			continue;
		}
		struct frc_kf_lpm_key lk;
		bool is_pfx = it->kind == FRC_KFA_NAME_PFX;

		if (it->len + (it->exact ? 1 : 0) > FRC_KF_PATH_MAX) {
			set_err(err, errlen, "string too long for the trie", E2BIG);
			return -E2BIG;
		}
		lpm_key(&lk, b, it->set, it->bytes, it->len, !is_pfx, it->exact);
		if (is_pfx) {
			if (grow((void **)&k->pfx, &k->cap_pfx, k->npfx, sizeof(lk)))
				return -ENOMEM;
			rc = bpf_map_update_elem(pfx, &lk, &one, BPF_ANY);
			if (!rc)
				k->pfx[k->npfx++] = lk;
		} else {
			if (grow((void **)&k->sfx, &k->cap_sfx, k->nsfx, sizeof(lk)))
				return -ENOMEM;
			rc = bpf_map_update_elem(sfx, &lk, &one, BPF_ANY);
			if (!rc)
				k->sfx[k->nsfx++] = lk;
		}
		if (rc) {
			set_err(err, errlen, is_pfx ? "prefix set" : "suffix set", -rc);
			return rc;
		}
	}
	return 0;
}

int kfilter_stage(struct kfilter *kf, const struct kf_image *img, char *err, size_t errlen)
{
	int b = kf->cur == 0 ? 1 : 0;
	int progs = bpf_map__fd(kf->skel->maps.frc_kf_progs);
	int rc;

	if (kf->staged >= 0)
		kfilter_abort(kf);
	/* the idle bank may still be read by a CPU that saw it live a moment ago only if it
	 * was live: it is not (commit/abort made it idle long before this reload) */
	clear_bank(kf, b);
	rc = write_items(kf, b, img, err, errlen);
	if (rc)
		goto fail;
	for (uint32_t c = 0; c < FRC_KF_NCODES; c++) {
		uint32_t key = (uint32_t)b * FRC_KF_NCODES + c;

		rc = bpf_map_update_elem(progs, &key, &img->progs[c], BPF_ANY);
		if (rc) {
			set_err(err, errlen, "program table", -rc);
			goto fail;
		}
	}
	kf->skel->bss->frc_kf_needles[b] = img->needles;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	kf->staged = b;
	publish(kf, kf->live | (1 << b));
	return 0;
fail:
	clear_bank(kf, b);
	return rc < 0 ? rc : -EIO;
}

void kfilter_commit(struct kfilter *kf)
{
	if (kf->staged < 0)
		return;
	kf->cur = kf->staged;
	kf->staged = -1;
	publish(kf, 1 << kf->cur);
}

void kfilter_abort(struct kfilter *kf)
{
	if (kf->staged < 0)
		return;
	publish(kf, kf->cur >= 0 ? 1 << kf->cur : 0);
	clear_bank(kf, kf->staged);
	kf->staged = -1;
}

void kfilter_disable(struct kfilter *kf)
{
	publish(kf, 0);
}

void kfilter_read_stats(struct kfilter *kf, struct kfilter_stats *out)
{
	struct frc_kf_stats *v = calloc((size_t)kf->ncpus, sizeof(*v));
	uint32_t zero = 0;

	memset(out, 0, sizeof(*out));
	if (!v)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(kf->skel->maps.frc_kf_stats), &zero, v) == 0) {
		for (int c = 0; c < kf->ncpus; c++) {
			out->seen += v[c].seen;
			out->dropped += v[c].dropped;
			out->shadowed += v[c].shadowed;
			out->closes_dropped += v[c].closes_dropped;
			out->replayed += v[c].replayed;
			out->replay_lost += v[c].replay_lost;
			out->shadow_full += v[c].shadow_full;
			out->inherited += v[c].inherited;
		}
	}
	free(v);
}

uint32_t kfilter_gc(struct kfilter *kf, bool (*alive)(void *ctx, uint32_t tgid), void *ctx,
		    uint32_t budget)
{
	int fd = bpf_map__fd(kf->skel->maps.frc_kf_shadow);
	struct frc_kf_shadow_key k, next, dead[256];
	uint32_t ndead = 0, seen = 0, removed = 0;
	bool first = true;

	while (seen < budget && ndead < 256) {
		if (bpf_map_get_next_key(fd, first ? NULL : &k, &next))
			break;
		first = false;
		k = next;
		seen++;
		if (!alive(ctx, k.tgid))
			dead[ndead++] = k;
	}
	for (uint32_t i = 0; i < ndead; i++)
		if (!bpf_map_delete_elem(fd, &dead[i]))
			removed++;
	return removed;
}

uint32_t kfilter_event_flags(const void *rec, size_t *len)
{
	const uint8_t *p = rec;
	uint32_t elen;
	uint64_t m;

	if (*len < FRC_HDR_LEN + 8)
		return 0;
	memcpy(&elen, p + 16, sizeof(elen));
	if ((size_t)elen + 8 != *len)
		return 0;
	memcpy(&m, p + elen, sizeof(m));
	if (m != FRC_KF_MARKER)
		return 0;
	*len = elen;
	return SCAP_DF_STATE_ONLY;
}
