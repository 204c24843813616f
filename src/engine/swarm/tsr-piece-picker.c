/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-piece-picker.c: rarest-first over availability buckets.
 *
 * The pieces sit in one array ordered by availability; start[a] is where
 * the pieces that a peers have begin. A peer's "have" moves a piece from
 * bucket a to a + 1 by swapping it with the last piece of its bucket and
 * moving the boundary: O(1) per have, O(pieces) per bitfield, and a pick
 * walks the buckets from the rarest, from a random point in each, until a
 * piece the peer has turns up.
 *
 * An idle torrent keeps none of it: the availability arrays exist only
 * while some peer has some piece (made at the first, dropped when the
 * last leaves), and the per-piece flags and priorities only once one
 * differs from the default (nothing had, normal priority).
 */
#define G_LOG_DOMAIN "tsr-piece-picker"

#include "config.h"

#include <string.h>

#include "tsr-piece-picker.h"

enum
{
  FLAG_HAVE        = 1 << 0,
  FLAG_IN_PROGRESS = 1 << 1,
};

struct _TsrPiecePicker
{
  guint    n_pieces;
  /* (nullable) one block, NULL while no peer has any piece: */
  guint   *availability;  /* (owned) piece → peers that have it */
  guint   *order;         /* position → piece, by availability */
  guint   *position;      /* piece → position */
  GArray  *start;         /* (owned) (nullable) (element-type guint) availability → first position;
                           * last = n_pieces */
  /* (nullable) one block, NULL while every piece is missing and normal: */
  guint8  *flags;         /* (owned) */
  guint8  *priority;
  guint    n_have;
  guint    n_wanted;      /* not had, not skipped */
  guint    n_high;        /* not had, high */
  gboolean sequential;
  gboolean first_last;    /* each wanted file's first and last pieces high */
};

TsrPiecePicker *
tsr_piece_picker_new (guint n_pieces)
{
  TsrPiecePicker *self = g_new0 (TsrPiecePicker, 1);

  self->n_pieces = n_pieces;
  self->n_wanted = n_pieces;
  return self;
}

static void
drop_availability (TsrPiecePicker *self)
{
  g_clear_pointer (&self->availability, g_free);
  self->order = self->position = NULL;
  g_clear_pointer (&self->start, g_array_unref);
}

void
tsr_piece_picker_free (TsrPiecePicker *self)
{
  if (self == NULL)
    return;
  drop_availability (self);
  g_free (self->flags);
  g_free (self);
}

/* Every piece in bucket 0, in order: what a NULL block stands for. */
static void
ensure_availability (TsrPiecePicker *self)
{
  guint zero = 0;
  guint i;

  if (self->availability != NULL)
    return;
  self->availability = g_new0 (guint, 3 * (gsize) MAX (self->n_pieces, 1));
  self->order = self->availability + self->n_pieces;
  self->position = self->order + self->n_pieces;
  for (i = 0; i < self->n_pieces; i++)
    self->order[i] = self->position[i] = i;
  self->start = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (self->start, zero);
  g_array_append_val (self->start, self->n_pieces);
}

static void
ensure_states (TsrPiecePicker *self)
{
  if (self->flags != NULL)
    return;
  self->flags = g_malloc0 (2 * (gsize) MAX (self->n_pieces, 1));
  self->priority = self->flags + self->n_pieces;
  memset (self->priority, TSR_PRIORITY_NORMAL, self->n_pieces);
}

static inline guint8
flags_of (TsrPiecePicker *self,
          guint           piece)
{
  return self->flags != NULL ? self->flags[piece] : 0;
}

static inline guint8
priority_of (TsrPiecePicker *self,
             guint           piece)
{
  return self->flags != NULL ? self->priority[piece] : TSR_PRIORITY_NORMAL;
}

gsize
tsr_piece_picker_get_memory (TsrPiecePicker *self)
{
  gsize bytes = 0;

  if (self->availability != NULL)
    bytes += 3 * (gsize) MAX (self->n_pieces, 1) * sizeof (guint) + self->start->len * sizeof (guint);
  if (self->flags != NULL)
    bytes += 2 * (gsize) MAX (self->n_pieces, 1);
  return bytes;
}

#define START(a) g_array_index (self->start, guint, (a))

static void
swap (TsrPiecePicker *self,
      guint           a,
      guint           b)
{
  guint piece_a = self->order[a];
  guint piece_b = self->order[b];

  self->order[a] = piece_b;
  self->order[b] = piece_a;
  self->position[piece_b] = a;
  self->position[piece_a] = b;
}

static void
increment (TsrPiecePicker *self,
           guint           piece)
{
  guint a;
  guint last;

  ensure_availability (self);
  a = self->availability[piece];
  while (self->start->len < a + 3)
    g_array_append_val (self->start, self->n_pieces);
  last = START (a + 1) - 1;
  swap (self, self->position[piece], last);
  START (a + 1)--;
  self->availability[piece]++;
}

static void
decrement (TsrPiecePicker *self,
           guint           piece)
{
  guint a = self->availability[piece];

  g_return_if_fail (a > 0);
  swap (self, self->position[piece], START (a));
  START (a)++;
  self->availability[piece]--;
}

void
tsr_piece_picker_add_bitfield (TsrPiecePicker    *self,
                               const TsrBitfield *have)
{
  guint i;

  g_return_if_fail (tsr_bitfield_get_size (have) == self->n_pieces);
  for (i = 0; i < self->n_pieces; i++)
    if (tsr_bitfield_get (have, i))
      increment (self, i);
}

void
tsr_piece_picker_remove_bitfield (TsrPiecePicker    *self,
                                  const TsrBitfield *have)
{
  guint i;

  g_return_if_fail (tsr_bitfield_get_size (have) == self->n_pieces);
  if (self->availability == NULL)
    return;
  for (i = 0; i < self->n_pieces; i++)
    if (tsr_bitfield_get (have, i))
      decrement (self, i);
  /* The last peer with any piece left: back to nothing. */
  if (START (1) == self->n_pieces)
    drop_availability (self);
}

void
tsr_piece_picker_add_have (TsrPiecePicker *self,
                           guint           index)
{
  g_return_if_fail (index < self->n_pieces);
  increment (self, index);
}

guint
tsr_piece_picker_get_availability (TsrPiecePicker *self,
                                   guint           index)
{
  g_return_val_if_fail (index < self->n_pieces, 0);
  return self->availability != NULL ? self->availability[index] : 0;
}

static void
count (TsrPiecePicker *self,
       guint           index,
       int             sign)
{
  if (flags_of (self, index) & FLAG_HAVE)
    return;
  if (priority_of (self, index) != TSR_PRIORITY_SKIP)
    self->n_wanted += sign;
  if (priority_of (self, index) == TSR_PRIORITY_HIGH)
    self->n_high += sign;
}

void
tsr_piece_picker_set_have (TsrPiecePicker *self,
                           guint           index,
                           gboolean        have)
{
  g_return_if_fail (index < self->n_pieces);
  if (!!(flags_of (self, index) & FLAG_HAVE) == !!have)
    return;
  ensure_states (self);
  if (have)
    {
      count (self, index, -1);
      self->flags[index] |= FLAG_HAVE;
      self->n_have++;
    }
  else
    {
      self->flags[index] &= ~FLAG_HAVE;
      self->n_have--;
      count (self, index, +1);
    }
}

void
tsr_piece_picker_set_in_progress (TsrPiecePicker *self,
                                  guint           index,
                                  gboolean        in_progress)
{
  g_return_if_fail (index < self->n_pieces);
  if (in_progress)
    {
      ensure_states (self);
      self->flags[index] |= FLAG_IN_PROGRESS;
    }
  else if (self->flags != NULL)
    self->flags[index] &= ~FLAG_IN_PROGRESS;
}

void
tsr_piece_picker_set_priority (TsrPiecePicker *self,
                               guint           index,
                               TsrPriority     priority)
{
  g_return_if_fail (index < self->n_pieces);
  if (priority_of (self, index) == priority)
    return;
  ensure_states (self);
  count (self, index, -1);
  self->priority[index] = (guint8) priority;
  count (self, index, +1);
}

TsrPriority
tsr_piece_picker_get_priority (TsrPiecePicker *self,
                               guint           index)
{
  g_return_val_if_fail (index < self->n_pieces, TSR_PRIORITY_SKIP);
  return (TsrPriority) priority_of (self, index);
}

void
tsr_piece_picker_set_file_priorities (TsrPiecePicker    *self,
                                      const TsrMetainfo *info,
                                      const guint8      *file_priority)
{
  g_autofree guint8 *pieces = g_malloc0 (MAX (info->piece_count, 1));
  guint i, j;

  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      guint first, last;

      if ((file->attr & TSR_FILE_ATTR_PAD) || file->length == 0 || info->piece_length == 0)
        continue;
      first = (guint) (file->offset / info->piece_length);
      last = (guint) ((file->offset + file->length - 1) / info->piece_length);
      for (j = first; j <= last && j < info->piece_count; j++)
        pieces[j] = MAX (pieces[j], file_priority[i]);
      /* A player reads a file's header and often its index at the end
       * before it can show anything (qBittorrent's "first and last
       * piece first"). */
      if (self->first_last && file_priority[i] != TSR_PRIORITY_SKIP && last < info->piece_count)
        pieces[first] = pieces[last] = TSR_PRIORITY_HIGH;
    }
  for (j = 0; j < info->piece_count; j++)
    tsr_piece_picker_set_priority (self, j, (TsrPriority) pieces[j]);
}

void
tsr_piece_picker_set_first_last (TsrPiecePicker *self,
                                 gboolean        first_last)
{
  self->first_last = first_last;
}

void
tsr_piece_picker_set_sequential (TsrPiecePicker *self,
                                 gboolean        sequential)
{
  self->sequential = sequential;
}

guint
tsr_piece_picker_count_wanted (TsrPiecePicker *self)
{
  return self->n_wanted;
}

static gboolean
candidate (TsrPiecePicker    *self,
           guint              piece,
           const TsrBitfield *peer_have,
           gboolean           high_only)
{
  guint8 priority = priority_of (self, piece);

  return flags_of (self, piece) == 0 && priority != TSR_PRIORITY_SKIP &&
         (!high_only || priority == TSR_PRIORITY_HIGH) && tsr_bitfield_get (peer_have, piece);
}

/* From a random piece on: the pieces in bucket 0 when all are there. */
static gboolean
pick_any (TsrPiecePicker    *self,
          const TsrBitfield *peer_have,
          gboolean           high_only,
          guint             *index)
{
  guint offset = (guint) g_random_int_range (0, (gint32) self->n_pieces);
  guint k;

  for (k = 0; k < self->n_pieces; k++)
    {
      guint piece = (offset + k) % self->n_pieces;

      if (candidate (self, piece, peer_have, high_only))
        {
          *index = piece;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
pick_pass (TsrPiecePicker    *self,
           const TsrBitfield *peer_have,
           gboolean           high_only,
           gboolean           unavailable_too,
           guint             *index)
{
  guint a, k;

  if (self->sequential)
    {
      for (k = 0; k < self->n_pieces; k++)
        if (candidate (self, k, peer_have, high_only))
          {
            *index = k;
            return TRUE;
          }
      return FALSE;
    }
  if (self->n_have < TSR_PIECE_PICKER_RANDOM_FIRST)
    {
      /* Nothing to trade yet: any piece will do, and a random one is
       * unlikely to be what every other newcomer fetches. */
      return pick_any (self, peer_have, high_only, index);
    }
  /* Rarest first; a random start within a bucket breaks ties. Pieces no
   * connected peer has (bucket 0) cannot be asked of this one, unless it
   * is a source besides the peers (a web seed). */
  if (self->availability == NULL)   /* no peer has anything: bucket 0 alone */
    return unavailable_too && pick_any (self, peer_have, high_only, index);
  for (a = unavailable_too ? 0 : 1; a + 1 < self->start->len; a++)
    {
      guint first = START (a);
      guint size = START (a + 1) - first;
      guint offset;

      if (size == 0)
        continue;
      offset = (guint) g_random_int_range (0, (gint32) size);
      for (k = 0; k < size; k++)
        {
          guint piece = self->order[first + (offset + k) % size];

          if (candidate (self, piece, peer_have, high_only))
            {
              *index = piece;
              return TRUE;
            }
        }
    }
  return FALSE;
}

gboolean
tsr_piece_picker_pick (TsrPiecePicker    *self,
                       const TsrBitfield *peer_have,
                       guint             *index)
{
  g_return_val_if_fail (tsr_bitfield_get_size (peer_have) == self->n_pieces, FALSE);
  if (self->n_pieces == 0)
    return FALSE;
  if (self->n_high > 0 && pick_pass (self, peer_have, TRUE, FALSE, index))
    return TRUE;
  return pick_pass (self, peer_have, FALSE, FALSE, index);
}

gboolean
tsr_piece_picker_pick_for_source (TsrPiecePicker    *self,
                                  const TsrBitfield *source_have,
                                  guint             *index)
{
  g_return_val_if_fail (tsr_bitfield_get_size (source_have) == self->n_pieces, FALSE);
  if (self->n_pieces == 0)
    return FALSE;
  if (self->n_high > 0 && pick_pass (self, source_have, TRUE, TRUE, index))
    return TRUE;
  return pick_pass (self, source_have, FALSE, TRUE, index);
}
