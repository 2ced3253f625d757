/* SPDX-License-Identifier: Apache-2.0
 *
 * The kernel filter fragment of a ruleset, derived from the optimised IR: for each event
 * code the probe emits, a small predicate over what the probe sees at the syscall (the path
 * argument of opens as fd.name / fd.nameraw / fd.directory / fd.filename would see it, the
 * open flags, the return value, the task's comm), kept as data the fixed probe interprets
 * (probe/frc_kfilter.h: per-code programs, prefix/suffix sets in LPM tries, comm sets,
 * "contains" needles) so that a reload is a map update.
 *
 * Soundness (STYLE.md B.3: the kernel filter over-approximates): each rule's condition is
 * turned into a disjunction of clauses in which every test the kernel cannot decide exactly
 * is replaced by "true"; a negated test survives only when the kernel's value is exactly the
 * one user space computes (flags, return value), otherwise it becomes "true" too; clause
 * and atom limits are met by weakening (dropping atoms, merging clauses), never by
 * strengthening. The programs of the rules of an event code are OR-ed. What an event means
 * for the state tables is a separate, per-code class (struct frc_kf_prog.state): thread
 * and process events are never dropped; an open is dropped with its fd "shadowed" (kept in
 * the kernel and replayed to user space, state only, before any emitted event uses that fd),
 * a close of a shadowed fd is dropped with it. Fields that read a whole fd table
 * (proc.fdopencount, fd.types) turn shadowing off.
 *
 * Ownership: kf_build() results own their memory (kf_rules_free); kf_link() images too
 * (kf_image_free). Neither keeps pointers into the IR.
 */
#ifndef FRC_COMPILER_KFILTER_H
#define FRC_COMPILER_KFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "frc_kfilter.h"
#include "ir.h"

struct kf_rules;

/* One item of a string set in an image: prefix (or suffix) bytes; @exact for equality
 * (the kernel stores it followed by the terminating NUL). Suffix items are NOT reversed
 * here (the loader reverses them). */
struct kf_item {
	uint32_t set;		/* set id (bank-relative) */
	uint8_t kind;		/* FRC_KFA_NAME_PFX (prefix trie), FRC_KFA_NAME_SFX (suffix
				 * trie) or FRC_KFA_COMM */
	bool exact;
	uint16_t len;
	uint8_t bytes[FRC_KF_PATH_MAX];
};

/**
 * struct kf_image - the filter for one set of enabled rules, ready for the maps of one
 * bank (set ids and needle indexes are bank-relative).
 * @progs: per event code; mode FRC_KF_PASS for codes the filter leaves alone
 * @items, @nitems: the contents of every set
 * @needles: the "contains" needles
 * @shadow: shadowing of dropped opens is allowed
 * @nrules: enabled rules the image was linked from
 */
struct kf_image {
	struct frc_kf_prog progs[FRC_KF_NCODES];
	struct kf_item *items;
	uint32_t nitems;
	uint32_t nsets;
	struct frc_kf_needles needles;
	uint8_t needle_bytes[FRC_KF_NEEDLES][8];
	uint8_t needle_len[FRC_KF_NEEDLES];
	bool shadow;
	uint32_t nrules;
	bool ruled[FRC_KF_NCODES];	/* some enabled rule is evaluated for the code */
};

/**
 * kf_build() - derive the per-rule, per-code clauses from @ir (after opt_run). Which rules
 * are enabled is decided later, by kf_link(). Returns NULL when out of memory.
 */
struct kf_rules *kf_build(const struct ir *ir);
void kf_rules_free(struct kf_rules *kr);

/**
 * kf_link() - the image for the rules whose @enabled byte is set (indexed by rule
 * ordinal, the IR's rule index; NULL: each rule's own `enabled:`). Returns NULL when out
 * of memory.
 */
struct kf_image *kf_link(const struct kf_rules *kr, const uint8_t *enabled);
void kf_image_free(struct kf_image *img);

/* The state class of event code @code (enum frc_kf_state), and its parameter indexes, as
 * the image sets them for codes the filter evaluates. */
void kf_code_params(uint16_t code, struct frc_kf_prog *p);

/**
 * kf_image_text() - a readable, deterministic listing of @img: per event code whether the
 * kernel evaluates it, its state class and its clauses; then the sets and needles.
 * Returns malloc'd text (caller frees), NULL when out of memory.
 */
char *kf_image_text(const struct kf_image *img, size_t *len);

#endif
