/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-smart-ban.c: TsrSmartBan against a fake owner that logs its bans:
 * a lone sender of a bad piece is banned at once; senders of a bad piece
 * shared by several get strikes and the piece goes to one peer alone;
 * the good copy names the culprit; honest peers work strikes off; eight
 * strikes ban; IPv6 addresses; pieces forgotten on stop.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-smart-ban.h"

typedef struct
{
  TsrSmartBan *ban;
  GString     *log;    /* "ban ADDRESS: REASON\n" per call */
} Fixture;

static void
on_ban (const TsrPeerAddress *address,
        const char           *reason,
        gpointer              user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = tsr_peer_address_to_string (address);

  g_string_append_printf (f->log, "ban %s: %s\n", text, reason);
}

static const TsrSmartBanFuncs funcs = { .ban = on_ban };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  unused)
{
  f->ban = tsr_smart_ban_new (&funcs, f);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  unused)
{
  tsr_smart_ban_free (f->ban);
  g_string_free (f->log, TRUE);
}

static TsrPeerAddress
addr (const char *text)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
}

static void
sent (Fixture    *f,
      guint       index,
      const char *text)
{
  TsrPeerAddress address = addr (text);

  tsr_smart_ban_sent (f->ban, index, &address);
}

static guint
strikes (Fixture    *f,
         const char *text)
{
  TsrPeerAddress address = addr (text);

  return tsr_smart_ban_get_strikes (f->ban, &address);
}

static gboolean
may_ask (Fixture    *f,
         guint       index,
         const char *text)
{
  TsrPeerAddress address = addr (text);

  return tsr_smart_ban_may_ask (f->ban, index, &address);
}

static void
test_single_sender_banned (Fixture       *f,
                           gconstpointer  unused)
{
  sent (f, 3, "10.0.0.1:6881");
  sent (f, 3, "10.0.0.1:6881");
  tsr_smart_ban_failed (f->ban, 3);
  g_assert_cmpstr (f->log->str, ==, "ban 10.0.0.1:6881: sent piece 3, which failed its hash check\n");
  /* Not made exclusive: nobody else is suspected. */
  g_assert_true (may_ask (f, 3, "10.0.0.2:6881"));
}

static void
test_shared_failure (Fixture       *f,
                     gconstpointer  unused)
{
  TsrPeerAddress honest = addr ("10.0.0.1:6881");
  TsrPeerAddress other = addr ("10.0.0.3:6881");

  sent (f, 5, "10.0.0.1:6881");
  sent (f, 5, "10.0.0.2:6881");
  tsr_smart_ban_failed (f->ban, 5);
  /* Nobody banned yet, one strike each. */
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (strikes (f, "10.0.0.1:6881"), ==, 1);
  g_assert_cmpuint (strikes (f, "10.0.0.2:6881"), ==, 1);
  /* Exclusive: the first to claim it has it alone. */
  g_assert_true (may_ask (f, 5, "10.0.0.3:6881"));
  tsr_smart_ban_claim (f->ban, 5, &honest);
  g_assert_true (may_ask (f, 5, "10.0.0.1:6881"));
  g_assert_false (may_ask (f, 5, "10.0.0.3:6881"));
  tsr_smart_ban_claim (f->ban, 5, &other);
  g_assert_false (may_ask (f, 5, "10.0.0.3:6881"));
  /* Other pieces are not affected. */
  g_assert_true (may_ask (f, 6, "10.0.0.3:6881"));
}

static void
test_culprit_named_by_good_copy (Fixture       *f,
                                 gconstpointer  unused)
{
  TsrPeerAddress honest = addr ("10.0.0.1:6881");

  sent (f, 5, "10.0.0.1:6881");
  sent (f, 5, "10.0.0.2:6881");
  tsr_smart_ban_failed (f->ban, 5);
  tsr_smart_ban_claim (f->ban, 5, &honest);
  sent (f, 5, "10.0.0.1:6881");
  tsr_smart_ban_passed (f->ban, 5);
  g_assert_cmpstr (f->log->str, ==,
                   "ban 10.0.0.2:6881: sent corrupt data for piece 5 (it passed without it)\n");
  /* The honest sender's strike is worked off by the good copy. */
  g_assert_cmpuint (strikes (f, "10.0.0.1:6881"), ==, 0);
  g_assert_cmpuint (strikes (f, "10.0.0.2:6881"), ==, 2);
  /* The record went with the piece. */
  g_assert_true (may_ask (f, 5, "10.0.0.3:6881"));
}

static void
test_several_culprits_get_strikes (Fixture       *f,
                                   gconstpointer  unused)
{
  sent (f, 1, "10.0.0.1:6881");
  sent (f, 1, "10.0.0.2:6881");
  sent (f, 1, "10.0.0.3:6881");
  tsr_smart_ban_failed (f->ban, 1);
  sent (f, 1, "10.0.0.1:6881");
  tsr_smart_ban_passed (f->ban, 1);
  /* Two suspects sent nothing of the good copy: a strike each, no ban. */
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (strikes (f, "10.0.0.2:6881"), ==, 2);
  g_assert_cmpuint (strikes (f, "10.0.0.3:6881"), ==, 2);
}

static void
test_honest_works_off_strikes (Fixture       *f,
                               gconstpointer  unused)
{
  guint i;

  for (i = 0; i < 3; i++)
    {
      sent (f, i, "10.0.0.1:6881");
      sent (f, i, "10.0.0.9:6881");
      tsr_smart_ban_failed (f->ban, i);
    }
  g_assert_cmpuint (strikes (f, "10.0.0.1:6881"), ==, 3);
  for (i = 10; i < 13; i++)
    {
      sent (f, i, "10.0.0.1:6881");
      tsr_smart_ban_passed (f->ban, i);
    }
  g_assert_cmpuint (strikes (f, "10.0.0.1:6881"), ==, 0);
  g_assert_cmpstr (f->log->str, ==, "");
}

static void
test_eight_strikes (Fixture       *f,
                    gconstpointer  unused)
{
  guint i;

  for (i = 0; i < TSR_SMART_BAN_STRIKES; i++)
    {
      /* A new partner each time: only the liar collects strikes. */
      g_autofree char *partner = g_strdup_printf ("10.0.1.%u:6881", i + 1);

      sent (f, i, "10.0.0.66:6881");
      sent (f, i, partner);
      tsr_smart_ban_failed (f->ban, i);
      if (i + 1 < TSR_SMART_BAN_STRIKES)
        g_assert_cmpstr (f->log->str, ==, "");
    }
  g_assert_cmpstr (f->log->str, ==,
                   "ban 10.0.0.66:6881: took part in 8 pieces that failed their hash check\n");
}

static void
test_ipv6 (Fixture       *f,
           gconstpointer  unused)
{
  sent (f, 2, "[2001:db8::1]:6881");
  sent (f, 2, "[2001:db8::1]:6881");
  tsr_smart_ban_failed (f->ban, 2);
  g_assert_cmpstr (f->log->str, ==, "ban [2001:db8::1]:6881: sent piece 2, which failed its hash check\n");
  /* Same host, other port: another peer. */
  g_assert_cmpuint (strikes (f, "[2001:db8::1]:6882"), ==, 0);
  g_assert_cmpuint (strikes (f, "[2001:db8::1]:6881"), ==, 1);
}

static void
test_forget_pieces (Fixture       *f,
                    gconstpointer  unused)
{
  TsrPeerAddress first = addr ("10.0.0.1:6881");

  sent (f, 4, "10.0.0.1:6881");
  sent (f, 4, "10.0.0.2:6881");
  tsr_smart_ban_failed (f->ban, 4);
  tsr_smart_ban_claim (f->ban, 4, &first);
  g_assert_false (may_ask (f, 4, "10.0.0.2:6881"));
  /* Its owner left: the next to ask may have it. */
  tsr_smart_ban_release (f->ban, &first);
  g_assert_true (may_ask (f, 4, "10.0.0.2:6881"));
  tsr_smart_ban_claim (f->ban, 4, &first);
  g_assert_false (may_ask (f, 4, "10.0.0.2:6881"));
  tsr_smart_ban_forget_pieces (f->ban);
  /* The torrent stopped: the piece is anyone's again, strikes stay. */
  g_assert_true (may_ask (f, 4, "10.0.0.2:6881"));
  g_assert_cmpuint (strikes (f, "10.0.0.2:6881"), ==, 1);
  tsr_smart_ban_clear_strikes (f->ban);
  g_assert_cmpuint (strikes (f, "10.0.0.2:6881"), ==, 0);
  /* A piece passing with no record at all is harmless. */
  tsr_smart_ban_passed (f->ban, 4);
  tsr_smart_ban_failed (f->ban, 4);
  g_assert_cmpstr (f->log->str, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/smart-ban/single-sender-banned", test_single_sender_banned);
  ADD ("/smart-ban/shared-failure-strikes-then-exclusive", test_shared_failure);
  ADD ("/smart-ban/culprit-named-by-good-copy", test_culprit_named_by_good_copy);
  ADD ("/smart-ban/several-culprits-get-strikes", test_several_culprits_get_strikes);
  ADD ("/smart-ban/honest-works-off-strikes", test_honest_works_off_strikes);
  ADD ("/smart-ban/eight-strikes", test_eight_strikes);
  ADD ("/smart-ban/ipv6", test_ipv6);
  ADD ("/smart-ban/forget-pieces", test_forget_pieces);
#undef ADD
  return g_test_run ();
}
