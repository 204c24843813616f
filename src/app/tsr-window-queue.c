/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window-queue.c: the queue in the main window: the "#" column (a
 * torrent's queue position, counted from 1 for people; the engine's is
 * 0-based), and Move to Top, Up, Down and Bottom for the selected
 * torrents, as actions that the torrent menu and keys on the list
 * (Ctrl+Alt+Up/Down, with Shift: to the top or bottom) share. The
 * positions are the session's (tsr_session_move_in_queue); the library
 * keeps them across restarts.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include "tsr-torrent-columns.h"
#include "tsr-window-private.h"

static int
compare_positions (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  TsrSession *session = user_data;
  guint left = tsr_session_get_queue_position (session, *(TsrTorrent **) a);
  guint right = tsr_session_get_queue_position (session, *(TsrTorrent **) b);

  return left < right ? -1 : left > right;
}

/* Moves the selected torrents as a block, each keeping its place among
 * the others: up and top go from the first by position, down and bottom
 * from the last; one that is stopped by the end or by a selected
 * neighbour already there stays, and so do those behind it. */
static void
move_selected (TsrWindow    *self,
               TsrQueueMove  move)
{
  TsrSession *session = tsr_library_get_session (self->library);
  g_autoptr(GPtrArray) selected = _tsr_window_dup_selected (self);
  guint n_torrents = g_list_model_get_n_items (tsr_library_get_torrents (self->library));
  gboolean forward = move == TSR_QUEUE_MOVE_UP || move == TSR_QUEUE_MOVE_BOTTOM;
  guint blocked = 0;   /* how many selected sit at the end they move to */
  guint i;

  g_ptr_array_sort_with_data (selected, compare_positions, session);
  for (i = 0; i < selected->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (selected, forward ? i : selected->len - 1 - i);
      guint position = tsr_session_get_queue_position (session, torrent);

      switch (move)
        {
        case TSR_QUEUE_MOVE_UP:
          if (position == blocked)
            blocked++;
          else
            tsr_session_move_in_queue (session, torrent, move);
          break;
        case TSR_QUEUE_MOVE_DOWN:
          if (position == n_torrents - 1 - blocked)
            blocked++;
          else
            tsr_session_move_in_queue (session, torrent, move);
          break;
        case TSR_QUEUE_MOVE_TOP:
        case TSR_QUEUE_MOVE_BOTTOM:
        default:
          /* From the last for the top, the first for the bottom: the
           * block ends up in its own order. */
          tsr_session_move_in_queue (session, torrent, move);
          break;
        }
    }
}

static void
queue_top_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  move_selected (user_data, TSR_QUEUE_MOVE_TOP);
}

static void
queue_up_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  move_selected (user_data, TSR_QUEUE_MOVE_UP);
}

static void
queue_down_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  move_selected (user_data, TSR_QUEUE_MOVE_DOWN);
}

static void
queue_bottom_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  move_selected (user_data, TSR_QUEUE_MOVE_BOTTOM);
}

static const GActionEntry queue_actions[] = {
  { "queue-top", queue_top_action },
  { "queue-up", queue_up_action },
  { "queue-down", queue_down_action },
  { "queue-bottom", queue_bottom_action },
};

static void
add_key (GtkShortcutController *shortcuts,
         guint                  key,
         GdkModifierType        modifiers,
         const char            *action)
{
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (key, modifiers),
                                                          gtk_named_action_new (action)));
}

void
_tsr_window_queue_init (TsrWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);
  GdkModifierType ctrl_alt = GDK_CONTROL_MASK | GDK_ALT_MASK;

  g_action_map_add_action_entries (G_ACTION_MAP (self), queue_actions, G_N_ELEMENTS (queue_actions), self);
  tsr_torrent_columns_insert_queue (self->column_view, 0, tsr_library_get_session (self->library));

  /* On the list only, like Delete: the shortcuts test lists "tsr-" controllers. */
  gtk_event_controller_set_name (controller, "tsr-queue-shortcuts");
  add_key (shortcuts, GDK_KEY_Up, ctrl_alt, "win.queue-up");
  add_key (shortcuts, GDK_KEY_Down, ctrl_alt, "win.queue-down");
  add_key (shortcuts, GDK_KEY_Up, ctrl_alt | GDK_SHIFT_MASK, "win.queue-top");
  add_key (shortcuts, GDK_KEY_Down, ctrl_alt | GDK_SHIFT_MASK, "win.queue-bottom");
  gtk_widget_add_controller (GTK_WIDGET (self->list_stack), controller);
}
