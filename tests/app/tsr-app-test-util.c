/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-app-test-util.c: what several app tests need of GTK (see
 * tsr-app-test-util.h).
 */
#include "config.h"

#include "tsr-app-test-util.h"

GtkWidget *
tsr_app_test_find_widget (GtkWidget  *widget,
                          const char *id)
{
  GtkWidget *child;

  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tsr_app_test_find_widget (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}
