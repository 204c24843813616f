/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-path.h: turns the file paths a torrent names into paths that are
 * safe to create under the download folder.
 *
 * A torrent is hostile input: no path component it names may climb out of
 * the download folder, name a device, or carry a separator. Sanitized
 * components are valid UTF-8; the original bytes stay available for
 * display elsewhere.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest component we create, in bytes (ext4, btrfs, xfs: 255). */
#define TSR_PATH_COMPONENT_MAX 255

/**
 * tsr_path_sanitize_component:
 * @data: the component's bytes as the torrent has them (need not be UTF-8
 *   nor NUL-terminated)
 * @length: its length in bytes
 * @changed: (out) (optional): set to TRUE when the result differs from the input
 *
 * Returns: (transfer full) (nullable): a safe component, or NULL when the
 * component must be dropped entirely ("", "." and "..").
 *
 * Rules: invalid UTF-8 is converted (Latin-1 guess, else U+FFFD); NUL,
 * control characters, '/', '\\' and ':' become '_'; a leading Windows
 * drive letter or a reserved DOS device name (CON, NUL, COM1...) gets an
 * '_' prefix; trailing dots and spaces are replaced; the result is cut to
 * TSR_PATH_COMPONENT_MAX bytes on a character boundary, keeping a short
 * extension.
 */
char     *tsr_path_sanitize_component (const char *data,
                                       gsize       length,
                                       gboolean   *changed);

/**
 * tsr_path_component_is_safe:
 * Returns: TRUE when @component (NUL-terminated) would come out of
 * tsr_path_sanitize_component() unchanged.
 */
gboolean  tsr_path_component_is_safe  (const char *component);

/**
 * tsr_path_to_display:
 * Returns: (transfer full): @data as valid UTF-8 for showing to a person,
 * with invalid sequences converted the same way as the sanitizer does but
 * nothing else changed.
 */
char     *tsr_path_to_display         (const char *data,
                                       gsize       length);

/**
 * tsr_path_is_inside:
 * @root: an absolute folder path
 * @relative: a relative path made of sanitized components joined by '/'
 *
 * Belt and braces for the storage layer: TRUE when @root/@relative,
 * taken lexically, stays below @root.
 */
gboolean  tsr_path_is_inside          (const char *root,
                                       const char *relative);

G_END_DECLS
