/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-budget.c: a shared, capped count.
 */
#define G_LOG_DOMAIN "tsr-budget"

#include "config.h"

#include "tsr-budget.h"

struct _TsrBudget
{
  gint  ref_count;
  guint max;
  guint used;
};

TsrBudget *
tsr_budget_new (guint max)
{
  TsrBudget *self = g_new0 (TsrBudget, 1);

  self->ref_count = 1;
  self->max = max;
  return self;
}

TsrBudget *
tsr_budget_ref (TsrBudget *self)
{
  self->ref_count++;
  return self;
}

void
tsr_budget_unref (TsrBudget *self)
{
  if (self != NULL && --self->ref_count == 0)
    g_free (self);
}

void
tsr_budget_set_max (TsrBudget *self,
                    guint      max)
{
  self->max = max;
}

guint
tsr_budget_get_max (TsrBudget *self)
{
  return self->max;
}

guint
tsr_budget_get_used (TsrBudget *self)
{
  return self->used;
}

gboolean
tsr_budget_has_room (TsrBudget *self)
{
  return self->max == 0 || self->used < self->max;
}

void
tsr_budget_take (TsrBudget *self)
{
  self->used++;
}

void
tsr_budget_give (TsrBudget *self)
{
  g_return_if_fail (self->used > 0);
  self->used--;
}
