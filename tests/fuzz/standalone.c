/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * standalone.c: replays files or folders of inputs through a libFuzzer
 * entry point, for builds without libFuzzer (gcc). Used as a corpus
 * regression test.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
run_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  guint count = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      const char *name;

      if (dir == NULL)
        g_error ("%s", error->message);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          count += run_path (child);
        }
      return count;
    }
  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return 1;
}

int
main (int argc, char **argv)
{
  guint count = 0;
  int i;

  for (i = 1; i < argc; i++)
    count += run_path (argv[i]);
  if (count == 0)
    {
      g_printerr ("no inputs found in the given corpus paths\n");
      return 1;
    }
  g_print ("ran %u inputs\n", count);
  return 0;
}
