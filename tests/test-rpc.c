/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-rpc.c: the Transmission RPC module without HTTP: the path rule
 * (absolute, no "..", inside the allowed roots, symlinks resolved), ids
 * that stay with their torrents when others go, and the request handler's
 * envelope (tag echoed, errors named, "table" rows matching their header),
 * the blocklist: session-set of its URL, blocklist-update fetching it
 * (from a local server) and answering its size, session-get telling it,
 * and the JSON writer torrent-get's reply is written with (tsr-rpc-json.h):
 * what it writes parses back, with json-glib, to exactly what was written,
 * in both of torrent-get's formats. The alternative speed schedule:
 * session-set checks and keeps it, session-get and the daemon's key file
 * give it back, and the engine's TsrAltSpeedTimer, which the daemon
 * follows it with, switches at its edges by a fake clock.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "tsr-rpc-json.h"
#include "tsr-rpc-methods.h"
#include "tsr-rpc-request.h"
#include "tsr-test-util.h"

typedef struct
{
  char           *dir;
  char           *root;
  TsrLibrary     *library;
  TsrRpcSettings *settings;
  TsrRpcContext  *context;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *library_dir = NULL;

  f->dir = g_dir_make_tmp ("tsr-rpc-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->root = g_build_filename (f->dir, "downloads", NULL);
  g_assert_cmpint (g_mkdir (f->root, 0700), ==, 0);
  library_dir = g_build_filename (f->dir, "library", NULL);
  f->library = tsr_library_new (library_dir);
  tsr_library_set_use_trackers (f->library, FALSE);
  f->settings = tsr_rpc_settings_new (f->root);
  f->context = tsr_rpc_context_new (f->library, f->settings, f->dir, NULL, NULL);
  f->context->allowed_roots = g_new0 (char *, 2);
  f->context->allowed_roots[0] = g_strdup (f->root);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_rpc_context_free (f->context);
  tsr_library_shutdown (f->library);
  g_object_unref (f->library);
  tsr_rpc_settings_free (f->settings);
  tsr_test_drain ();
  tsr_test_remove_tree (f->dir);
  g_free (f->root);
  g_free (f->dir);
}

/* The reply to @request, parsed; its HTTP status in @status. */
static JsonObject *
ask (Fixture    *f,
     const char *request,
     guint      *status)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint ignored;

  text = tsr_rpc_handle_request (f->context, request, strlen (request), status != NULL ? status : &ignored);
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_paths (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *inside = g_build_filename (f->root, "tv", "show", NULL);
  g_autofree char *dotdot = g_build_filename (f->root, "..", "elsewhere", NULL);
  g_autofree char *sibling = g_strconcat (f->root, "-not", NULL);
  g_autofree char *link = g_build_filename (f->root, "link", NULL);
  g_autofree char *through = g_build_filename (link, "x", NULL);

  g_assert_true (tsr_rpc_context_check_folder (f->context, inside, &error));
  g_assert_no_error (error);
  g_assert_true (tsr_rpc_context_check_folder (f->context, f->root, &error));
  g_assert_false (tsr_rpc_context_check_folder (f->context, "relative/dir", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (tsr_rpc_context_check_folder (f->context, dotdot, &error));
  g_clear_error (&error);
  /* A name that starts like the root is not inside it. */
  g_assert_false (tsr_rpc_context_check_folder (f->context, sibling, &error));
  g_clear_error (&error);
  g_assert_false (tsr_rpc_context_check_folder (f->context, "/etc", &error));
  g_clear_error (&error);
  /* A symlink in the root leading out is out. */
  g_assert_cmpint (symlink (f->dir, link), ==, 0);
  g_assert_false (tsr_rpc_context_check_folder (f->context, through, &error));
  g_clear_error (&error);
  /* A torrent file must be a regular file. */
  g_assert_false (tsr_rpc_context_check_file (f->context, inside, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* No roots: any absolute path without "..". */
  g_clear_pointer (&f->context->allowed_roots, g_strfreev);
  g_assert_true (tsr_rpc_context_check_folder (f->context, "/etc", &error));
  g_assert_false (tsr_rpc_context_check_folder (f->context, dotdot, &error));
}

static gint64
add_magnet (Fixture    *f,
            const char *hex)
{
  g_autofree char *request = g_strdup_printf ("{\"method\":\"torrent-add\",\"arguments\":{\"paused\":true,"
                                              "\"filename\":\"magnet:?xt=urn:btih:%s\"}}", hex);
  g_autoptr(JsonObject) reply = ask (f, request, NULL);
  JsonObject *args = json_object_get_object_member (reply, "arguments");

  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  return json_object_get_int_member (json_object_get_object_member (args, "torrent-added"), "id");
}

static void
serve_blocklist (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char body[] = "a:10.0.0.0-10.0.0.255\nb:10.0.1.0-10.0.1.255\n192.0.2.0/24\nmalformed\n";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
on_reply (char     *reply,
          guint     status,
          gpointer  user_data)
{
  *(char **) user_data = reply;
}

static void
test_blocklist (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *base = NULL;
  g_autoptr(SoupServer) server = tsr_test_http_server_new (serve_blocklist, NULL, &base);
  g_autofree char *set = g_strdup_printf ("{\"method\":\"session-set\",\"arguments\":{\"blocklist-enabled\":true,"
                                          "\"blocklist-url\":\"%s/list.p2p\"}}", base);
  const char *update = "{\"method\":\"blocklist-update\",\"tag\":7}";
  const char *get = "{\"method\":\"session-get\",\"arguments\":{\"fields\":[\"blocklist-enabled\","
                    "\"blocklist-size\",\"blocklist-url\"]}}";
  g_autoptr(JsonObject) before = ask (f, update, NULL);
  g_autoptr(JsonObject) bad = ask (f, "{\"method\":\"session-set\",\"arguments\":{\"blocklist-url\":\"/etc/x\"}}", NULL);
  g_autoptr(JsonObject) set_reply = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autofree char *url = g_strconcat (base, "/list.p2p", NULL);
  JsonObject *reply, *args;

  /* Waits for its fetch: the synchronous handler says so. */
  g_assert_cmpstr (json_object_get_string_member (before, "result"), ==, "blocklist-update is answered by the server only");
  g_assert_cmpstr (json_object_get_string_member (bad, "result"), ==, "blocklist-url must be an http or https URL");
  set_reply = ask (f, set, NULL);
  g_assert_cmpstr (json_object_get_string_member (set_reply, "result"), ==, "success");
  tsr_rpc_handle_request_async (f->context, update, strlen (update), NULL, on_reply, &text);
  TSR_TEST_WAIT_UNTIL (text != NULL, 20, "the blocklist-update reply");
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  reply = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (reply, "tag"), ==, 7);
  args = json_object_get_object_member (reply, "arguments");
  /* a and b are adjacent: merged. */
  g_assert_cmpint (json_object_get_int_member (args, "blocklist-size"), ==, 2);

  got = ask (f, get, NULL);
  args = json_object_get_object_member (got, "arguments");
  g_assert_true (json_object_get_boolean_member (args, "blocklist-enabled"));
  g_assert_cmpint (json_object_get_int_member (args, "blocklist-size"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (args, "blocklist-url"), ==, url);
  /* Kept in the config folder, for the next start. */
  g_assert_true (g_file_test (f->dir, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *kept = g_build_filename (f->dir, "blocklists", NULL);

    g_assert_true (g_file_test (kept, G_FILE_TEST_IS_DIR));
  }
}

static void
test_ids_stable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) again = NULL;
  JsonArray *torrents;

  g_assert_cmpint (add_magnet (f, "0101010101010101010101010101010101010101"), ==, 1);
  g_assert_cmpint (add_magnet (f, "0202020202020202020202020202020202020202"), ==, 2);
  reply = ask (f, "{\"method\":\"torrent-remove\",\"arguments\":{\"ids\":[1]}}", NULL);
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  tsr_test_drain ();
  /* Never given again, and the second keeps its number. */
  g_assert_cmpint (add_magnet (f, "0303030303030303030303030303030303030303"), ==, 3);
  again = ask (f, "{\"method\":\"torrent-get\",\"arguments\":{\"fields\":[\"id\",\"hashString\"]}}", NULL);
  torrents = json_object_get_array_member (json_object_get_object_member (again, "arguments"), "torrents");
  g_assert_cmpuint (json_array_get_length (torrents), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (torrents, 0), "id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (torrents, 0), "hashString"), ==,
                   "0202020202020202020202020202020202020202");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (torrents, 1), "id"), ==, 3);
}

static void
test_envelope (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) bad = NULL;
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(JsonObject) table = NULL;
  g_autoptr(JsonObject) session = NULL;
  JsonArray *rows;
  guint status = 0;

  bad = ask (f, "{\"method\":", &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (json_object_get_string_member (bad, "result"), !=, "success");
  unknown = ask (f, "{\"method\":\"nope\",\"tag\":42}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (unknown, "result"), ==, "method name not recognized");
  g_assert_cmpint (json_object_get_int_member (unknown, "tag"), ==, 42);

  add_magnet (f, "0404040404040404040404040404040404040404");
  /* An unknown field is left out of the header and of every row. */
  table = ask (f, "{\"method\":\"torrent-get\",\"arguments\":{\"format\":\"table\",\"fields\":[\"id\",\"bogus\",\"status\"]}}",
               NULL);
  rows = json_object_get_array_member (json_object_get_object_member (table, "arguments"), "torrents");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (rows, 0)), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (rows, 0), 1), ==, "status");
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (rows, 1)), ==, 2);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (rows, 1), 1), ==, 0);

  session = ask (f, "{\"method\":\"session-get\",\"arguments\":{\"fields\":[\"version\",\"rpc-version\"]}}", NULL);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (session, "arguments"),
                                                                  "version"), "3.00 (Tessera "));
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (session, "arguments")), ==, 2);
}

static void
test_alt_speed_schedule (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(TsrRpcSettings) loaded = tsr_rpc_settings_new (f->root);
  static const char * const invalid[] = {
    "{\"alt-speed-time-begin\":1440}", "{\"alt-speed-time-end\":-1}", "{\"alt-speed-time-day\":128}",
    "{\"alt-speed-time-begin\":\"nine\"}",
  };
  JsonObject *args;
  TsrAltSpeedSchedule schedule;
  guint i;

  reply = ask (f, "{\"method\":\"session-set\",\"arguments\":{\"alt-speed-time-enabled\":true,"
                  "\"alt-speed-time-begin\":1380,\"alt-speed-time-end\":360,\"alt-speed-time-day\":65}}", NULL);
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  session = ask (f, "{\"method\":\"session-get\"}", NULL);
  args = json_object_get_object_member (session, "arguments");
  g_assert_true (json_object_get_boolean_member (args, "alt-speed-time-enabled"));
  g_assert_cmpint (json_object_get_int_member (args, "alt-speed-time-begin"), ==, 1380);
  g_assert_cmpint (json_object_get_int_member (args, "alt-speed-time-end"), ==, 360);
  g_assert_cmpint (json_object_get_int_member (args, "alt-speed-time-day"), ==, TSR_ALT_SPEED_WEEKENDS);

  /* Out of range: refused whole, nothing else in the request applied. */
  for (i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *request = g_strdup_printf ("{\"method\":\"session-set\",\"arguments\":%s}", invalid[i]);
      g_autofree char *with_other = NULL;
      g_autoptr(JsonObject) refused = ask (f, request, NULL);

      g_assert_cmpstr (json_object_get_string_member (refused, "result"), !=, "success");
      g_clear_pointer (&refused, json_object_unref);
      with_other = g_strdup_printf ("{\"method\":\"session-set\",\"arguments\":{\"alt-speed-up\":7,%s",
                                    invalid[i] + 1);
      refused = ask (f, with_other, NULL);
      g_assert_cmpstr (json_object_get_string_member (refused, "result"), !=, "success");
    }
  g_assert_cmpuint (f->settings->alt_speed_up, !=, 7);
  g_assert_cmpuint (f->settings->alt_speed_time_begin, ==, 1380);
  g_assert_cmpuint (f->settings->alt_speed_time_end, ==, 360);
  g_assert_cmpuint (f->settings->alt_speed_time_day, ==, TSR_ALT_SPEED_WEEKENDS);

  /* The daemon's key file keeps it. */
  tsr_rpc_settings_save (f->settings, keyfile);
  tsr_rpc_settings_load (loaded, keyfile);
  tsr_rpc_settings_get_schedule (loaded, &schedule);
  g_assert_true (schedule.enabled);
  g_assert_cmpuint (schedule.begin, ==, 1380);
  g_assert_cmpuint (schedule.end, ==, 360);
  g_assert_cmpuint (schedule.days, ==, TSR_ALT_SPEED_WEEKENDS);
}

typedef struct
{
  GDateTime *now;
  int        applied[8];
  guint      n_applied;
} FakeClock;

static GDateTime *
fake_now (gpointer user_data)
{
  FakeClock *clock = user_data;

  return g_date_time_ref (clock->now);
}

static void
fake_apply (gboolean on,
            gpointer user_data)
{
  FakeClock *clock = user_data;

  g_assert_cmpuint (clock->n_applied, <, G_N_ELEMENTS (clock->applied));
  clock->applied[clock->n_applied++] = on;
}

static void
fake_set (FakeClock  *clock,
          const char *iso)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  g_clear_pointer (&clock->now, g_date_time_unref);
  clock->now = g_date_time_new_from_iso8601 (iso, utc);
  g_assert_nonnull (clock->now);
}

/* The daemon's follower: the state at once, then only at edges, a toggle
 * by hand between them kept; a schedule turned off stops it. */
static void
test_alt_speed_timer (void)
{
  FakeClock clock = { 0 };
  g_autoptr(TsrAltSpeedTimer) timer = tsr_alt_speed_timer_new (fake_now, &clock, fake_apply, &clock);
  TsrAltSpeedSchedule night = { TRUE, 23 * 60, 6 * 60, TSR_ALT_SPEED_EVERY_DAY };
  TsrAltSpeedSchedule off = { FALSE, 0, 0, 0 };
  TsrAltSpeedSchedule other_off = { FALSE, 5, 6, 7 };
  g_autoptr(GDateTime) edge = NULL;
  g_autofree char *text = NULL;

  /* 2026-12-07 is a Monday. */
  fake_set (&clock, "2026-12-07T22:30:00Z");
  tsr_alt_speed_timer_set_schedule (timer, &night);
  g_assert_cmpuint (clock.n_applied, ==, 1);
  g_assert_cmpint (clock.applied[0], ==, FALSE);
  edge = tsr_alt_speed_schedule_next_edge (&night, clock.now);
  text = g_date_time_format_iso8601 (edge);
  g_assert_cmpstr (text, ==, "2026-12-07T23:00:00Z");
  g_clear_pointer (&edge, g_date_time_unref);
  g_clear_pointer (&text, g_free);

  /* Nothing new before the edge. */
  fake_set (&clock, "2026-12-07T22:59:00Z");
  tsr_alt_speed_timer_check (timer);
  g_assert_cmpuint (clock.n_applied, ==, 1);
  fake_set (&clock, "2026-12-07T23:00:30Z");
  tsr_alt_speed_timer_check (timer);
  g_assert_cmpuint (clock.n_applied, ==, 2);
  g_assert_cmpint (clock.applied[1], ==, TRUE);
  /* Past midnight, still on: no call; off at six. */
  fake_set (&clock, "2026-12-08T03:00:00Z");
  tsr_alt_speed_timer_check (timer);
  g_assert_cmpuint (clock.n_applied, ==, 2);
  edge = tsr_alt_speed_schedule_next_edge (&night, clock.now);
  text = g_date_time_format_iso8601 (edge);
  g_assert_cmpstr (text, ==, "2026-12-08T06:00:00Z");
  fake_set (&clock, "2026-12-08T06:00:01Z");
  tsr_alt_speed_timer_check (timer);
  g_assert_cmpuint (clock.n_applied, ==, 3);
  g_assert_cmpint (clock.applied[2], ==, FALSE);

  /* The same schedule again is no change; disabled ones are all equal. */
  g_assert_true (tsr_alt_speed_schedule_equal (&night, tsr_alt_speed_timer_get_schedule (timer)));
  g_assert_true (tsr_alt_speed_schedule_equal (&off, &other_off));
  g_assert_false (tsr_alt_speed_schedule_equal (&off, &night));
  tsr_alt_speed_timer_set_schedule (timer, &off);
  fake_set (&clock, "2026-12-08T23:30:00Z");
  tsr_alt_speed_timer_check (timer);
  g_assert_cmpuint (clock.n_applied, ==, 3);
  g_date_time_unref (clock.now);
}

/* json-glib cuts a string at \u0000 without a word: torrent-rename-path
 * finds the escape in the request's text instead. */
static void
test_escaped_nul (void)
{
  static const struct { const char *json; gboolean nul; } cases[] = {
    { "{\"name\":\"x\\u0000/../y\"}", TRUE },
    { "{\"name\":\"\\u0000\"}", TRUE },
    { "{\"name\":\"x\\\\u0000\"}", FALSE },         /* an escaped backslash, then text */
    { "{\"name\":\"x\\\"\\u0000\"}", TRUE },         /* after an escaped quote */
    { "{\"name\":\"x\\u00001\"}", TRUE },
    { "{\"name\":\"x\\u0001\"}", FALSE },
    { "{\"u0000\":1}", FALSE },
    { "{\"name\":\"x\\u000", FALSE },                /* cut short */
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (tsr_rpc_json_has_escaped_nul (cases[i].json, strlen (cases[i].json)), ==, cases[i].nul);
}

/* @text parsed as the one element of an array: "[" text "]". */
static JsonNode *
parse_value (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *array = g_strdup_printf ("[%s]", text);
  g_autoptr(GError) error = NULL;
  JsonArray *elements;

  json_parser_load_from_data (parser, array, -1, &error);
  g_assert_no_error (error);
  elements = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (elements), ==, 1);
  return json_node_copy (json_array_get_element (elements, 0));
}

static void
test_json_strings (void)
{
  static const char * const strings[] = {
    "", "plain", "q\"uote", "back\\slash", "\\\"", "slash/", "ctl\b\f\n\r\t", "\x01\x02\x1f\x7f",
    "caf\xc3\xa9 \xe6\xbc\xa2 \xf0\x9f\x98\x80",       /* é, a CJK character, an emoji */
    "bad\xff\xfe" "end", "cut \xc3", "\xc3\x28", "overlong \xc0\xaf", "surrogate \xed\xa0\x80",
    "\xf4\x90\x80\x80 above U+10FFFF", "\xe6\xbc\xa2\xe6\xbc",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(JsonNode) node = NULL;
      /* Invalid bytes are each one U+FFFD, as g_utf8_make_valid has them. */
      g_autofree char *expected = g_utf8_make_valid (strings[i], -1);
      TsrRpcJson writer;
      gsize j;

      tsr_rpc_json_init (&writer, text);
      tsr_rpc_json_string (&writer, strings[i]);
      /* RFC 8259: valid UTF-8, no control character left raw. */
      g_assert_true (g_utf8_validate (text->str, text->len, NULL));
      for (j = 0; j < text->len; j++)
        g_assert_cmpint ((guchar) text->str[j], >=, 0x20);
      node = parse_value (text->str);
      g_assert_cmpstr (json_node_get_string (node), ==, expected);
    }
}

static void
test_json_numbers (void)
{
  static const gint64 ints[] = { 0, 1, -1, 9, 10, -10, 1234567890123, G_MAXINT64, G_MININT64 };
  static const gdouble doubles[] = { 0, 1, -1, -2, 0.5, 1.0 / 3, 0.1, 1e-7, 123456789012.0, 999999999999999.0,
                                     1e15, 1e20, -1e16, 2.5e300, 5e-324 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(JsonNode) node = NULL;
      TsrRpcJson writer;

      tsr_rpc_json_init (&writer, text);
      tsr_rpc_json_int (&writer, ints[i]);
      node = parse_value (text->str);
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (node), ==, ints[i]);
    }
  for (i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) theirs = json_node_new (JSON_NODE_VALUE);
      g_autofree char *generated = NULL;
      TsrRpcJson writer;

      tsr_rpc_json_init (&writer, text);
      tsr_rpc_json_double (&writer, doubles[i]);
      node = parse_value (text->str);
      /* A double stays a double ("1.0", not "1"), and exactly itself. */
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_DOUBLE);
      g_assert_cmpfloat (json_node_get_double (node), ==, doubles[i]);
      /* The text json-glib wrote before, where that was JSON at all
       * (json-glib 1.6 wrote "1e+20.0"). */
      json_node_set_double (theirs, doubles[i]);
      generated = json_to_string (theirs, FALSE);
      if (strchr (generated, 'e') == NULL)
        g_assert_cmpstr (text->str, ==, generated);
    }
}

/* NaN and the infinities are not JSON: a plain double says null, a ratio
 * what Transmission says (TR_RATIO_NA -1, TR_RATIO_INF -2). */
static void
test_json_special_doubles (void)
{
  static const struct { gdouble value; const char *plain; const char *ratio; } cases[] = {
    { NAN, "null", "-1.0" }, { INFINITY, "null", "-2.0" }, { -INFINITY, "null", "-2.0" },
    { 0, "0.0", "0.0" }, { -1, "-1.0", "-1.0" }, { 1.5, "1.5", "1.5" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) plain = g_string_new (NULL);
      g_autoptr(GString) ratio = g_string_new (NULL);
      TsrRpcJson writer;

      tsr_rpc_json_init (&writer, plain);
      tsr_rpc_json_double (&writer, cases[i].value);
      g_assert_cmpstr (plain->str, ==, cases[i].plain);
      tsr_rpc_json_init (&writer, ratio);
      tsr_rpc_json_ratio (&writer, cases[i].value);
      g_assert_cmpstr (ratio->str, ==, cases[i].ratio);
    }
}

/* Nesting, commas and member names, against the same built by json-glib. */
static void
test_json_structure (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) expected = NULL;
  TsrRpcJson writer;

  tsr_rpc_json_init (&writer, text);
  tsr_rpc_json_begin_object (&writer);
  tsr_rpc_json_member (&writer, "a\"b");
  tsr_rpc_json_begin_array (&writer);
  tsr_rpc_json_end_array (&writer);
  tsr_rpc_json_member_raw (&writer, "\"c\":", 4);
  tsr_rpc_json_begin_array (&writer);
  tsr_rpc_json_int (&writer, 1);
  tsr_rpc_json_begin_object (&writer);
  tsr_rpc_json_end_object (&writer);
  tsr_rpc_json_bool (&writer, TRUE);
  tsr_rpc_json_bool (&writer, FALSE);
  tsr_rpc_json_string (&writer, NULL);
  tsr_rpc_json_begin_array (&writer);
  tsr_rpc_json_double (&writer, 0.25);
  tsr_rpc_json_end_array (&writer);
  tsr_rpc_json_end_array (&writer);
  tsr_rpc_json_member (&writer, "d");
  tsr_rpc_json_string (&writer, "e");
  tsr_rpc_json_end_object (&writer);
  g_assert_cmpstr (text->str, ==, "{\"a\\\"b\":[],\"c\":[1,{},true,false,null,[0.25]],\"d\":\"e\"}");
  node = parse_value (text->str);
  expected = parse_value ("{\"a\\\"b\":[],\"c\":[1,{},true,false,null,[0.25]],\"d\":\"e\"}");
  g_assert_true (json_node_equal (node, expected));
}

/* The fields transmission-remote -l asks, with their JSON types. */
static const struct { const char *name; GType type; } list_fields[] = {
  { "error", G_TYPE_INT64 }, { "errorString", G_TYPE_STRING }, { "eta", G_TYPE_INT64 }, { "id", G_TYPE_INT64 },
  { "isFinished", G_TYPE_BOOLEAN }, { "leftUntilDone", G_TYPE_INT64 }, { "name", G_TYPE_STRING },
  { "peersGettingFromUs", G_TYPE_INT64 }, { "peersSendingToUs", G_TYPE_INT64 }, { "rateDownload", G_TYPE_INT64 },
  { "rateUpload", G_TYPE_INT64 }, { "sizeWhenDone", G_TYPE_INT64 }, { "status", G_TYPE_INT64 },
  { "uploadRatio", G_TYPE_DOUBLE },
};

/* torrent-get through the whole handler: every field of -l, in objects
 * and in a table, for a name that needs escaping everywhere; both say the
 * same, and the envelope is what json-glib's replies have. */
static void
test_torrent_get_formats (Fixture       *f,
                          gconstpointer  data)
{
  /* A quote, a backslash, control characters, DEL, é, an emoji and an
   * invalid byte, which the magnet's name already makes U+FFFD. */
  static const char dn[] = "q%22b%5Cs%01%1F%7F%0A%09caf%C3%A9%20%F0%9F%98%80%FF";
  static const char name[] = "q\"b\\s\x01\x1f\x7f\n\tcaf\xc3\xa9 \xf0\x9f\x98\x80\xef\xbf\xbd";
  g_autoptr(GString) fields = g_string_new (NULL);
  g_autofree char *add = NULL;
  g_autofree char *object_request = NULL;
  g_autofree char *table_request = NULL;
  g_autoptr(JsonObject) added = NULL;
  g_autoptr(JsonObject) object_reply = NULL;
  g_autoptr(JsonObject) table_reply = NULL;
  g_autoptr(JsonObject) failed = NULL;
  JsonArray *objects, *rows, *header;
  guint status = 0;
  gsize i, j;

  add = g_strdup_printf ("{\"method\":\"torrent-add\",\"arguments\":{\"paused\":true,\"filename\":"
                         "\"magnet:?xt=urn:btih:0505050505050505050505050505050505050505&dn=%s\"}}", dn);
  added = ask (f, add, NULL);
  g_assert_cmpstr (json_object_get_string_member (added, "result"), ==, "success");
  add_magnet (f, "0606060606060606060606060606060606060606");
  for (i = 0; i < G_N_ELEMENTS (list_fields); i++)
    g_string_append_printf (fields, "%s\"%s\"", i > 0 ? "," : "", list_fields[i].name);
  object_request = g_strdup_printf ("{\"method\":\"torrent-get\",\"tag\":9,\"arguments\":{\"fields\":[%s]}}",
                                    fields->str);
  table_request = g_strdup_printf ("{\"method\":\"torrent-get\",\"arguments\":{\"format\":\"table\",\"fields\":[%s]}}",
                                   fields->str);
  object_reply = ask (f, object_request, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object_reply, "result"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (object_reply, "tag"), ==, 9);
  g_assert_cmpuint (json_object_get_size (object_reply), ==, 3);
  table_reply = ask (f, table_request, NULL);
  g_assert_false (json_object_has_member (table_reply, "tag"));
  objects = json_object_get_array_member (json_object_get_object_member (object_reply, "arguments"), "torrents");
  rows = json_object_get_array_member (json_object_get_object_member (table_reply, "arguments"), "torrents");
  g_assert_cmpuint (json_array_get_length (objects), ==, 2);
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  header = json_array_get_array_element (rows, 0);
  g_assert_cmpuint (json_array_get_length (header), ==, G_N_ELEMENTS (list_fields));
  for (i = 0; i < json_array_get_length (objects); i++)
    {
      JsonObject *torrent = json_array_get_object_element (objects, i);
      JsonArray *row = json_array_get_array_element (rows, i + 1);

      g_assert_cmpuint (json_object_get_size (torrent), ==, G_N_ELEMENTS (list_fields));
      g_assert_cmpuint (json_array_get_length (row), ==, G_N_ELEMENTS (list_fields));
      for (j = 0; j < G_N_ELEMENTS (list_fields); j++)
        {
          JsonNode *member = json_object_get_member (torrent, list_fields[j].name);

          g_assert_cmpstr (json_array_get_string_element (header, j), ==, list_fields[j].name);
          g_assert_nonnull (member);
          g_assert_true (JSON_NODE_HOLDS_VALUE (member));
          g_assert_cmpint (json_node_get_value_type (member), ==, list_fields[j].type);
          g_assert_true (json_node_equal (member, json_array_get_element (row, j)));
        }
    }
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (objects, 0), "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (objects, 0), "name"), ==, name);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (objects, 1), "id"), ==, 2);
  /* Without metainfo there is no ratio to give (TR_RATIO_NA). */
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (objects, 0), "uploadRatio"), ==, -1);

  /* A failure keeps the envelope: empty arguments, the reason, the tag. */
  failed = ask (f, "{\"method\":\"torrent-get\",\"tag\":3,\"arguments\":{\"fields\":\"id\"}}", NULL);
  g_assert_cmpstr (json_object_get_string_member (failed, "result"), ==, "no fields specified");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (failed, "arguments")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (failed, "tag"), ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/rpc/paths", Fixture, NULL, fixture_set_up, test_paths, fixture_tear_down);
  g_test_add ("/rpc/ids-stable", Fixture, NULL, fixture_set_up, test_ids_stable, fixture_tear_down);
  g_test_add ("/rpc/blocklist", Fixture, NULL, fixture_set_up, test_blocklist, fixture_tear_down);
  g_test_add ("/rpc/envelope", Fixture, NULL, fixture_set_up, test_envelope, fixture_tear_down);
  g_test_add_func ("/rpc/escaped-nul", test_escaped_nul);
  g_test_add ("/rpc/alt-speed/schedule", Fixture, NULL, fixture_set_up, test_alt_speed_schedule, fixture_tear_down);
  g_test_add_func ("/rpc/alt-speed/timer", test_alt_speed_timer);
  g_test_add_func ("/rpc/json/strings", test_json_strings);
  g_test_add_func ("/rpc/json/numbers", test_json_numbers);
  g_test_add_func ("/rpc/json/special-doubles", test_json_special_doubles);
  g_test_add_func ("/rpc/json/structure", test_json_structure);
  g_test_add ("/rpc/torrent-get/formats", Fixture, NULL, fixture_set_up, test_torrent_get_formats, fixture_tear_down);
  return g_test_run ();
}
