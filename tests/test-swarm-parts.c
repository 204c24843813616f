/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-swarm-parts.c: the parts a swarm's members share, made at first
 * need: an idle swarm makes none whatever it is told, what it was told
 * applies when they are made, what it is told afterwards applies at once,
 * and a magnet's extensions make them.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "tsr-swarm-parts.h"

typedef struct
{
  TsrMemberShared shared;
  TsrSwarmParts   parts;
} Fixture;

/* No member ever exists here: nothing of these is called. */
static const TsrMemberFuncs member_funcs = { 0 };
static const TsrExtHolepunchFuncs holepunch_funcs = { 0 };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  memset (&f->shared, 0, sizeof f->shared);
  tsr_member_shared_init (&f->shared, &member_funcs, f);
  tsr_swarm_parts_init (&f->parts, &f->shared, &holepunch_funcs, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_member_shared_clear (&f->shared);
  tsr_swarm_parts_clear (&f->parts);
}

static void
assert_none (Fixture *f)
{
  g_assert_false (tsr_swarm_parts_exist (&f->parts));
  g_assert_null (f->shared.requester);
  g_assert_null (f->shared.uploader);
  g_assert_null (f->shared.extensions);
  g_assert_null (tsr_swarm_parts_get_holepunch (&f->parts));
}

/* Settings given while idle are kept, and nothing is made for them; the
 * read cache group is held (the caller's reference goes here). */
static void
test_idle_makes_nothing (Fixture       *f,
                         gconstpointer  data)
{
  TsrReadCacheGroup *group = tsr_read_cache_group_new (1 << 20);

  tsr_swarm_parts_set_sequential (&f->parts, TRUE);
  tsr_swarm_parts_set_listen_port (&f->parts, 6881);
  tsr_swarm_parts_set_read_group (&f->parts, group);
  tsr_read_cache_group_unref (group);
  tsr_swarm_parts_set_pieces (&f->parts, NULL, NULL);
  assert_none (f);
  g_assert_true (tsr_swarm_parts_get_sequential (&f->parts));

  /* Made, with what was told: the group given is still alive. */
  tsr_swarm_parts_make (&f->parts);
  g_assert_true (tsr_swarm_parts_exist (&f->parts));
  g_assert_nonnull (f->shared.uploader);
  g_assert_nonnull (f->shared.extensions);
  g_assert_nonnull (tsr_swarm_parts_get_holepunch (&f->parts));
  g_assert_true (tsr_ext_holepunch_is_empty (tsr_swarm_parts_get_holepunch (&f->parts)));
  g_assert_true (tsr_requester_get_sequential (f->shared.requester));
}

/* Once made, made once; a setting then goes to the part at once. */
static void
test_made_once_then_applied_at_once (Fixture       *f,
                                     gconstpointer  data)
{
  TsrRequester *requester;
  TsrExtHolepunch *holepunch;

  tsr_swarm_parts_make (&f->parts);
  requester = f->shared.requester;
  holepunch = tsr_swarm_parts_get_holepunch (&f->parts);
  g_assert_false (tsr_requester_get_sequential (requester));
  tsr_swarm_parts_make (&f->parts);
  g_assert_true (f->shared.requester == requester);
  g_assert_true (tsr_swarm_parts_get_holepunch (&f->parts) == holepunch);
  tsr_swarm_parts_set_sequential (&f->parts, TRUE);
  g_assert_true (tsr_requester_get_sequential (requester));
  tsr_swarm_parts_set_sequential (&f->parts, FALSE);
  g_assert_false (tsr_requester_get_sequential (requester));
}

/* A magnet's fetch needs ut_metadata and the hash requests at once. */
static void
test_magnet_extensions_make_them (Fixture       *f,
                                  gconstpointer  data)
{
  TsrExtMetadata *metadata;

  assert_none (f);
  metadata = tsr_swarm_parts_get_metadata (&f->parts);
  g_assert_nonnull (metadata);
  g_assert_true (tsr_swarm_parts_exist (&f->parts));
  g_assert_nonnull (tsr_swarm_parts_get_hashes (&f->parts));
  g_assert_true (tsr_swarm_parts_get_metadata (&f->parts) == metadata);
  g_assert_false (tsr_ext_metadata_is_fetching (metadata));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/swarm-parts/idle-makes-nothing", Fixture, NULL, fixture_set_up, test_idle_makes_nothing,
              fixture_tear_down);
  g_test_add ("/swarm-parts/made-once-then-applied-at-once", Fixture, NULL, fixture_set_up,
              test_made_once_then_applied_at_once, fixture_tear_down);
  g_test_add ("/swarm-parts/magnet-extensions-make-them", Fixture, NULL, fixture_set_up,
              test_magnet_extensions_make_them, fixture_tear_down);
  return g_test_run ();
}
