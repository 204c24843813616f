/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-path.c: the path sanitizer against hostile components, one table
 * row per rule, and the lexical containment check.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-path.h"

static void
test_sanitize_table (void)
{
  static const struct
  {
    const char *input;
    gssize length;          /* -1: strlen */
    const char *expected;   /* NULL: dropped */
    gboolean changed;
  } cases[] = {
    { "file.txt", -1, "file.txt", FALSE },
    { "naïve café.txt", -1, "naïve café.txt", FALSE },
    { "日本語.bin", -1, "日本語.bin", FALSE },
    { ".hidden", -1, ".hidden", FALSE },
    { "", -1, NULL, TRUE },
    { ".", -1, NULL, TRUE },
    { "..", -1, NULL, TRUE },
    { "...", -1, "___", TRUE },
    { "a/b", -1, "a_b", TRUE },
    { "../etc", -1, ".._etc", TRUE },
    { "/etc/passwd", -1, "_etc_passwd", TRUE },
    { "a\\b", -1, "a_b", TRUE },
    { "..\\..\\windows", -1, ".._.._windows", TRUE },
    { "C:", -1, "C_", TRUE },
    { "c:evil", -1, "c_evil", TRUE },
    { "tab\there", -1, "tab_here", TRUE },
    { "bell\x07", -1, "bell_", TRUE },
    { "del\x7f", -1, "del_", TRUE },
    { "nul\0byte", 8, "nul\xef\xbf\xbd" "byte", TRUE },
    { "trailing.", -1, "trailing_", TRUE },
    { "trailing ", -1, "trailing_", TRUE },
    { "dots. .", -1, "dots___", TRUE },
    { " leading", -1, " leading", FALSE },
    { "CON", -1, "_CON", TRUE },
    { "con.txt", -1, "_con.txt", TRUE },
    { "Nul", -1, "_Nul", TRUE },
    { "COM1", -1, "_COM1", TRUE },
    { "lpt9.log", -1, "_lpt9.log", TRUE },
    { "COM0", -1, "COM0", FALSE },
    { "CONSOLE", -1, "CONSOLE", FALSE },
    { "caf\xe9", -1, "café", TRUE },             /* Windows-1252 */
    { "\x93quoted\x94", -1, "“quoted”", TRUE },
    { "csi\xc2\x9b" "31m", -1, "csi_31m", TRUE },      /* C1 control U+009B */
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = cases[i].length < 0 ? strlen (cases[i].input) : (gsize) cases[i].length;
      gboolean changed = !cases[i].changed;
      g_autofree char *result = tsr_path_sanitize_component (cases[i].input, length, &changed);

      g_test_message ("case %u", i);
      g_assert_cmpstr (result, ==, cases[i].expected);
      g_assert_cmpint (changed, ==, cases[i].changed);
      if (result != NULL)
        {
          g_assert_true (g_utf8_validate (result, -1, NULL));
          g_assert_true (tsr_path_component_is_safe (result));
        }
    }
}

static void
test_long_component (void)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *result = NULL;
  g_autofree char *no_extension = NULL;
  g_autoptr(GString) accents = g_string_new (NULL);
  g_autofree char *cut = NULL;
  guint i;

  for (i = 0; i < 300; i++)
    g_string_append_c (name, 'a');
  g_string_append (name, ".mkv");
  result = tsr_path_sanitize_component (name->str, name->len, NULL);
  g_assert_cmpuint (strlen (result), ==, TSR_PATH_COMPONENT_MAX);
  g_assert_true (g_str_has_suffix (result, "a.mkv"));

  g_string_truncate (name, 300);
  no_extension = tsr_path_sanitize_component (name->str, name->len, NULL);
  g_assert_cmpuint (strlen (no_extension), ==, TSR_PATH_COMPONENT_MAX);

  /* Two-byte characters: the cut never splits one. */
  for (i = 0; i < 200; i++)
    g_string_append (accents, "é");
  cut = tsr_path_sanitize_component (accents->str, accents->len, NULL);
  g_assert_true (g_utf8_validate (cut, -1, NULL));
  g_assert_cmpuint (strlen (cut), <=, TSR_PATH_COMPONENT_MAX);
  g_assert_cmpuint (strlen (cut), ==, 254);
}

static void
test_invalid_utf8_fallback (void)
{
  /* 0x81 is undefined in Windows-1252: falls back to U+FFFD. */
  g_autofree char *result = tsr_path_sanitize_component ("a\x81" "b", 3, NULL);

  g_assert_true (g_utf8_validate (result, -1, NULL));
  g_assert_cmpstr (result, ==, "a\xef\xbf\xbd" "b");
}

static void
test_display (void)
{
  g_autofree char *plain = tsr_path_to_display ("../a/b", 6);
  g_autofree char *latin = tsr_path_to_display ("caf\xe9", 4);
  g_autofree char *empty = tsr_path_to_display ("", 0);

  /* Display keeps everything but fixes the encoding. */
  g_assert_cmpstr (plain, ==, "../a/b");
  g_assert_cmpstr (latin, ==, "café");
  g_assert_cmpstr (empty, ==, "");
}

static void
test_is_inside (void)
{
  g_assert_true (tsr_path_is_inside ("/home/u/Downloads", "name/a.txt"));
  g_assert_true (tsr_path_is_inside ("/home/u/Downloads", "a..b/c"));
  g_assert_false (tsr_path_is_inside ("/home/u/Downloads", "../x"));
  g_assert_false (tsr_path_is_inside ("/home/u/Downloads", "a/../../x"));
  g_assert_false (tsr_path_is_inside ("/home/u/Downloads", "/etc/passwd"));
  g_assert_false (tsr_path_is_inside ("/home/u/Downloads", "a//b"));
  g_assert_false (tsr_path_is_inside ("/home/u/Downloads", "a/./b"));
  g_assert_false (tsr_path_is_inside ("/home/u/Downloads", "a\\..\\b"));
  g_assert_false (tsr_path_is_inside ("/home/u/Downloads", ""));
  g_assert_false (tsr_path_is_inside ("relative", "a"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/path/sanitize/table", test_sanitize_table);
  g_test_add_func ("/path/sanitize/long-component", test_long_component);
  g_test_add_func ("/path/sanitize/invalid-utf8-fallback", test_invalid_utf8_fallback);
  g_test_add_func ("/path/display", test_display);
  g_test_add_func ("/path/is-inside", test_is_inside);

  return g_test_run ();
}
