/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-budget.h: a count shared by the torrents of a session, such as the
 * connections they hold together, with a ceiling settable at run time.
 * Main-thread only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsrBudget TsrBudget;

/* @max 0 means no ceiling. */
TsrBudget *tsr_budget_new      (guint      max);
TsrBudget *tsr_budget_ref      (TsrBudget *self);
void       tsr_budget_unref    (TsrBudget *self);
void       tsr_budget_set_max  (TsrBudget *self,
                                guint      max);
guint      tsr_budget_get_max  (TsrBudget *self);
guint      tsr_budget_get_used (TsrBudget *self);
/* Whether one more fits under the ceiling. */
gboolean   tsr_budget_has_room (TsrBudget *self);
void       tsr_budget_take     (TsrBudget *self);
void       tsr_budget_give     (TsrBudget *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrBudget, tsr_budget_unref)

G_END_DECLS
