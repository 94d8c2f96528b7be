/* mime: file name to media type.
 *
 * A built-in table covers the web's common types; mime_load() extends it from
 * a mime.types file (/etc/mime.types when NULL) at start-up, built-in entries
 * winning. Text types carry "; charset=utf-8". Unknown: application/octet-stream. */
#ifndef MIME_H
#define MIME_H

/* 0, or -1 when the file cannot be read (not an error for callers that only try). */
int mime_load(const char *file);
/* The Content-Type value for a file name or path (case-insensitive extension). */
const char *mime_type(const char *name);
/* Frees what mime_load added. */
void mime_free(void);

#endif
