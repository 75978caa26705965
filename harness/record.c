/* CSV rows of trials; see record.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

#define CB_HEADER(name, kind, expr) #name,
const char *const cb_record_columns[] = { CB_COLUMNS(CB_HEADER) };
const size_t cb_record_columns_count = CB_ARRAY_SIZE(cb_record_columns);

void cb_record_header(cb_buf_t *b)
{
  size_t i;

  for (i = 0; i < cb_record_columns_count; i++)
    cb_buf_printf(b, "%s%s", i ? "," : "", cb_record_columns[i]);
  cb_buf_put(b, "\n", 1);
}

#define EMIT_STR(b, v) cb_buf_csv_str(b, v)
#define EMIT_U64(b, v) cb_buf_printf(b, "%" PRIu64, (uint64_t)(v))
#define EMIT_DBL(b, v) cb_buf_csv_double(b, v)
#define CB_FIELD(name, kind, expr) \
  if (first) first = 0; else cb_buf_put(b, ",", 1); \
  EMIT_##kind(b, expr);

void cb_record_row(cb_buf_t *b, const cb_row_t *r)
{
  int first = 1;

  CB_COLUMNS(CB_FIELD)
  cb_buf_put(b, "\n", 1);
}
