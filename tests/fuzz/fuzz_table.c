/* libFuzzer target: the CSV reader that summary, compare, plot and report
 * use on files from anywhere. Any input must parse or fail with a message,
 * and a parsed table must be consistent (every row as wide as the header),
 * and grouping it into cells must not crash either. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char err[256];
  cb_table_t t;
  cb_cells_t cells;
  cb_buf_t b = { 0 };
  size_t r, c;

  if (cb_table_parse((const char *)data, size, &t, err, sizeof(err)) != 0) {
    if (err[0] == '\0')
      abort(); /* a failure must say why */
    return 0;
  }
  for (r = 0; r < t.rows; r++) {
    for (c = 0; c < t.cols; c++) {
      if (cb_table_get(&t, r, c) == NULL)
        abort();
    }
  }
  if (cb_cells_build(&t, &cells, err, sizeof(err)) == 0) {
    cb_cells_csv(&cells, &b);
    cb_buf_free(&b);
    cb_cells_free(&cells);
  }
  cb_table_free(&t);
  return 0;
}
