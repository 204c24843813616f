/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent.c: the peer engine end to end over loopback sockets on
 * 127.0.0.1 only: a seed hands a multi-file torrent to a leech (v1, v2
 * and hybrid); a dial that fails waits out its back-off; a handshake for
 * a torrent the session does not have, or for no protocol at all, is
 * hung up on; a peer that sends corrupt data is banned. The peers the
 * engine must not trust are played with raw sockets.
 *
 * Every wait iterates the main context against a deadline, so that a
 * hang fails the test with what it waited for instead of stalling CI.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "tsr-bitfield.h"
#include "tsr-creator.h"
#include "tsr-limiter.h"
#include "tsr-resume.h"
#include "tsr-session.h"
#include "tsr-storage.h"
#include "tsr-test-util.h"
#include "tsr-torrent-parts-private.h"
#include "tsr-uploader.h"
#include "tsr-wire.h"

/* Any wait longer than this is a hang, not a slow machine (ASan included). */
#define WAIT_SECONDS 20
/* Several blocks per piece, so that pieces are assembled from many
 * requests and the pipeline spans piece boundaries. */
#define PIECE_LENGTH (256 * 1024)

/* Sessions of these tests speak plaintext: their scripted peers are
 * plain BitTorrent (MSE has its own tests: test-mse.c, test-mse.py). */
static TsrSession *
plain_session_new (void)
{
  TsrSession *session = tsr_session_new ();

  tsr_session_set_encryption (session, TSR_PEER_ENCRYPTION_OFF);
  return session;
}

/* ------------------------------------------------------------------ */
/* Waiting                                                             */

/* The cases' short names for tsr-test-util's waits. */
#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, WAIT_SECONDS, what)

/* After the sessions are gone: cancelled reads and writes still have
 * their callbacks to run, which drop the last references to the peers;
 * run them here, not inside the next test. */
/* ------------------------------------------------------------------ */
/* What a torrent tells                                                */

typedef struct
{
  char *kind;         /* the signal's name */
  char *address;
  char *detail;       /* (nullable) the change or the reason */
} Event;

static void
event_free (Event *event)
{
  g_free (event->kind);
  g_free (event->address);
  g_free (event->detail);
  g_free (event);
}

typedef struct
{
  TsrTorrent *torrent;      /* (owned) */
  guint      *verified;     /* (owned) "piece-verified" per piece */
  guint       n_verified;   /* in all */
  guint       hash_failed;
  guint       resumed;      /* starts that trusted the resume record */
  guint       rechecked;    /* starts that hashed the data */
  guint       done;
  GPtrArray  *events;       /* (owned) (element-type Event) peer events, in order */
} Recorder;

static void
record (Recorder   *recorder,
        const char *kind,
        const char *address,
        const char *detail)
{
  Event *event = g_new0 (Event, 1);

  event->kind = g_strdup (kind);
  event->address = g_strdup (address);
  event->detail = g_strdup (detail);
  g_ptr_array_add (recorder->events, event);
}

static void
on_piece_verified (TsrTorrent *torrent,
                   guint       index,
                   gpointer    user_data)
{
  Recorder *recorder = user_data;

  g_assert_cmpuint (index, <, tsr_torrent_get_metainfo (torrent)->piece_count);
  recorder->verified[index]++;
  recorder->n_verified++;
}

static void
on_hash_failed (TsrTorrent *torrent,
                guint       index,
                gpointer    user_data)
{
  Recorder *recorder = user_data;

  g_assert_cmpuint (index, <, tsr_torrent_get_metainfo (torrent)->piece_count);
  recorder->hash_failed++;
}

static void
on_done (TsrTorrent *torrent,
         gpointer    user_data)
{
  Recorder *recorder = user_data;

  recorder->done++;
}

static void
on_peer_dialing (TsrTorrent *torrent,
                 const char *address,
                 gpointer    user_data)
{
  record (user_data, "peer-dialing", address, NULL);
}

static void
on_peer_connected (TsrTorrent *torrent,
                   const char *address,
                   gpointer    user_data)
{
  record (user_data, "peer-connected", address, NULL);
}

static void
on_peer_gone (TsrTorrent *torrent,
              const char *address,
              const char *reason,
              gpointer    user_data)
{
  record (user_data, "peer-gone", address, reason);
}

static void
on_peer_state (TsrTorrent *torrent,
               const char *address,
               const char *change,
               gpointer    user_data)
{
  record (user_data, "peer-state", address, change);
}

static void
on_peer_banned (TsrTorrent *torrent,
                const char *address,
                const char *reason,
                gpointer    user_data)
{
  record (user_data, "peer-banned", address, reason);
}

static void
on_checked (TsrTorrent *torrent,
            guint       pieces,
            gboolean    from_resume,
            Recorder   *recorder)
{
  if (from_resume)
    recorder->resumed++;
  else
    recorder->rechecked++;
}

static Recorder *
recorder_new (TsrTorrent *torrent)
{
  Recorder *recorder = g_new0 (Recorder, 1);

  recorder->torrent = g_object_ref (torrent);
  recorder->verified = g_new0 (guint, tsr_torrent_get_metainfo (torrent)->piece_count);
  recorder->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  g_signal_connect (torrent, "piece-verified", G_CALLBACK (on_piece_verified), recorder);
  g_signal_connect (torrent, "hash-failed", G_CALLBACK (on_hash_failed), recorder);
  g_signal_connect (torrent, "done", G_CALLBACK (on_done), recorder);
  g_signal_connect (torrent, "peer-dialing", G_CALLBACK (on_peer_dialing), recorder);
  g_signal_connect (torrent, "peer-connected", G_CALLBACK (on_peer_connected), recorder);
  g_signal_connect (torrent, "peer-gone", G_CALLBACK (on_peer_gone), recorder);
  g_signal_connect (torrent, "peer-state", G_CALLBACK (on_peer_state), recorder);
  g_signal_connect (torrent, "peer-banned", G_CALLBACK (on_peer_banned), recorder);
  g_signal_connect (torrent, "checked", G_CALLBACK (on_checked), recorder);
  return recorder;
}

/* Disconnects first: a piece write still on a worker keeps the torrent
 * alive, and its signal must not reach a freed recorder. */
static void
recorder_free (Recorder *recorder)
{
  g_signal_handlers_disconnect_by_data (recorder->torrent, recorder);
  g_object_unref (recorder->torrent);
  g_free (recorder->verified);
  g_ptr_array_unref (recorder->events);
  g_free (recorder);
}

/* Events of @kind; @address and @detail (nullable) narrow them down. */
static guint
count_events (Recorder   *recorder,
              const char *kind,
              const char *address,
              const char *detail)
{
  guint count = 0;
  guint i;

  for (i = 0; i < recorder->events->len; i++)
    {
      Event *event = g_ptr_array_index (recorder->events, i);

      if (g_str_equal (event->kind, kind) &&
          (address == NULL || g_strcmp0 (event->address, address) == 0) &&
          (detail == NULL || g_strcmp0 (event->detail, detail) == 0))
        count++;
    }
  return count;
}

/* The first event of @kind for @address, or NULL; *@position its place. */
static Event *
find_event (Recorder   *recorder,
            const char *kind,
            const char *address,
            guint      *position)
{
  guint i;

  for (i = 0; i < recorder->events->len; i++)
    {
      Event *event = g_ptr_array_index (recorder->events, i);

      if (g_str_equal (event->kind, kind) && g_strcmp0 (event->address, address) == 0)
        {
          if (position != NULL)
            *position = i;
          return event;
        }
    }
  return NULL;
}

/* Waits for @state; an error on the way fails at once, with its message. */
static void
wait_for_state (TsrTorrent      *torrent,
                TsrTorrentState  state)
{
  WAIT_UNTIL (tsr_torrent_get_state (torrent) == state || tsr_torrent_get_state (torrent) == TSR_TORRENT_ERROR,
              "a torrent state");
  if (tsr_torrent_get_state (torrent) == TSR_TORRENT_ERROR)
    g_test_message ("torrent error: %s", tsr_torrent_get_error (torrent));
  g_assert_cmpint (tsr_torrent_get_state (torrent), ==, state);
}

/* ------------------------------------------------------------------ */
/* Fixture: a payload of three files and a torrent of it               */

static const struct
{
  const char *path;
  gsize       size;    /* odd sizes: short last blocks, pieces across files */
  guint       seed;
} payload[] = {
  { "a.bin", 1300000, 11 },
  { "dir/b.bin", 700001, 12 },
  { "z.bin", 2100003, 13 },
};

/* source holds "pack", the payload the torrent was made of; target is
 * the empty download folder. */
typedef TsrTestSwarmDirs Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  TsrCreateFormat format = GPOINTER_TO_INT (data);
  g_autofree char *root = NULL;
  guint i;

  tsr_test_swarm_dirs_init (f, "tsr-torrent");
  root = g_build_filename (f->source, "pack", NULL);
  for (i = 0; i < G_N_ELEMENTS (payload); i++)
    tsr_test_write_file (root, payload[i].path, payload[i].size, payload[i].seed);
  f->info = tsr_test_make_torrent (root, format, PIECE_LENGTH);
  g_assert_cmpuint (f->info->piece_count, >, 1);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_test_swarm_dirs_clear (f);
}

static char *
loopback_address (guint16 port)
{
  return g_strdup_printf ("127.0.0.1:%u", port);
}

/* A session seeding the fixture's torrent from its source folder. */
static TsrSession *
start_seed (Fixture     *f,
            gboolean     listen,
            TsrTorrent **torrent)
{
  TsrSession *session = plain_session_new ();
  g_autoptr(GError) error = NULL;

  if (listen)
    {
      g_assert_true (tsr_session_listen (session, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (tsr_session_get_port (session), !=, 0);
    }
  *torrent = tsr_session_add_torrent (session, f->info, f->source);
  tsr_torrent_start (*torrent);
  wait_for_state (*torrent, TSR_TORRENT_SEEDING);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (*torrent), ==, f->info->piece_count);
  return session;
}

/* A session downloading the fixture's torrent into its empty folder. */
static TsrSession *
start_leech (Fixture   *f,
             Recorder **recorder)
{
  TsrSession *session = plain_session_new ();

  *recorder = recorder_new (tsr_session_add_torrent (session, f->info, f->target));
  tsr_torrent_start ((*recorder)->torrent);
  wait_for_state ((*recorder)->torrent, TSR_TORRENT_DOWNLOADING);
  g_assert_cmpuint (tsr_torrent_get_pieces_have ((*recorder)->torrent), ==, 0);
  return session;
}

/* The handshake a v1 or hybrid torrent is known by; BEP 52: a v2-only
 * torrent by its v2 hash cut to 20 bytes. */
static const guint8 *
handshake_hash (TsrMetainfo *info)
{
  return info->has_v1 ? info->info_hash : info->info_hash_v2;
}

/* ------------------------------------------------------------------ */
/* Seed to leech                                                       */

static void
assert_same_files (Fixture *f)
{
  g_assert_cmpuint (tsr_test_assert_same_files (f->info, f->source, f->target), ==, G_N_ELEMENTS (payload));
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* MSE required on both sessions: the download completes, every block
 * once, and the peer records say encrypted (the peers view's column). */
static void
test_seed_to_leech_encrypted (Fixture       *f,
                              gconstpointer  data)
{
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (tsr_session_get_port (seeder));
  g_autoptr(GPtrArray) infos = NULL;
  guint64 stream = 0;
  guint i;

  for (i = 0; i < f->info->piece_count; i++)
    stream += tsr_metainfo_get_piece_size (f->info, i);
  tsr_session_set_encryption (seeder, TSR_PEER_ENCRYPTION_REQUIRE);
  tsr_session_set_encryption (leecher, TSR_PEER_ENCRYPTION_REQUIRE);
  tsr_torrent_add_peer_address (leech->torrent, address);
  WAIT_UNTIL (leech->done > 0, "the leech's \"done\"");
  g_assert_cmpuint (leech->hash_failed, ==, 0);
  g_assert_cmpuint (tsr_torrent_get_downloaded (leech->torrent), ==, stream);
  infos = tsr_torrent_dup_peer_infos (leech->torrent);
  g_assert_cmpuint (infos->len, ==, 1);
  g_assert_true (((TsrPeerInfo *) g_ptr_array_index (infos, 0))->encrypted);
  g_assert_true (g_str_has_suffix (((TsrPeerInfo *) g_ptr_array_index (infos, 0))->extensions, "encrypted"));
  g_clear_pointer (&infos, g_ptr_array_unref);
  infos = tsr_torrent_dup_peer_infos (seed_torrent);
  g_assert_cmpuint (infos->len, ==, 1);
  g_assert_true (((TsrPeerInfo *) g_ptr_array_index (infos, 0))->encrypted);

  recorder_free (leech);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* A peer that dialled us and told where it listens (BEP 10 "p") is
 * connected at that address too: named again (by the user, a tracker or
 * PEX), it is not dialled a second time while it stays. Here the seed
 * dials the leech, which then hears of the seed's address. */
static void
test_incoming_listen_port_not_redialed (Fixture       *f,
                                        gconstpointer  data)
{
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (tsr_session_get_port (seeder));
  g_autofree char *listening = NULL;
  g_autoptr(GError) error = NULL;

  /* Over TCP, where a peer that dials comes from another port than the
   * one it listens on (over uTP both are its UDP socket's). */
  tsr_session_set_transports (seeder, TSR_TRANSPORT_TCP);
  tsr_session_set_transports (leecher, TSR_TRANSPORT_TCP);
  g_assert_true (tsr_session_listen (leecher, 0, &error));
  listening = loopback_address (tsr_session_get_port (leecher));
  /* Slow, so that the leech is still downloading (connected) throughout. */
  tsr_torrent_set_rate_limits (seed_torrent, 256 * 1024, 0);
  tsr_torrent_add_peer_address (seed_torrent, listening);
  WAIT_UNTIL (tsr_torrent_get_n_known_addresses (leech->torrent) == 1, "the leech to learn where the seed listens");
  tsr_torrent_add_peer_address (leech->torrent, address);
  tsr_test_run_for (1500);
  g_assert_cmpuint (count_events (leech, "peer-dialing", NULL, NULL), ==, 0);
  g_assert_cmpuint (tsr_torrent_get_n_peers (leech->torrent), ==, 1);
  g_assert_cmpuint (leech->done, ==, 0);

  recorder_free (leech);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

static void
test_seed_to_leech (Fixture       *f,
                    gconstpointer  data)
{
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *seed = recorder_new (seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (tsr_session_get_port (seeder));
  g_autofree char *leech_address = NULL;
  g_autofree float *fractions = NULL;
  g_autofree guint *availability = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GError) error = NULL;
  TsrPeerInfo *info;
  guint progress_notes = 0;
  gdouble progress = 0;
  int state = -1;
  guint64 stream = 0;
  guint n = 0;
  guint i;

  for (i = 0; i < f->info->piece_count; i++)
    stream += tsr_metainfo_get_piece_size (f->info, i);

  /* Listening, the leech tells its port (BEP 10 "p"). */
  g_assert_true (tsr_session_listen (leecher, 0, &error));
  g_signal_connect_swapped (leech->torrent, "notify::progress", G_CALLBACK (count_notify), &progress_notes);
  tsr_torrent_add_peer_address (leech->torrent, address);
  WAIT_UNTIL (leech->done > 0, "the leech's \"done\"");

  /* What a window shows: the properties, the bars, the peers. */
  g_object_get (leech->torrent, "progress", &progress, "state", &state, NULL);
  g_assert_cmpfloat (progress, ==, 1.0);
  g_assert_cmpint (state, ==, TSR_TORRENT_SEEDING);
  g_assert_cmpuint (progress_notes, >, 0);
  fractions = tsr_torrent_dup_piece_fractions (leech->torrent, &n);
  g_assert_cmpuint (n, ==, f->info->piece_count);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat (fractions[i], ==, 1.0f);
  availability = tsr_torrent_dup_availability (leech->torrent, &n);
  for (i = 0; i < n; i++)
    g_assert_cmpuint (availability[i], ==, 1);
  infos = tsr_torrent_dup_peer_infos (leech->torrent);
  g_assert_cmpuint (infos->len, ==, 1);
  info = g_ptr_array_index (infos, 0);
  g_assert_cmpstr (info->address, ==, address);
  g_assert_false (info->incoming);
  /* Given by us (add_peer_address), and speaking the extensions we do. */
  g_assert_cmpint (info->source, ==, TSR_PEER_SOURCE_USER);
  g_assert_cmpstr (info->extensions, ==, "Fast, BEP 10, ut_holepunch, ut_metadata, ut_pex");
  g_assert_cmpfloat (info->progress, ==, 1.0);
  g_assert_cmpuint (info->downloaded, >=, stream);
  g_clear_pointer (&infos, g_ptr_array_unref);
  infos = tsr_torrent_dup_peer_infos (seed_torrent);
  g_assert_cmpuint (infos->len, ==, 1);
  info = g_ptr_array_index (infos, 0);
  g_assert_cmpstr (info->client, ==, "Tessera 0.1.0");
  g_assert_true (info->incoming);
  g_assert_cmpint (info->source, ==, TSR_PEER_SOURCE_INCOMING);
  g_assert_cmpuint (info->uploaded, >=, stream);
  leech_address = g_strdup (info->address);

  /* Each piece verified once: none lost, none fetched twice. */
  g_assert_cmpuint (leech->done, ==, 1);
  g_assert_cmpuint (leech->hash_failed, ==, 0);
  g_assert_cmpuint (leech->n_verified, ==, f->info->piece_count);
  for (i = 0; i < f->info->piece_count; i++)
    {
      if (leech->verified[i] != 1)
        g_test_message ("piece %u verified %u times", i, leech->verified[i]);
      g_assert_cmpuint (leech->verified[i], ==, 1);
    }
  g_assert_cmpint (tsr_torrent_get_state (leech->torrent), ==, TSR_TORRENT_SEEDING);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (leech->torrent), ==, f->info->piece_count);
  g_assert_cmpuint (tsr_torrent_get_bytes_have (leech->torrent), ==, f->info->total_length);
  /* One peer, no duplicate requests: every block crossed once. */
  g_assert_cmpuint (tsr_torrent_get_downloaded (leech->torrent), ==, stream);
  g_assert_cmpuint (tsr_torrent_get_uploaded (seed->torrent), ==, stream);
  g_assert_cmpuint (seed->n_verified, ==, 0);
  assert_same_files (f);

  /* The leech dialled the address it was given, once, and was let in. */
  g_assert_cmpuint (count_events (leech, "peer-dialing", NULL, NULL), ==, 1);
  g_assert_cmpuint (count_events (leech, "peer-dialing", address, NULL), ==, 1);
  g_assert_cmpuint (count_events (leech, "peer-connected", address, NULL), ==, 1);
  g_assert_cmpuint (count_events (leech, "peer-state", address, "we-are-interested"), >=, 1);
  g_assert_cmpuint (count_events (leech, "peer-state", address, "unchoked-us"), >=, 1);
  g_assert_cmpuint (count_events (leech, "peer-gone", NULL, NULL), ==, 0);
  /* The seed took it as an incoming peer and unchoked it. */
  g_assert_cmpuint (count_events (seed, "peer-dialing", NULL, NULL), ==, 0);
  g_assert_cmpuint (count_events (seed, "peer-connected", NULL, NULL), ==, 1);
  g_assert_cmpuint (count_events (seed, "peer-state", NULL, "interested-in-us"), >=, 1);
  g_assert_cmpuint (count_events (seed, "peer-state", NULL, "we-unchoke"), >=, 1);

  /* The seed learned where the leech listens (BEP 10 "p")... */
  g_assert_cmpuint (tsr_torrent_get_n_known_addresses (seed_torrent), ==, 1);

  /* The peers view's disconnect button. */
  g_assert_false (tsr_torrent_disconnect_peer (seed_torrent, "127.0.0.1:1"));
  g_assert_true (tsr_torrent_disconnect_peer (seed_torrent, leech_address));
  WAIT_UNTIL (tsr_torrent_get_n_peers (seed_torrent) == 0, "the disconnected peer to go");
  g_assert_cmpuint (count_events (seed, "peer-gone", leech_address, "Disconnected by the user"), ==, 1);
  /* ...and, seeding, forgot it when it left: a seed does not dial it. */
  g_assert_cmpuint (tsr_torrent_get_n_known_addresses (seed_torrent), ==, 0);
  /* The leech keeps the address it was given. */
  g_assert_cmpuint (tsr_torrent_get_n_known_addresses (leech->torrent), ==, 1);

  recorder_free (leech);
  recorder_free (seed);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* ------------------------------------------------------------------ */
/* Dial back-off                                                       */

/* A TCP socket bound to 127.0.0.1 on a free port, which *@port tells. */
static GSocket *
bound_socket (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any_port, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

/* A port on 127.0.0.1 where nothing listens: bound, then let go. */
static guint16
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = 0;
  g_autoptr(GSocket) socket = bound_socket (&port);

  g_assert_true (g_socket_close (socket, &error));
  g_assert_no_error (error);
  return port;
}

static void
test_dial_backoff (Fixture       *f,
                   gconstpointer  data)
{
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (closed_port ());
  Event *gone;
  guint dialing_at = 0;
  guint gone_at = 0;

  tsr_torrent_add_peer_address (leech->torrent, address);
  WAIT_UNTIL (count_events (leech, "peer-gone", address, NULL) > 0, "the refused dial's \"peer-gone\"");

  g_assert_cmpuint (count_events (leech, "peer-dialing", NULL, NULL), ==, 1);
  g_assert_nonnull (find_event (leech, "peer-dialing", address, &dialing_at));
  gone = find_event (leech, "peer-gone", address, &gone_at);
  g_assert_cmpuint (dialing_at, <, gone_at);
  /* The user is told why. */
  g_assert_nonnull (gone->detail);
  g_assert_cmpstr (gone->detail, !=, "");
  g_assert_cmpuint (tsr_torrent_get_n_peers (leech->torrent), ==, 0);

  /* The user's address waits TSR_PEER_POOL_USER_BACKOFF (2 s) and then
   * twice that: the once-a-second tick must not hammer it. */
  tsr_test_run_for (1500);
  g_assert_cmpuint (count_events (leech, "peer-dialing", address, NULL), ==, 1);
  g_assert_cmpuint (count_events (leech, "peer-gone", address, NULL), ==, 1);
  g_assert_cmpint (tsr_torrent_get_state (leech->torrent), ==, TSR_TORRENT_DOWNLOADING);

  /* The back-off ends: the address is tried again, then waits 4 s. */
  WAIT_UNTIL (count_events (leech, "peer-dialing", address, NULL) == 2, "the dial after the back-off");
  WAIT_UNTIL (count_events (leech, "peer-gone", address, NULL) == 2, "the second refusal");
  tsr_test_run_for (2500);
  g_assert_cmpuint (count_events (leech, "peer-dialing", address, NULL), ==, 2);

  recorder_free (leech);
  g_object_unref (leecher);
  tsr_test_drain ();
}

/* A tracker that hands us our own address: the dial reaches ourselves,
 * and the address is forgotten instead of dialled again and again. */
static void
test_dial_self (Fixture       *f,
                gconstpointer  data)
{
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  g_assert_true (tsr_session_listen (leecher, 0, &error));
  g_assert_no_error (error);
  address = loopback_address (tsr_session_get_port (leecher));
  tsr_torrent_add_peer_address (leech->torrent, address);
  g_assert_cmpuint (tsr_torrent_get_n_known_addresses (leech->torrent), ==, 1);
  WAIT_UNTIL (count_events (leech, "peer-gone", address, NULL) > 0, "the dial to ourselves to end");
  g_assert_cmpuint (tsr_torrent_get_n_known_addresses (leech->torrent), ==, 0);
  tsr_torrent_add_peer_address (leech->torrent, address);
  g_assert_cmpuint (tsr_torrent_get_n_known_addresses (leech->torrent), ==, 0);
  tsr_test_run_for (300);
  g_assert_cmpuint (count_events (leech, "peer-dialing", address, NULL), ==, 1);

  recorder_free (leech);
  g_object_unref (leecher);
  tsr_test_drain ();
}

/* A socket that listens and never accepts: the kernel completes the
 * connection from the backlog and the dialler waits for a handshake. */
static GSocket *
silent_listener (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = bound_socket (port);

  g_assert_true (g_socket_listen (socket, &error));
  g_assert_no_error (error);
  return socket;
}

/* Dialled connections stop at their own ceiling, which follows changes
 * at run time both ways. */
static void
test_dial_limit (Fixture       *f,
                 gconstpointer  data)
{
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  GSocket *listeners[3];
  guint i;

  tsr_torrent_set_max_dialed (leech->torrent, 1);
  g_assert_cmpuint (tsr_torrent_get_max_dialed (leech->torrent), ==, 1);
  for (i = 0; i < G_N_ELEMENTS (listeners); i++)
    {
      guint16 port;
      g_autofree char *address = NULL;

      listeners[i] = silent_listener (&port);
      address = loopback_address (port);
      tsr_torrent_add_peer_address (leech->torrent, address);
    }
  WAIT_UNTIL (count_events (leech, "peer-dialing", NULL, NULL) == 1, "the first dial");
  /* The once-a-second tick must not dial past the ceiling. */
  tsr_test_run_for (2500);
  g_assert_cmpuint (count_events (leech, "peer-dialing", NULL, NULL), ==, 1);
  g_assert_cmpuint (tsr_torrent_get_n_dialed (leech->torrent), ==, 1);
  g_assert_cmpuint (tsr_torrent_get_n_accepted (leech->torrent), ==, 0);

  tsr_torrent_set_max_dialed (leech->torrent, 3);
  WAIT_UNTIL (count_events (leech, "peer-dialing", NULL, NULL) == 3, "the dials a raised ceiling allows");
  g_assert_cmpuint (tsr_torrent_get_n_dialed (leech->torrent), ==, 3);

  tsr_torrent_set_max_dialed (leech->torrent, 1);
  WAIT_UNTIL (tsr_torrent_get_n_dialed (leech->torrent) == 1, "a lowered ceiling to close two");
  g_assert_cmpuint (count_events (leech, "peer-gone", NULL, NULL), ==, 2);

  recorder_free (leech);
  g_object_unref (leecher);
  tsr_test_drain ();
  for (i = 0; i < G_N_ELEMENTS (listeners); i++)
    g_object_unref (listeners[i]);
}

/* ------------------------------------------------------------------ */
/* Raw incoming connections                                            */

typedef struct
{
  gboolean  busy;
  gssize    result;
  GError   *error;
} RawRead;

static void
on_raw_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawRead *read = user_data;

  read->result = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &read->error);
  read->busy = FALSE;
}

/* Reads from @connection until @out holds @want bytes, the session hangs
 * up, or the deadline passes; FALSE when the connection ended first. The
 * reads are asynchronous: the session shares our main context. */
static gboolean
raw_read (GSocketConnection *connection,
          GByteArray        *out,
          gsize              want)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  guint8 chunk[4096];

  while (out->len < want)
    {
      RawRead read = { TRUE, 0, NULL };

      g_input_stream_read_async (in, chunk, sizeof chunk, G_PRIORITY_DEFAULT, NULL, on_raw_read, &read);
      WAIT_UNTIL (!read.busy, "the session to answer or hang up");
      if (read.result <= 0)
        {
          if (read.error != NULL)
            g_test_message ("read ended: %s", read.error->message);
          g_clear_error (&read.error);
          return FALSE;
        }
      g_byte_array_append (out, chunk, (guint) read.result);
    }
  return TRUE;
}

static GSocketConnection *
raw_connect (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *address = loopback_address (port);
  GSocketConnection *connection;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, WAIT_SECONDS);
  /* Blocking is fine: the kernel completes the connection from the
   * listen backlog without the session's main loop. */
  connection = g_socket_client_connect_to_host (client, address, 0, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
raw_write (GSocketConnection *connection,
           GByteArray        *bytes)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_assert_true (g_output_stream_write_all (out, bytes->data, bytes->len, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
raw_send_handshake_as (GSocketConnection *connection,
                       const guint8      *info_hash,
                       const char        *peer_id)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  TsrWireHandshake ours = { { 0 } };

  memcpy (ours.info_hash, info_hash, 20);
  memcpy (ours.peer_id, peer_id, 20);
  tsr_wire_write_handshake (bytes, &ours);
  raw_write (connection, bytes);
}

static void
raw_send_handshake (GSocketConnection *connection,
                    const guint8      *info_hash)
{
  raw_send_handshake_as (connection, info_hash, "-XX0000-rawrawrawraw");
}

/* The session must hang up: nothing is read before the connection ends. */
static void
assert_hung_up (GSocketConnection *connection)
{
  g_autoptr(GByteArray) in = g_byte_array_new ();

  g_assert_false (raw_read (connection, in, 1));
  g_assert_cmpuint (in->len, ==, 0);
}

static void
test_incoming_unknown_hash (Fixture       *f,
                            gconstpointer  data)
{
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  g_autoptr(GSocketConnection) connection = raw_connect (tsr_session_get_port (session));
  guint8 other[20];

  /* Another torrent's hash: one bit off ours. */
  memcpy (other, handshake_hash (f->info), 20);
  other[19] ^= 1;
  raw_send_handshake (connection, other);
  assert_hung_up (connection);
  g_assert_cmpuint (tsr_torrent_get_n_peers (torrent), ==, 0);

  g_clear_object (&connection);
  g_object_unref (session);
  tsr_test_drain ();
}

static void
test_incoming_bad_protocol (Fixture       *f,
                            gconstpointer  data)
{
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  g_autoptr(GSocketConnection) connection = raw_connect (tsr_session_get_port (session));
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  TsrWireHandshake ours = { { 0 } };

  /* The right torrent, but not "\x13BitTorrent protocol". */
  memcpy (ours.info_hash, handshake_hash (f->info), 20);
  memcpy (ours.peer_id, "-XX0000-rawrawrawraw", 20);
  tsr_wire_write_handshake (bytes, &ours);
  bytes->data[5] = 'X';
  raw_write (connection, bytes);
  assert_hung_up (connection);
  g_assert_cmpuint (tsr_torrent_get_n_peers (torrent), ==, 0);

  g_clear_object (&connection);
  g_object_unref (session);
  tsr_test_drain ();
}

/* The control for the two above: the same handshake with our hash is
 * answered with ours and, from a seed, a full bitfield (BEP 3). */
static void
test_incoming_known_hash (Fixture       *f,
                          gconstpointer  data)
{
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  g_autoptr(GSocketConnection) connection = raw_connect (tsr_session_get_port (session));
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBitfield) have = tsr_bitfield_new (f->info->piece_count);
  TsrWireLimits limits = { 0 };
  TsrWireHandshake theirs;
  TsrWireMessage message;
  gsize bitfield_length = (f->info->piece_count + 7) / 8;
  gsize consumed = 0;

  raw_send_handshake (connection, handshake_hash (f->info));
  g_assert_true (raw_read (connection, in, TSR_WIRE_HANDSHAKE_LENGTH + 5 + bitfield_length));
  g_assert_true (tsr_wire_parse_handshake (in->data, in->len, &theirs, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (theirs.info_hash, 20, handshake_hash (f->info), 20);
  g_assert_cmpmem (theirs.peer_id, 20, tsr_session_get_peer_id (session), 20);

  /* We offered no BEP 6, so the seed must not say have-all. */
  limits.piece_count = f->info->piece_count;
  limits.piece_length = f->info->piece_length;
  limits.last_piece_length = tsr_metainfo_get_piece_size (f->info, f->info->piece_count - 1);
  g_assert_cmpint (tsr_wire_parse_message (in->data + TSR_WIRE_HANDSHAKE_LENGTH,
                                           in->len - TSR_WIRE_HANDSHAKE_LENGTH,
                                           &limits, &message, &consumed, &error),
                   ==, TSR_WIRE_PARSE_OK);
  g_assert_no_error (error);
  g_assert_cmpint (message.type, ==, TSR_WIRE_BITFIELD);
  g_assert_cmpuint (message.data_length, ==, bitfield_length);
  g_assert_true (tsr_bitfield_set_bytes (have, message.data, message.data_length));
  g_assert_true (tsr_bitfield_is_full (have));
  WAIT_UNTIL (tsr_torrent_get_n_peers (torrent) == 1, "the seed to count the peer");

  g_clear_object (&connection);
  g_object_unref (session);
  tsr_test_drain ();
}

/* BEP 6 on an incoming connection: a peer that sets the fast bit gets
 * have-all from a seed, and a request while choked is rejected instead of
 * being dropped in silence. */
static void
test_incoming_fast (Fixture       *f,
                    gconstpointer  data)
{
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  g_autoptr(GSocketConnection) connection = raw_connect (tsr_session_get_port (session));
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  TsrWireLimits limits = { 0 };
  TsrWireHandshake ours = { { 0 } };
  TsrWireHandshake theirs;
  TsrWireMessage message = { 0 };
  gsize consumed = 0;
  gsize offset = TSR_WIRE_HANDSHAKE_LENGTH;

  memcpy (ours.info_hash, handshake_hash (f->info), 20);
  memcpy (ours.peer_id, "-XX0000-fastfastfast", 20);
  tsr_wire_reserved_set (ours.reserved, TSR_WIRE_RESERVED_FAST);
  tsr_wire_write_handshake (out, &ours);
  /* Not interested, so choked: this request must come back rejected. */
  message.type = TSR_WIRE_REQUEST;
  message.index = 1;
  message.begin = TSR_WIRE_BLOCK_SIZE;
  message.length = TSR_WIRE_BLOCK_SIZE;
  tsr_wire_write_message (out, &message);
  raw_write (connection, out);

  /* handshake, have-all (5 bytes), reject (17 bytes) */
  g_assert_true (raw_read (connection, in, TSR_WIRE_HANDSHAKE_LENGTH + 5 + 17));
  g_assert_true (tsr_wire_parse_handshake (in->data, in->len, &theirs, &error));
  g_assert_no_error (error);
  g_assert_true (tsr_wire_reserved_has (theirs.reserved, TSR_WIRE_RESERVED_FAST));
  limits.piece_count = f->info->piece_count;
  limits.piece_length = f->info->piece_length;
  limits.last_piece_length = tsr_metainfo_get_piece_size (f->info, f->info->piece_count - 1);
  g_assert_cmpint (tsr_wire_parse_message (in->data + offset, in->len - offset, &limits, &message, &consumed, &error),
                   ==, TSR_WIRE_PARSE_OK);
  g_assert_cmpint (message.type, ==, TSR_WIRE_HAVE_ALL);
  offset += consumed;
  g_assert_cmpint (tsr_wire_parse_message (in->data + offset, in->len - offset, &limits, &message, &consumed, &error),
                   ==, TSR_WIRE_PARSE_OK);
  g_assert_no_error (error);
  g_assert_cmpint (message.type, ==, TSR_WIRE_REJECT);
  g_assert_cmpuint (message.index, ==, 1);
  g_assert_cmpuint (message.begin, ==, TSR_WIRE_BLOCK_SIZE);
  g_assert_cmpuint (message.length, ==, TSR_WIRE_BLOCK_SIZE);

  g_clear_object (&connection);
  g_object_unref (session);
  tsr_test_drain ();
}

/* Reads from @connection until the next whole message after *@offset
 * parses; *@offset moves past it. */
static void
raw_next_message (GSocketConnection *connection,
                  GByteArray        *in,
                  gsize             *offset,
                  TsrWireLimits     *limits,
                  TsrWireMessage    *message)
{
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      gsize consumed = 0;
      TsrWireParseResult result = tsr_wire_parse_message (in->data + *offset, in->len - *offset, limits, message,
                                                          &consumed, &error);

      g_assert_no_error (error);
      if (result == TSR_WIRE_PARSE_OK)
        {
          *offset += consumed;
          return;
        }
      g_assert_cmpint (result, ==, TSR_WIRE_PARSE_NEED_MORE);
      g_assert_true (raw_read (connection, in, in->len + 1));
    }
}

/* Blocks go out in the order asked. The seed reads ahead only so much
 * per peer (TSR_UPLOADER_LOW_WATER at a slow rate); a request
 * still waiting behind that is taken back by a cancel, and its block
 * never comes. */
static void
test_upload_order_and_cancel (Fixture       *f,
                              gconstpointer  data)
{
  enum { ASKED = 24 };
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  g_autoptr(GSocketConnection) connection = raw_connect (tsr_session_get_port (session));
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  TsrWireLimits limits = { 0 };
  TsrWireHandshake ours = { { 0 } };
  TsrWireHandshake theirs;
  TsrWireMessage message = { 0 };
  gsize offset = TSR_WIRE_HANDSHAKE_LENGTH;
  guint i;

  G_STATIC_ASSERT (ASKED * TSR_WIRE_BLOCK_SIZE > TSR_UPLOADER_LOW_WATER);
  g_assert_cmpuint (f->info->total_length, >=, (ASKED + 1) * TSR_WIRE_BLOCK_SIZE);
  /* Slow enough that the queue cannot drain before the cancel lands. */
  tsr_torrent_set_rate_limits (torrent, 256 * 1024, 0);
  memcpy (ours.info_hash, handshake_hash (f->info), 20);
  memcpy (ours.peer_id, "-XX0000-cancelcancel", 20);
  tsr_wire_write_handshake (out, &ours);
  tsr_wire_write_simple (out, TSR_WIRE_INTERESTED);
  raw_write (connection, out);
  g_byte_array_set_size (out, 0);

  g_assert_true (raw_read (connection, in, TSR_WIRE_HANDSHAKE_LENGTH));
  g_assert_true (tsr_wire_parse_handshake (in->data, in->len, &theirs, &error));
  g_assert_no_error (error);
  limits.piece_count = f->info->piece_count;
  limits.piece_length = f->info->piece_length;
  limits.last_piece_length = tsr_metainfo_get_piece_size (f->info, f->info->piece_count - 1);
  do
    raw_next_message (connection, in, &offset, &limits, &message);
  while (message.type != TSR_WIRE_UNCHOKE);

  /* The requests and the cancel of the last one arrive together. */
  for (i = 0; i < ASKED + 1; i++)
    {
      guint64 at = (guint64) i * TSR_WIRE_BLOCK_SIZE;

      message.type = i < ASKED ? TSR_WIRE_REQUEST : TSR_WIRE_CANCEL;
      if (i == ASKED)
        at -= TSR_WIRE_BLOCK_SIZE;
      message.index = (guint32) (at / f->info->piece_length);
      message.begin = (guint32) (at % f->info->piece_length);
      message.length = TSR_WIRE_BLOCK_SIZE;
      tsr_wire_write_message (out, &message);
    }
  raw_write (connection, out);
  g_byte_array_set_size (out, 0);

  for (i = 0; i < ASKED - 1; i++)
    {
      guint64 at = (guint64) i * TSR_WIRE_BLOCK_SIZE;

      do
        raw_next_message (connection, in, &offset, &limits, &message);
      while (message.type == TSR_WIRE_KEEPALIVE || message.type == TSR_WIRE_HAVE);
      g_assert_cmpint (message.type, ==, TSR_WIRE_PIECE);
      g_assert_cmpuint (message.index, ==, at / f->info->piece_length);
      g_assert_cmpuint (message.begin, ==, at % f->info->piece_length);
      g_assert_cmpuint (message.length, ==, TSR_WIRE_BLOCK_SIZE);
    }
  /* One more request: the next block is its answer, not the cancelled one. */
  message.type = TSR_WIRE_REQUEST;
  message.index = (guint32) ((guint64) ASKED * TSR_WIRE_BLOCK_SIZE / f->info->piece_length);
  message.begin = (guint32) ((guint64) ASKED * TSR_WIRE_BLOCK_SIZE % f->info->piece_length);
  message.length = TSR_WIRE_BLOCK_SIZE;
  tsr_wire_write_message (out, &message);
  raw_write (connection, out);
  do
    raw_next_message (connection, in, &offset, &limits, &message);
  while (message.type == TSR_WIRE_KEEPALIVE || message.type == TSR_WIRE_HAVE);
  g_assert_cmpint (message.type, ==, TSR_WIRE_PIECE);
  g_assert_cmpuint (message.index, ==, (guint64) ASKED * TSR_WIRE_BLOCK_SIZE / f->info->piece_length);
  g_assert_cmpuint (message.begin, ==, (guint64) ASKED * TSR_WIRE_BLOCK_SIZE % f->info->piece_length);

  g_clear_object (&connection);
  g_object_unref (session);
  tsr_test_drain ();
}

/* BEP 6: when a seed chokes a fast-extension peer, the requests it had
 * not served yet come back rejected, and only after the choke (a reject
 * from a peer that unchokes us means "I do not have it"). */
static void
test_upload_choke_then_reject (Fixture       *f,
                               gconstpointer  data)
{
  enum { ASKED = 24 };
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  g_autoptr(GSocketConnection) connection = raw_connect (tsr_session_get_port (session));
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) in = g_byte_array_new ();
  TsrWireLimits limits = { 0 };
  TsrWireHandshake ours = { { 0 } };
  TsrWireMessage message = { 0 };
  gsize offset = TSR_WIRE_HANDSHAKE_LENGTH;
  gboolean choked = FALSE;
  guint pieces = 0;
  guint rejects = 0;
  guint i;

  tsr_torrent_set_rate_limits (torrent, 256 * 1024, 0);
  memcpy (ours.info_hash, handshake_hash (f->info), 20);
  memcpy (ours.peer_id, "-XX0000-chokereject1", 20);
  tsr_wire_reserved_set (ours.reserved, TSR_WIRE_RESERVED_FAST);
  tsr_wire_write_handshake (out, &ours);
  tsr_wire_write_simple (out, TSR_WIRE_INTERESTED);
  raw_write (connection, out);
  g_byte_array_set_size (out, 0);
  g_assert_true (raw_read (connection, in, TSR_WIRE_HANDSHAKE_LENGTH));
  limits.piece_count = f->info->piece_count;
  limits.piece_length = f->info->piece_length;
  limits.last_piece_length = tsr_metainfo_get_piece_size (f->info, f->info->piece_count - 1);
  do
    raw_next_message (connection, in, &offset, &limits, &message);
  while (message.type != TSR_WIRE_UNCHOKE);

  /* Requests, then "not interested": the seed chokes at once. */
  for (i = 0; i < ASKED; i++)
    {
      guint64 at = (guint64) i * TSR_WIRE_BLOCK_SIZE;

      message.type = TSR_WIRE_REQUEST;
      message.index = (guint32) (at / f->info->piece_length);
      message.begin = (guint32) (at % f->info->piece_length);
      message.length = TSR_WIRE_BLOCK_SIZE;
      tsr_wire_write_message (out, &message);
    }
  tsr_wire_write_simple (out, TSR_WIRE_NOT_INTERESTED);
  raw_write (connection, out);

  while (pieces + rejects < ASKED)
    {
      raw_next_message (connection, in, &offset, &limits, &message);
      if (message.type == TSR_WIRE_CHOKE)
        choked = TRUE;
      else if (message.type == TSR_WIRE_REJECT)
        {
          g_assert_true (choked);
          rejects++;
        }
      else if (message.type == TSR_WIRE_PIECE)
        pieces++;
    }
  g_test_message ("%u blocks sent, %u rejected", pieces, rejects);
  g_assert_true (choked);
  g_assert_cmpuint (rejects, >, 0);

  g_clear_object (&connection);
  g_object_unref (session);
  tsr_test_drain ();
}

/* A raw seed connected to @session's listening port: handshake and a
 * full bitfield sent, the answering handshake read. */
static GSocketConnection *
raw_seed_connect (TsrSession  *session,
                  TsrMetainfo *info,
                  const char  *peer_id,
                  GByteArray  *in)
{
  GSocketConnection *connection = raw_connect (tsr_session_get_port (session));
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(TsrBitfield) all = tsr_bitfield_new (info->piece_count);
  TsrWireHandshake ours = { { 0 } };
  TsrWireMessage message = { 0 };
  gsize length = 0;

  memcpy (ours.info_hash, handshake_hash (info), 20);
  memcpy (ours.peer_id, peer_id, 20);
  tsr_wire_write_handshake (out, &ours);
  tsr_bitfield_set_all (all, TRUE);
  message.type = TSR_WIRE_BITFIELD;
  message.data = tsr_bitfield_get_bytes (all, &length);
  message.data_length = length;
  tsr_wire_write_message (out, &message);
  raw_write (connection, out);
  g_assert_true (raw_read (connection, in, TSR_WIRE_HANDSHAKE_LENGTH));
  return connection;
}

/* A block nobody asked this peer for is dropped, even for a piece in
 * progress whose block another peer was asked for: here the unasked
 * copy is garbage, and had it been taken the piece would fail its hash.
 * No race: the intruder never unchokes, so it is asked nothing, and its
 * block lands before the asked peer answers. */
static void
test_unasked_block_dropped (Fixture       *f,
                            gconstpointer  data)
{
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autoptr(TsrStorage) source = tsr_storage_new (f->info, f->source);
  g_autoptr(GByteArray) asked_in = g_byte_array_new ();
  g_autoptr(GByteArray) intruder_in = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GSocketConnection) asked = NULL;
  g_autoptr(GSocketConnection) intruder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *block = g_malloc (TSR_WIRE_BLOCK_SIZE);
  TsrWireLimits limits = { 0 };
  TsrWireMessage message = { 0 };
  TsrWireMessage first = { 0 };
  gsize offset = TSR_WIRE_HANDSHAKE_LENGTH;

  g_assert_true (tsr_session_listen (leecher, 0, &error));
  g_assert_no_error (error);
  limits.piece_count = f->info->piece_count;
  limits.piece_length = f->info->piece_length;
  limits.last_piece_length = tsr_metainfo_get_piece_size (f->info, f->info->piece_count - 1);

  asked = raw_seed_connect (leecher, f->info, "-XX0000-askedasked11", asked_in);
  tsr_wire_write_simple (out, TSR_WIRE_UNCHOKE);
  raw_write (asked, out);
  g_byte_array_set_size (out, 0);
  do
    raw_next_message (asked, asked_in, &offset, &limits, &first);
  while (first.type != TSR_WIRE_REQUEST);

  /* The intruder sends garbage for the block just asked of the other. */
  intruder = raw_seed_connect (leecher, f->info, "-XX0000-intruder2222", intruder_in);
  memset (block, 0xAB, first.length);
  message.type = TSR_WIRE_PIECE;
  message.index = first.index;
  message.begin = first.begin;
  message.data = block;
  message.data_length = first.length;
  tsr_wire_write_message (out, &message);
  raw_write (intruder, out);
  g_byte_array_set_size (out, 0);
  tsr_test_run_for (300);

  /* The asked peer answers every request until that piece is verified. */
  message = first;
  while (leech->verified[first.index] == 0)
    {
      if (message.type == TSR_WIRE_REQUEST)
        {
          TsrWireMessage piece = { 0 };

          g_assert_true (tsr_storage_read (source, (guint64) message.index * f->info->piece_length + message.begin,
                                           block, message.length, &error));
          g_assert_no_error (error);
          piece.type = TSR_WIRE_PIECE;
          piece.index = message.index;
          piece.begin = message.begin;
          piece.data = block;
          piece.data_length = message.length;
          tsr_wire_write_message (out, &piece);
          raw_write (asked, out);
          g_byte_array_set_size (out, 0);
        }
      if (offset == asked_in->len)
        tsr_test_run_for (20);
      if (leech->verified[first.index] == 0)
        raw_next_message (asked, asked_in, &offset, &limits, &message);
    }
  g_assert_cmpuint (leech->hash_failed, ==, 0);
  g_assert_cmpuint (count_events (leech, "peer-banned", NULL, NULL), ==, 0);

  g_clear_object (&asked);
  g_clear_object (&intruder);
  recorder_free (leech);
  g_object_unref (leecher);
  tsr_test_drain ();
}

/* A raw peer that asks for every block and counts what comes. */
typedef struct
{
  GSocketConnection *connection;
  guint8             chunk[65536];
  guint64            received;
  gboolean           reading;
} Counter;

static void
on_counted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Counter *counter = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  counter->reading = FALSE;
  if (n <= 0)
    return;
  counter->received += (guint64) n;
  counter->reading = TRUE;
  g_input_stream_read_async (G_INPUT_STREAM (source), counter->chunk, sizeof counter->chunk, G_PRIORITY_DEFAULT,
                             NULL, on_counted, counter);
}

static void
counter_start (Counter     *counter,
               TsrSession  *session,
               TsrMetainfo *info,
               const char  *peer_id)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  TsrWireHandshake ours = { { 0 } };
  guint64 at;

  counter->connection = raw_connect (tsr_session_get_port (session));
  memcpy (ours.info_hash, handshake_hash (info), 20);
  memcpy (ours.peer_id, peer_id, 20);
  tsr_wire_write_handshake (out, &ours);
  tsr_wire_write_simple (out, TSR_WIRE_INTERESTED);
  /* Requests before the unchoke are dropped (BEP 3): these count on the
   * unchoke that interest gets at once from a seed with free slots. */
  raw_write (counter->connection, out);
  tsr_test_run_for (200);
  g_byte_array_set_size (out, 0);
  for (at = 0; at + TSR_WIRE_BLOCK_SIZE <= info->total_length; at += TSR_WIRE_BLOCK_SIZE)
    {
      TsrWireMessage message = { 0 };

      message.type = TSR_WIRE_REQUEST;
      message.index = (guint32) (at / info->piece_length);
      message.begin = (guint32) (at % info->piece_length);
      message.length = TSR_WIRE_BLOCK_SIZE;
      tsr_wire_write_message (out, &message);
    }
  raw_write (counter->connection, out);
  counter->reading = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (counter->connection)), counter->chunk,
                             sizeof counter->chunk, G_PRIORITY_DEFAULT, NULL, on_counted, counter);
}

/* Under an upload limit, two peers that both ask for everything get
 * about the same share, though the first asked long before the second. */
static void
test_upload_fair_share (Fixture       *f,
                        gconstpointer  data)
{
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  Counter first = { 0 };
  Counter second = { 0 };
  guint64 first_before;
  gdouble ratio;

  tsr_torrent_set_rate_limits (torrent, 1024 * 1024, 0);
  counter_start (&first, session, f->info, "-XX0000-first1111111");
  tsr_test_run_for (500);
  counter_start (&second, session, f->info, "-XX0000-second222222");
  first_before = first.received;
  tsr_test_run_for (2000);
  g_test_message ("first %" G_GUINT64_FORMAT " bytes (%" G_GUINT64_FORMAT " alone), second %" G_GUINT64_FORMAT,
                  first.received, first_before, second.received);
  g_assert_cmpuint (second.received, >, 0);
  ratio = (gdouble) (first.received - first_before) / (gdouble) second.received;
  g_assert_cmpfloat (ratio, >, 0.6);
  g_assert_cmpfloat (ratio, <, 1.0 / 0.6);
  /* And the two together stay under the limit (2.2 s, with a quarter
   * second's burst). */
  g_assert_cmpuint (first.received + second.received - first_before, <, 1024 * 1024 * 2.6);

  g_clear_object (&first.connection);
  g_clear_object (&second.connection);
  g_object_unref (session);
  tsr_test_drain ();
}

/* "Verify data": the data is hashed again even when the resume record
 * would be trusted (here a byte changed behind the record's back, its
 * time put back); a running torrent goes on, a stopped one stays
 * stopped. */
static void
test_verify (Fixture       *f,
             gconstpointer  data)
{
  TsrSession *session = plain_session_new ();
  g_autofree char *state = g_build_filename (f->dir, "state", NULL);
  g_autofree char *path = g_build_filename (f->source, "pack", "a.bin", NULL);
  g_autofree char *record = tsr_resume_path (f->info, state);
  g_autoptr(GError) error = NULL;
  Recorder *seed = recorder_new (tsr_session_add_torrent (session, f->info, f->source));
  struct stat before;
  struct stat saved;
  struct stat again;
  struct timespec times[2];
  char byte;
  FILE *file;

  tsr_torrent_set_state_folder (seed->torrent, state);
  tsr_torrent_start (seed->torrent);
  wait_for_state (seed->torrent, TSR_TORRENT_SEEDING);
  g_assert_true (tsr_torrent_save_resume (seed->torrent, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (record, &saved), ==, 0);
  /* Nothing changed since: not written again (quitting with thousands of
   * idle torrents writes none). */
  g_assert_true (tsr_torrent_save_resume (seed->torrent, &error));
  g_assert_cmpint (stat (record, &again), ==, 0);
  g_assert_cmpuint (saved.st_ino, ==, again.st_ino);
  tsr_torrent_stop (seed->torrent);

  g_assert_cmpint (stat (path, &before), ==, 0);
  file = fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, 100, SEEK_SET), ==, 0);
  g_assert_cmpint (fread (&byte, 1, 1, file), ==, 1);
  byte ^= 0x5a;
  g_assert_cmpint (fseek (file, 100, SEEK_SET), ==, 0);
  g_assert_cmpint (fwrite (&byte, 1, 1, file), ==, 1);
  g_assert_cmpint (fclose (file), ==, 0);
  times[0] = before.st_atim;
  times[1] = before.st_mtim;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);

  /* The record still matches: a plain start trusts it. */
  tsr_torrent_start (seed->torrent);
  wait_for_state (seed->torrent, TSR_TORRENT_SEEDING);
  g_assert_cmpuint (seed->resumed, ==, 1);
  g_assert_cmpuint (seed->rechecked, ==, 1);

  /* Verify while running: the changed piece is found, the rest kept. */
  tsr_torrent_verify (seed->torrent);
  wait_for_state (seed->torrent, TSR_TORRENT_DOWNLOADING);
  g_assert_cmpuint (seed->rechecked, ==, 2);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (seed->torrent), ==, f->info->piece_count - 1);
  /* That changed what we have: written. */
  g_assert_true (tsr_torrent_save_resume (seed->torrent, &error));
  g_assert_cmpint (stat (record, &again), ==, 0);
  g_assert_cmpuint (saved.st_ino, !=, again.st_ino);

  /* Verify while stopped: checked, and stopped again. */
  tsr_torrent_stop (seed->torrent);
  tsr_torrent_verify (seed->torrent);
  WAIT_UNTIL (seed->rechecked == 3, "the second verify");
  wait_for_state (seed->torrent, TSR_TORRENT_STOPPED);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (seed->torrent), ==, f->info->piece_count - 1);

  recorder_free (seed);
  g_object_unref (session);
  tsr_test_drain ();
}

/* A torrent at its connection limit turns the next peer away, and takes
 * one again once the limit is raised; so does the session at its limit
 * over all torrents. */
static void
test_incoming_limit (Fixture       *f,
                     gconstpointer  data)
{
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, TRUE, &torrent);
  g_autoptr(GSocketConnection) first = NULL;
  g_autoptr(GSocketConnection) second = NULL;
  g_autoptr(GSocketConnection) third = NULL;
  g_autoptr(GSocketConnection) fourth = NULL;
  g_autoptr(GSocketConnection) fifth = NULL;
  g_autoptr(GByteArray) in = g_byte_array_new ();

  tsr_torrent_set_max_peers (torrent, 1);
  g_assert_cmpuint (tsr_torrent_get_max_peers (torrent), ==, 1);
  first = raw_connect (tsr_session_get_port (session));
  raw_send_handshake (first, handshake_hash (f->info));
  g_assert_true (raw_read (first, in, TSR_WIRE_HANDSHAKE_LENGTH));
  WAIT_UNTIL (tsr_torrent_get_n_peers (torrent) == 1, "the seed to count the first peer");

  second = raw_connect (tsr_session_get_port (session));
  raw_send_handshake_as (second, handshake_hash (f->info), "-XX0000-second222222");
  assert_hung_up (second);
  g_assert_cmpuint (tsr_torrent_get_n_peers (torrent), ==, 1);

  tsr_torrent_set_max_peers (torrent, 2);
  /* Another peer id: the same one twice is one peer connected twice,
   * which is turned away too. */
  third = raw_connect (tsr_session_get_port (session));
  raw_send_handshake_as (third, handshake_hash (f->info), "-XX0000-thirdthird3");
  g_byte_array_set_size (in, 0);
  g_assert_true (raw_read (third, in, TSR_WIRE_HANDSHAKE_LENGTH));
  WAIT_UNTIL (tsr_torrent_get_n_peers (torrent) == 2, "the seed to count the third peer");

  /* Accepted connections have their own ceiling under max_peers. */
  tsr_torrent_set_max_peers (torrent, 50);
  tsr_torrent_set_max_accepted (torrent, 2);
  g_assert_cmpuint (tsr_torrent_get_n_accepted (torrent), ==, 2);
  g_assert_cmpuint (tsr_torrent_get_n_dialed (torrent), ==, 0);
  fifth = raw_connect (tsr_session_get_port (session));
  raw_send_handshake_as (fifth, handshake_hash (f->info), "-XX0000-fifth5555555");
  assert_hung_up (fifth);
  g_assert_cmpuint (tsr_torrent_get_n_peers (torrent), ==, 2);
  tsr_torrent_set_max_accepted (torrent, 0);

  /* The session's ceiling over all torrents holds too. */
  g_assert_cmpuint (tsr_session_get_n_connections (session), ==, 2);
  tsr_session_set_max_connections (session, 2);
  fourth = raw_connect (tsr_session_get_port (session));
  raw_send_handshake_as (fourth, handshake_hash (f->info), "-XX0000-fourth444444");
  assert_hung_up (fourth);
  g_assert_cmpuint (tsr_torrent_get_n_peers (torrent), ==, 2);
  g_clear_object (&first);
  WAIT_UNTIL (tsr_session_get_n_connections (session) == 1, "the session to count the first peer gone");

  g_clear_object (&second);
  g_clear_object (&third);
  g_clear_object (&fourth);
  g_clear_object (&fifth);
  g_object_unref (session);
  tsr_test_drain ();
}

/* Stopping and starting a download halfway, twice, leaves nothing
 * inconsistent (the original's "stopping & starting does not fix up all
 * the state"): the pieces already here are found again, none is fetched
 * twice, and the download ends with the right bytes. A per-torrent rate
 * limit keeps it slow enough to be caught halfway. */
static void
test_stop_start (Fixture       *f,
                 gconstpointer  data)
{
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (tsr_session_get_port (seeder));
  guint round;
  guint i;

  tsr_torrent_set_rate_limits (leech->torrent, 0, 1024 * 1024);
  g_assert_cmpuint (tsr_torrent_get_down_rate_limit (leech->torrent), ==, 1024 * 1024);
  tsr_torrent_add_peer_address (leech->torrent, address);
  for (round = 1; round <= 2; round++)
    {
      guint verified = leech->n_verified;

      WAIT_UNTIL (leech->n_verified >= verified + 2, "pieces before the stop");
      tsr_torrent_stop (leech->torrent);
      g_assert_cmpint (tsr_torrent_get_state (leech->torrent), ==, TSR_TORRENT_STOPPED);
      g_assert_cmpuint (tsr_torrent_get_n_peers (leech->torrent), ==, 0);
      WAIT_UNTIL (tsr_torrent_get_pending_writes (leech->torrent) == 0, "the last writes");
      g_assert_cmpuint (leech->done, ==, 0);
      tsr_torrent_start (leech->torrent);
      wait_for_state (leech->torrent, TSR_TORRENT_DOWNLOADING);
      /* The check found what was written. */
      g_assert_cmpuint (tsr_torrent_get_pieces_have (leech->torrent), ==, leech->n_verified);
    }
  tsr_torrent_set_rate_limits (leech->torrent, 0, 0);
  WAIT_UNTIL (leech->done > 0, "the download to end after two restarts");
  for (i = 0; i < f->info->piece_count; i++)
    g_assert_cmpuint (leech->verified[i], ==, 1);
  g_assert_cmpuint (leech->hash_failed, ==, 0);
  assert_same_files (f);

  recorder_free (leech);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* Moving ------------------------------------------------------------ */

static gboolean
exists (const char *folder,
        const char *relative)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;

  if (tsr_torrent_move_data_finish (TSR_TORRENT (source), result, error))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* Moves the data and returns the error, or NULL when it worked. */
static GError *
move_data (TsrTorrent *torrent,
           const char *folder)
{
  GError *error = NULL;

  tsr_torrent_move_data_async (torrent, folder, NULL, on_moved, &error);
  WAIT_UNTIL (error != NULL, "the move to end");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_clear_error (&error);
      return NULL;
    }
  return error;
}

/* A download's data moves while it runs: a move onto a file already
 * there is refused with nothing moved; a good move renames everything,
 * leaves no torrent file behind, keeps the pieces (no piece fetched
 * twice) and the download ends in the new folder. */
static void
test_move_data (Fixture       *f,
                gconstpointer  data)
{
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (tsr_session_get_port (seeder));
  g_autofree char *state = g_build_filename (f->dir, "state", NULL);
  g_autofree char *taken = g_build_filename (f->dir, "taken", NULL);
  g_autofree char *moved = g_build_filename (f->dir, "moved", NULL);
  g_autoptr(GError) error = NULL;
  guint before, rechecked, resumed;
  guint i;

  tsr_torrent_set_state_folder (leech->torrent, state);
  tsr_torrent_set_rate_limits (leech->torrent, 0, 1024 * 1024);
  tsr_torrent_add_peer_address (leech->torrent, address);
  WAIT_UNTIL (leech->n_verified >= 3, "pieces before the move");

  /* Refused: pack/z.bin is already in the way. Nothing moves. */
  tsr_test_write_file (taken, "pack/z.bin", 10, 9);
  {
    gboolean here[G_N_ELEMENTS (payload)];
    guint n_here = 0;

    for (i = 0; i < G_N_ELEMENTS (payload); i++)
      {
        g_autofree char *relative = g_build_filename ("pack", payload[i].path, NULL);

        here[i] = exists (f->target, relative);
        n_here += here[i];
      }
    g_assert_cmpuint (n_here, >, 0);
    error = move_data (leech->torrent, taken);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "already there"));
    g_clear_error (&error);
    g_assert_cmpstr (tsr_torrent_get_folder (leech->torrent), ==, f->target);
    for (i = 0; i < G_N_ELEMENTS (payload); i++)
      {
        g_autofree char *relative = g_build_filename ("pack", payload[i].path, NULL);

        g_assert_cmpint (exists (f->target, relative), ==, here[i]);
        if (!g_str_equal (payload[i].path, "z.bin"))
          g_assert_false (exists (taken, relative));
      }
  }
  wait_for_state (leech->torrent, TSR_TORRENT_DOWNLOADING);

  before = leech->n_verified;
  rechecked = leech->rechecked;
  resumed = leech->resumed;
  error = move_data (leech->torrent, moved);
  g_assert_no_error (error);
  g_assert_cmpstr (tsr_torrent_get_folder (leech->torrent), ==, moved);
  g_assert_false (exists (f->target, "pack"));
  g_assert_true (exists (moved, "pack"));
  wait_for_state (leech->torrent, TSR_TORRENT_DOWNLOADING);
  /* The record, rewritten for the new folder, was trusted: no recheck. */
  g_assert_cmpuint (leech->resumed, ==, resumed + 1);
  g_assert_cmpuint (leech->rechecked, ==, rechecked);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (leech->torrent), >=, before);

  tsr_torrent_set_rate_limits (leech->torrent, 0, 0);
  WAIT_UNTIL (leech->done > 0, "the download to end in the new folder");
  for (i = 0; i < f->info->piece_count; i++)
    g_assert_cmpuint (leech->verified[i], ==, 1);
  g_free (f->target);
  f->target = g_strdup (moved);
  assert_same_files (f);

  recorder_free (leech);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* Renaming ---------------------------------------------------------- */

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  if (tsr_torrent_rename_path_finish (TSR_TORRENT (source), result, error))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static void
rename_path (TsrTorrent *torrent,
             const char *path,
             const char *new_name)
{
  g_autoptr(GError) error = NULL;

  tsr_torrent_rename_path_async (torrent, path, new_name, NULL, on_renamed, &error);
  WAIT_UNTIL (error != NULL, "the rename to end");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);   /* done */
}

/* Renamed on both sides: a seed whose folder and a file were renamed
 * serves its pieces from the new names, and a leech renamed halfway
 * writes the rest under its new names; every piece comes once and the
 * files match, by their new names, with none left under the old ones. */
static void
test_rename_while_seeding (Fixture       *f,
                           gconstpointer  data)
{
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (tsr_session_get_port (seeder));
  const char *paths[G_N_ELEMENTS (payload)] = { "renamed/a.bin", "renamed/folder/b.bin", "renamed/z.bin" };
  g_autoptr(TsrMetainfo) renamed = NULL;
  guint i;

  g_assert_cmpuint (f->info->n_files, ==, G_N_ELEMENTS (payload));
  rename_path (seed_torrent, "pack/dir", "folder");
  rename_path (seed_torrent, "pack", "renamed");
  wait_for_state (seed_torrent, TSR_TORRENT_SEEDING);

  tsr_torrent_set_rate_limits (leech->torrent, 0, 1024 * 1024);
  tsr_torrent_add_peer_address (leech->torrent, address);
  WAIT_UNTIL (leech->n_verified >= 2, "pieces before the rename");
  rename_path (leech->torrent, "pack", "renamed");
  rename_path (leech->torrent, "renamed/dir", "folder");
  wait_for_state (leech->torrent, TSR_TORRENT_DOWNLOADING);
  tsr_torrent_set_rate_limits (leech->torrent, 0, 0);
  tsr_torrent_add_peer_address (leech->torrent, address);
  WAIT_UNTIL (leech->done > 0, "the download to end under the new names");
  for (i = 0; i < f->info->piece_count; i++)
    g_assert_cmpuint (leech->verified[i], ==, 1);

  renamed = tsr_metainfo_new_renamed (f->info, paths);
  g_assert_cmpuint (tsr_test_assert_same_files (renamed, f->source, f->target), ==, G_N_ELEMENTS (payload));
  g_assert_false (exists (f->target, "pack"));
  g_assert_false (exists (f->source, "pack"));

  recorder_free (leech);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* Removing ---------------------------------------------------------- */

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;
  gboolean ok = tsr_session_remove_torrent_finish (TSR_SESSION (source), result, error);

  g_assert_true (ok == (*error == NULL));
  /* Marks the call as done even when it succeeded. */
  if (ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static void
remove_torrent (TsrSession *session,
                TsrTorrent *torrent,
                gboolean    delete_data)
{
  GError *error = NULL;

  tsr_session_remove_torrent_async (session, torrent, delete_data, NULL, on_removed, &error);
  WAIT_UNTIL (error != NULL, "the torrent to be removed");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
}

/* Removing a torrent with its data deletes its files and the folders
 * they leave empty, and its resume record; files it does not name stay,
 * and a symlink planted where its folder should be is not followed. */
static void
test_remove_with_data (Fixture       *f,
                       gconstpointer  data)
{
  TsrTorrent *torrent = NULL;
  TsrSession *session = start_seed (f, FALSE, &torrent);
  g_autoptr(TsrSession) other = plain_session_new ();
  g_autofree char *state = g_build_filename (f->dir, "state", NULL);
  g_autofree char *outside = g_build_filename (f->dir, "outside", NULL);
  g_autofree char *link = g_build_filename (f->target, "pack", "dir", NULL);
  g_autofree char *record = NULL;
  g_autoptr(GError) error = NULL;
  TsrTorrent *trapped;

  tsr_torrent_set_state_folder (torrent, state);
  g_assert_true (tsr_torrent_save_resume (torrent, &error));
  g_assert_no_error (error);
  record = tsr_resume_path (f->info, state);
  g_assert_true (g_file_test (record, G_FILE_TEST_EXISTS));
  tsr_test_write_file (f->source, "pack/keep.txt", 10, 1);
  tsr_test_write_file (f->source, "other.txt", 10, 2);

  remove_torrent (session, torrent, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_session_get_torrents (session)), ==, 0);
  g_assert_false (exists (f->source, "pack/a.bin"));
  g_assert_false (exists (f->source, "pack/dir/b.bin"));
  g_assert_false (exists (f->source, "pack/dir"));
  g_assert_false (exists (f->source, "pack/z.bin"));
  g_assert_true (exists (f->source, "pack/keep.txt"));
  g_assert_true (exists (f->source, "other.txt"));
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));

  /* target/pack/dir is a symlink to a folder outside, holding a b.bin. */
  tsr_test_write_file (outside, "b.bin", 100, 3);
  tsr_test_write_file (f->target, "pack/a.bin", 100, 4);
  g_assert_cmpint (symlink (outside, link), ==, 0);
  trapped = tsr_session_add_torrent (other, f->info, f->target);
  remove_torrent (other, trapped, TRUE);
  g_assert_false (exists (f->target, "pack/a.bin"));
  g_assert_true (exists (outside, "b.bin"));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  /* Without its data: the files stay. */
  {
    TsrTorrent *kept = tsr_session_add_torrent (other, f->info, outside);

    remove_torrent (other, kept, FALSE);
    g_assert_true (exists (outside, "b.bin"));
  }
  g_object_unref (session);
  tsr_test_drain ();
}

/* ------------------------------------------------------------------ */
/* Bans                                                                */

/* An idle torrent has no limiter of its own: it is charged to the
 * session's. A limit set while it is stopped makes its own, under the
 * session's, and it holds once the torrent runs. */
static void
test_limit_set_while_idle (Fixture       *f,
                           gconstpointer  data)
{
  TsrSession *session = plain_session_new ();
  TsrTorrent *torrent = tsr_session_add_torrent (session, f->info, f->target);
  TsrLimiter *session_down = tsr_swarm_get_limiter (_tsr_torrent_get_swarm (torrent), FALSE);
  TsrLimiter *own;

  g_assert_cmpuint (tsr_torrent_get_down_rate_limit (torrent), ==, 0);
  tsr_session_set_rate_limits (session, 0, 5000);
  g_assert_cmpuint (tsr_limiter_get_rate (session_down), ==, 5000);

  tsr_torrent_set_rate_limits (torrent, 0, 1000);
  own = tsr_swarm_get_limiter (_tsr_torrent_get_swarm (torrent), FALSE);
  g_assert_true (own != session_down);
  g_assert_cmpuint (tsr_limiter_get_rate (own), ==, 1000);
  g_assert_cmpuint (tsr_torrent_get_down_rate_limit (torrent), ==, 1000);
  g_assert_cmpuint (tsr_torrent_get_up_rate_limit (torrent), ==, 0);
  g_assert_cmpuint (tsr_limiter_wait_ms (session_down), ==, 0);
  tsr_limiter_consume (own, 100 * 1000);
  g_assert_cmpuint (tsr_limiter_wait_ms (session_down), >, 0);

  tsr_torrent_start (torrent);
  wait_for_state (torrent, TSR_TORRENT_DOWNLOADING);
  g_assert_true (tsr_swarm_get_limiter (_tsr_torrent_get_swarm (torrent), FALSE) == own);
  g_assert_cmpuint (tsr_torrent_get_down_rate_limit (torrent), ==, 1000);

  g_object_unref (session);
  tsr_test_drain ();
}

/* An idle torrent, downloading with no peer, keeps no disk queue, no
 * fault, no block map or smart ban, no requester, uploader or
 * extension host, and no check running or waiting its turn; a
 * sequential flag set meanwhile is kept. Stop conditions of 0 (what the CLI and a library restore give
 * every torrent) make nothing; a real one makes them, and setting it
 * back to 0 keeps them, empty. */
static void
test_idle_makes_little (Fixture       *f,
                        gconstpointer  data)
{
  TsrSession *session = plain_session_new ();
  TsrTorrent *torrent = tsr_session_add_torrent (session, f->info, f->target);
  g_autoptr(GPtrArray) bans = NULL;
  guint64 up_total;
  guint64 down_total;
  gdouble seed_ratio;
  guint checks_running;
  guint checks_waiting;

  tsr_torrent_start (torrent);
  wait_for_state (torrent, TSR_TORRENT_DOWNLOADING);
  /* Checks are the process's: one an earlier test cancelled may still
   * be on its way back. */
  WAIT_UNTIL ((tsr_torrent_disk_count_checks (&checks_running, &checks_waiting),
               checks_running == 0 && checks_waiting == 0), "no check left");
  g_assert_null (tsr_torrent_disk_get_queue (_tsr_torrent_get_disk (torrent)));
  g_assert_null (_tsr_torrent_get_fault (torrent));
  g_assert_null (tsr_torrent_dup_error (torrent));
  g_assert_null (tsr_torrent_pieces_peek_blocks (_tsr_torrent_get_pieces (torrent)));
  g_assert_null (tsr_torrent_pieces_peek_smart_ban (_tsr_torrent_get_pieces (torrent)));
  g_assert_null (tsr_swarm_get_requester (_tsr_torrent_get_swarm (torrent)));
  g_assert_null (tsr_swarm_get_uploader (_tsr_torrent_get_swarm (torrent)));
  g_assert_null (tsr_swarm_get_extensions (_tsr_torrent_get_swarm (torrent)));
  g_assert_null (tsr_swarm_peek_pool (_tsr_torrent_get_swarm (torrent)));
  g_assert_cmpuint (tsr_torrent_get_n_known_addresses (torrent), ==, 0);
  bans = tsr_torrent_dup_bans (torrent);
  g_assert_cmpuint (bans->len, ==, 0);
  tsr_torrent_set_sequential (torrent, TRUE);
  g_assert_true (tsr_swarm_parts_get_sequential (tsr_swarm_get_parts (_tsr_torrent_get_swarm (torrent))));
  g_assert_null (tsr_swarm_get_requester (_tsr_torrent_get_swarm (torrent)));
  g_free (tsr_torrent_dup_debug_json (torrent));

  tsr_torrent_set_limits (torrent, 0, 0, 0);
  tsr_torrent_set_seed_idle_limit (torrent, 0);
  g_assert_null (tsr_torrent_stats_get_limits (_tsr_torrent_get_stats (torrent), FALSE));
  tsr_torrent_get_limits (torrent, &up_total, &down_total, &seed_ratio);
  g_assert_cmpuint (up_total, ==, 0);

  tsr_torrent_set_seed_idle_limit (torrent, 60);
  g_assert_nonnull (tsr_torrent_stats_get_limits (_tsr_torrent_get_stats (torrent), FALSE));
  tsr_torrent_set_limits (torrent, 0, 0, 2.0);
  tsr_torrent_get_limits (torrent, &up_total, &down_total, &seed_ratio);
  g_assert_cmpfloat (seed_ratio, ==, 2.0);
  tsr_torrent_set_limits (torrent, 0, 0, 0);
  tsr_torrent_set_seed_idle_limit (torrent, 0);
  g_assert_nonnull (tsr_torrent_stats_get_limits (_tsr_torrent_get_stats (torrent), FALSE));
  g_assert_true (tsr_torrent_limits_is_empty (tsr_torrent_stats_get_limits (_tsr_torrent_get_stats (torrent),
                                                                            FALSE)));
  tsr_torrent_get_limits (torrent, &up_total, &down_total, &seed_ratio);
  g_assert_cmpfloat (seed_ratio, ==, 0);

  g_object_unref (session);
  tsr_test_drain ();
}

static void
test_bans_fresh (Fixture       *f,
                 gconstpointer  data)
{
  TsrSession *session = plain_session_new ();
  TsrTorrent *torrent = tsr_session_add_torrent (session, f->info, f->target);
  g_autoptr(GPtrArray) bans = tsr_torrent_dup_bans (torrent);
  g_autoptr(GPtrArray) started_bans = NULL;

  g_assert_nonnull (bans);
  g_assert_cmpuint (bans->len, ==, 0);
  tsr_torrent_start (torrent);
  wait_for_state (torrent, TSR_TORRENT_DOWNLOADING);
  started_bans = tsr_torrent_dup_bans (torrent);
  g_assert_cmpuint (started_bans->len, ==, 0);
  /* A copy: the caller owns it and its elements. */
  g_assert_true (started_bans != bans);

  g_object_unref (session);
  tsr_test_drain ();
}

/* A "seed" on a raw socket, in its own thread with blocking I/O: it
 * shakes hands, claims every piece, unchokes, and answers each request
 * with wrong bytes. */
typedef struct
{
  GSocket     *listener;       /* (owned) 127.0.0.1, any port; the thread's */
  guint16      port;
  guint8       info_hash[20];
  guint        piece_count;
  GThread     *thread;         /* (owned) */
  gboolean     stall;          /* set before the thread starts: never answer */
  gint         requests_seen;  /* atomic */
  gint         blocks_sent;    /* atomic */
  gint         finished;       /* atomic: the thread has ended */
  /* Written by the thread, read after the join: */
  char        *fault;          /* (nullable) what went wrong on our side */
  char        *end;            /* how the connection ended */
  gboolean     timed_out;
} Liar;

static gboolean
receive_all (GSocket  *socket,
             guint8   *buffer,
             gsize     size,
             GError  **error)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_socket_receive (socket, (char *) buffer + done, size - done, NULL, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "end of stream");
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

static gboolean
send_all (GSocket     *socket,
          GByteArray  *bytes,
          GError     **error)
{
  gsize done = 0;

  while (done < bytes->len)
    {
      gssize n = g_socket_send (socket, (const char *) bytes->data + done, bytes->len - done, NULL, error);

      if (n < 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

/* Wire integers sit at any offset: no aligned loads (UBSan). */
static guint32
read_be32 (const guint8 *bytes)
{
  guint32 value;

  memcpy (&value, bytes, 4);
  return GUINT32_FROM_BE (value);
}

/* Serves one connection until it ends; returns how it ended. */
static GError *
liar_serve (Liar    *liar,
            GSocket *socket)
{
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(TsrBitfield) all = tsr_bitfield_new (liar->piece_count);
  guint8 handshake[TSR_WIRE_HANDSHAKE_LENGTH];
  TsrWireHandshake theirs;
  TsrWireHandshake ours = { { 0 } };
  TsrWireMessage bitfield = { 0 };

  if (!receive_all (socket, handshake, sizeof handshake, &error))
    return error;
  if (!tsr_wire_parse_handshake (handshake, sizeof handshake, &theirs, &error))
    return error;
  if (memcmp (theirs.info_hash, liar->info_hash, 20) != 0)
    {
      liar->fault = g_strdup ("the leech asked for another torrent");
      return NULL;
    }
  /* No BEP 6 bit: the leech must learn our pieces from the bitfield. */
  memcpy (ours.info_hash, liar->info_hash, 20);
  memcpy (ours.peer_id, "-XX0000-liarliarliar", 20);
  tsr_wire_write_handshake (out, &ours);
  tsr_bitfield_set_all (all, TRUE);
  bitfield.type = TSR_WIRE_BITFIELD;
  bitfield.data = tsr_bitfield_get_bytes (all, &bitfield.data_length);
  tsr_wire_write_message (out, &bitfield);
  tsr_wire_write_simple (out, TSR_WIRE_UNCHOKE);
  if (!send_all (socket, out, &error))
    return error;

  for (;;)
    {
      guint8 prefix[4];
      guint32 length;
      g_autofree guint8 *body = NULL;
      TsrWireMessage piece = { 0 };

      if (!receive_all (socket, prefix, 4, &error))
        return error;
      length = read_be32 (prefix);
      if (length > TSR_WIRE_MAX_MESSAGE)
        {
          liar->fault = g_strdup_printf ("the leech sent a message of %u bytes", length);
          return NULL;
        }
      if (length == 0)
        continue;
      body = g_malloc (length);
      if (!receive_all (socket, body, length, &error))
        return error;
      if (body[0] != TSR_WIRE_REQUEST)
        continue;
      if (length != 13)
        {
          liar->fault = g_strdup_printf ("a request of %u bytes", length);
          return NULL;
        }
      piece.type = TSR_WIRE_PIECE;
      piece.index = read_be32 (body + 1);
      piece.begin = read_be32 (body + 5);
      piece.length = read_be32 (body + 9);
      if (piece.length == 0 || piece.length > TSR_WIRE_MAX_REQUEST)
        {
          liar->fault = g_strdup_printf ("a request for %u bytes", piece.length);
          return NULL;
        }
      g_atomic_int_inc (&liar->requests_seen);
      /* A staller unchokes, takes requests and sends nothing. */
      if (liar->stall)
        continue;
      /* The right size, the wrong bytes (the payload is pseudo-random). */
      g_byte_array_set_size (out, 0);
      tsr_wire_write_message (out, &piece);
      g_byte_array_set_size (out, out->len + piece.length);
      memset (out->data + out->len - piece.length, 0xa5, piece.length);
      if (!send_all (socket, out, &error))
        return error;
      g_atomic_int_inc (&liar->blocks_sent);
    }
}

static gpointer
liar_run (gpointer user_data)
{
  Liar *liar = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_accept (liar->listener, NULL, &error);

  if (socket == NULL)
    liar->fault = g_strdup_printf ("accept: %s", error->message);
  else
    {
      g_socket_set_timeout (socket, WAIT_SECONDS);
      error = liar_serve (liar, socket);
      if (error != NULL)
        {
          liar->end = g_strdup (error->message);
          liar->timed_out = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
        }
      g_socket_close (socket, NULL);
    }
  g_socket_close (liar->listener, NULL);
  g_atomic_int_set (&liar->finished, TRUE);
  /* The leech sleeps in poll: wake it to see that we ended. */
  g_main_context_wakeup (NULL);
  return NULL;
}

static Liar *
liar_start_full (TsrMetainfo *info,
                 gboolean     stall)
{
  Liar *liar = g_new0 (Liar, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  liar->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (liar->listener, any_port, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_socket_listen (liar->listener, &error));
  g_assert_no_error (error);
  /* A leech that never dials must not hang the thread. */
  g_socket_set_timeout (liar->listener, WAIT_SECONDS);
  bound = g_socket_get_local_address (liar->listener, &error);
  g_assert_no_error (error);
  liar->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  memcpy (liar->info_hash, handshake_hash (info), 20);
  liar->piece_count = info->piece_count;
  liar->stall = stall;
  liar->thread = g_thread_new ("liar", liar_run, liar);
  return liar;
}

static Liar *
liar_start (TsrMetainfo *info)
{
  return liar_start_full (info, FALSE);
}

static void
liar_free (Liar *liar)
{
  g_clear_pointer (&liar->thread, g_thread_join);
  g_object_unref (liar->listener);
  g_free (liar->fault);
  g_free (liar->end);
  g_free (liar);
}

/* A peer that unchokes, takes requests and never answers holds blocks
 * hostage; once every piece is started, the end game asks a good seed
 * for them too, and the download ends while the staller is still
 * connected (it would otherwise wait for its silence timeout). */
static void
test_endgame_staller (Fixture       *f,
                      gconstpointer  data)
{
  Liar *staller = liar_start_full (f->info, TRUE);
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *stall_address = loopback_address (staller->port);
  g_autofree char *seed_address = loopback_address (tsr_session_get_port (seeder));

  tsr_torrent_add_peer_address (leech->torrent, stall_address);
  WAIT_UNTIL (g_atomic_int_get (&staller->requests_seen) > 0, "requests to the staller");
  tsr_torrent_add_peer_address (leech->torrent, seed_address);
  WAIT_UNTIL (leech->done, "the download to end despite the staller");
  g_assert_cmpuint (count_events (leech, "peer-gone", stall_address, NULL), ==, 0);
  g_assert_false (g_atomic_int_get (&staller->finished));
  g_assert_cmpint (g_atomic_int_get (&staller->blocks_sent), ==, 0);
  g_assert_cmpuint (leech->n_verified, ==, f->info->piece_count);
  g_assert_cmpuint (leech->hash_failed, ==, 0);
  assert_same_files (f);

  recorder_free (leech);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
  WAIT_UNTIL (g_atomic_int_get (&staller->finished), "the staller's connection to end");
  liar_free (staller);
}

/* Full (one connection allowed) and holding a peer that gives nothing,
 * with a good address waiting: the useless peer is dropped to make room,
 * and the download ends through the newcomer. */
static void
test_turnover (Fixture       *f,
               gconstpointer  data)
{
  Liar *staller = liar_start_full (f->info, TRUE);
  TsrTorrent *seed_torrent = NULL;
  TsrSession *seeder = start_seed (f, TRUE, &seed_torrent);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *stall_address = loopback_address (staller->port);
  g_autofree char *seed_address = loopback_address (tsr_session_get_port (seeder));
  Event *gone;

  tsr_torrent_set_max_peers (leech->torrent, 1);
  tsr_torrent_set_turnover_interval (leech->torrent, 2);
  tsr_torrent_add_peer_address (leech->torrent, stall_address);
  WAIT_UNTIL (g_atomic_int_get (&staller->requests_seen) > 0, "requests to the staller");
  tsr_torrent_add_peer_address (leech->torrent, seed_address);
  WAIT_UNTIL (leech->done > 0, "the download to end through the newcomer");
  gone = find_event (leech, "peer-gone", stall_address, NULL);
  g_assert_nonnull (gone);
  g_assert_nonnull (strstr (gone->detail, "room"));
  g_assert_cmpuint (count_events (leech, "peer-dialing", stall_address, NULL), ==, 1);
  assert_same_files (f);

  recorder_free (leech);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
  WAIT_UNTIL (g_atomic_int_get (&staller->finished), "the staller's connection to end");
  liar_free (staller);
}

static void
test_bans_corrupt_piece (Fixture       *f,
                         gconstpointer  data)
{
  Liar *liar = liar_start (f->info);
  Recorder *leech = NULL;
  TsrSession *leecher = start_leech (f, &leech);
  g_autofree char *address = loopback_address (liar->port);
  g_autoptr(GPtrArray) bans = NULL;
  TsrPeerBan *ban;
  Event *banned;
  guint unchoked_at = 0;
  guint banned_at = 0;
  gint64 now;
  guint i;

  tsr_torrent_add_peer_address (leech->torrent, address);
  WAIT_UNTIL (count_events (leech, "peer-banned", NULL, NULL) > 0, "the corrupt peer's \"peer-banned\"");
  now = g_get_monotonic_time () / G_USEC_PER_SEC;

  /* A piece from one sender that fails its hash convicts that sender. */
  g_assert_cmpuint (leech->hash_failed, >=, 1);
  g_assert_cmpuint (leech->n_verified, ==, 0);
  g_assert_cmpuint (count_events (leech, "peer-banned", NULL, NULL), ==, 1);
  banned = find_event (leech, "peer-banned", address, &banned_at);
  g_assert_nonnull (banned);
  g_assert_nonnull (banned->detail);
  g_assert_cmpstr (banned->detail, !=, "");
  g_assert_cmpuint (count_events (leech, "peer-state", address, "unchoked-us"), ==, 1);
  g_assert_nonnull (find_event (leech, "peer-state", address, &unchoked_at));
  g_assert_cmpuint (unchoked_at, <, banned_at);

  /* The ban is listed, with its reason and an end an hour away. */
  bans = tsr_torrent_dup_bans (leech->torrent);
  g_assert_cmpuint (bans->len, ==, 1);
  ban = g_ptr_array_index (bans, 0);
  g_assert_cmpstr (ban->address, ==, address);
  g_assert_cmpstr (ban->reason, ==, banned->detail);
  g_assert_cmpint (ban->until, >, now);
  g_assert_cmpint (ban->until, <=, now + TSR_TORRENT_BAN_SECONDS + 1);
  g_assert_cmpint (ban->until, >=, now + TSR_TORRENT_BAN_SECONDS - 5);

  /* The banned peer is hung up on (not left to time out). */
  WAIT_UNTIL (count_events (leech, "peer-gone", address, NULL) == 1, "the banned peer's \"peer-gone\"");
  WAIT_UNTIL (g_atomic_int_get (&liar->finished), "the banned peer's connection to end");
  g_clear_pointer (&liar->thread, g_thread_join);
  if (liar->fault != NULL)
    g_test_message ("raw seed: %s", liar->fault);
  g_assert_null (liar->fault);
  g_assert_false (liar->timed_out);
  g_assert_cmpint (g_atomic_int_get (&liar->blocks_sent), >, 0);
  g_assert_cmpuint (tsr_torrent_get_n_peers (leech->torrent), ==, 0);

  /* Given again by the user, the address is still refused. */
  tsr_torrent_add_peer_address (leech->torrent, address);
  tsr_test_run_for (1500);
  g_assert_cmpuint (count_events (leech, "peer-dialing", address, NULL), ==, 1);

  /* Blocks still on their way to disk fail too; none of them lands. */
  WAIT_UNTIL (tsr_torrent_get_pending_writes (leech->torrent) == 0, "the last piece checks");
  g_assert_cmpuint (leech->n_verified, ==, 0);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (leech->torrent), ==, 0);
  for (i = 0; i < f->info->n_files; i++)
    {
      g_autofree char *path = g_build_filename (f->target, f->info->files[i].path, NULL);

      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  recorder_free (leech);
  g_object_unref (leecher);
  tsr_test_drain ();
  liar_free (liar);
}

int
main (int    argc,
      char **argv)
{
  static const struct { const char *name; TsrCreateFormat format; } formats[] = {
    { "v1", TSR_CREATE_V1 }, { "v2", TSR_CREATE_V2 }, { "hybrid", TSR_CREATE_HYBRID },
  };
  gconstpointer v1 = GINT_TO_POINTER (TSR_CREATE_V1);
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *seed = g_strdup_printf ("/torrent/seed-to-leech/%s", formats[i].name);
      g_autofree char *corrupt = g_strdup_printf ("/torrent/bans/corrupt-piece/%s", formats[i].name);
      g_autofree char *known = g_strdup_printf ("/torrent/incoming/known-hash/%s", formats[i].name);
      gconstpointer format = GINT_TO_POINTER (formats[i].format);

      g_test_add (seed, Fixture, format, fixture_set_up, test_seed_to_leech, fixture_tear_down);
      g_test_add (corrupt, Fixture, format, fixture_set_up, test_bans_corrupt_piece, fixture_tear_down);
      g_test_add (known, Fixture, format, fixture_set_up, test_incoming_known_hash, fixture_tear_down);
    }
  g_test_add ("/torrent/seed-to-leech/encrypted", Fixture, v1, fixture_set_up, test_seed_to_leech_encrypted,
              fixture_tear_down);
  g_test_add ("/torrent/incoming/fast", Fixture, v1, fixture_set_up, test_incoming_fast, fixture_tear_down);
  g_test_add ("/torrent/incoming/listen-port-not-redialed", Fixture, v1, fixture_set_up,
              test_incoming_listen_port_not_redialed, fixture_tear_down);
  g_test_add ("/torrent/upload/order-and-cancel", Fixture, v1, fixture_set_up, test_upload_order_and_cancel,
              fixture_tear_down);
  g_test_add ("/torrent/upload/choke-then-reject", Fixture, v1, fixture_set_up, test_upload_choke_then_reject,
              fixture_tear_down);
  g_test_add ("/torrent/unasked-block-dropped", Fixture, v1, fixture_set_up, test_unasked_block_dropped,
              fixture_tear_down);
  g_test_add ("/torrent/upload/fair-share", Fixture, v1, fixture_set_up, test_upload_fair_share, fixture_tear_down);
  g_test_add ("/torrent/verify", Fixture, v1, fixture_set_up, test_verify, fixture_tear_down);
  g_test_add ("/torrent/incoming/limit", Fixture, v1, fixture_set_up, test_incoming_limit, fixture_tear_down);
  g_test_add ("/torrent/endgame-staller", Fixture, v1, fixture_set_up, test_endgame_staller, fixture_tear_down);
  g_test_add ("/torrent/remove-with-data", Fixture, v1, fixture_set_up, test_remove_with_data, fixture_tear_down);
  g_test_add ("/torrent/stop-start", Fixture, v1, fixture_set_up, test_stop_start, fixture_tear_down);
  g_test_add ("/torrent/move-data", Fixture, v1, fixture_set_up, test_move_data, fixture_tear_down);
  g_test_add ("/torrent/rename-while-seeding", Fixture, v1, fixture_set_up, test_rename_while_seeding,
              fixture_tear_down);
  g_test_add ("/torrent/turnover", Fixture, v1, fixture_set_up, test_turnover, fixture_tear_down);
  g_test_add ("/torrent/dial-backoff", Fixture, v1, fixture_set_up, test_dial_backoff, fixture_tear_down);
  g_test_add ("/torrent/dial-self", Fixture, v1, fixture_set_up, test_dial_self, fixture_tear_down);
  g_test_add ("/torrent/dial-limit", Fixture, v1, fixture_set_up, test_dial_limit, fixture_tear_down);
  g_test_add ("/torrent/incoming/unknown-hash", Fixture, v1,
              fixture_set_up, test_incoming_unknown_hash, fixture_tear_down);
  g_test_add ("/torrent/incoming/bad-protocol", Fixture, v1,
              fixture_set_up, test_incoming_bad_protocol, fixture_tear_down);
  g_test_add ("/torrent/limit-set-while-idle", Fixture, v1, fixture_set_up, test_limit_set_while_idle,
              fixture_tear_down);
  g_test_add ("/torrent/idle-makes-little", Fixture, v1, fixture_set_up, test_idle_makes_little, fixture_tear_down);
  g_test_add ("/torrent/bans/fresh-torrent-has-none", Fixture, v1,
              fixture_set_up, test_bans_fresh, fixture_tear_down);

  return g_test_run ();
}
