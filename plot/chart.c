/* A chart being built and drawing it. A chart is a name, the script that
 * draws it, its data file's text and the -e assignments the script reads
 * (single-quoted gnuplot strings, quotes doubled). Drawing writes the data
 * file into DIR/data/ and runs gnuplot once: it draws the PNG and the SVG
 * into temporary files beside the charts, which replace them only when both
 * are complete (a full disk leaves the old charts, never empty ones). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb.h"
#include "chart.h"
#include "usage.h"

/* ---- quoting ---------------------------------------------------------- */

static int gp_literal(cb_buf_t *b, const char *s, int strict)
{
  const unsigned char *p;

  for (p = (const unsigned char *)s; *p != '\0'; p++) {
    if ((*p < 0x20 || *p == 0x7f) && strict)
      return -EINVAL;
  }
  cb_buf_put(b, "'", 1);
  for (p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p == '\'')
      cb_buf_put(b, "''", 2);
    else if (*p < 0x20 || *p == 0x7f)
      cb_buf_put(b, " ", 1);
    else
      cb_buf_put(b, (const char *)p, 1);
  }
  cb_buf_put(b, "'", 1);
  return 0;
}

int cb_gp_quote(cb_buf_t *b, const char *s)
{
  return gp_literal(b, s, 1);
}

void cb__data_str(cb_buf_t *b, const char *s)
{
  cb_buf_put(b, "\"", 1);
  for (; *s != '\0'; s++) {
    unsigned char ch = (unsigned char)*s;
    cb_buf_put(b, ch == '"' ? "'" : ch < 0x20 || ch == 0x7f ? " " : s, 1);
  }
  cb_buf_put(b, "\"", 1);
}

void cb__safe_name(const char *in, char *out, size_t len)
{
  size_t i;

  for (i = 0; in[i] != '\0' && i + 1 < len; i++) {
    char ch = in[i];
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '+' || ch == '_' || (ch == '.' && i > 0);
    out[i] = ok ? ch : '_';
  }
  out[i] = '\0';
}

/* ---- a chart ---------------------------------------------------------- */

void cb__chart_init(cb__chart_t *ch, const char *script, const char *fmt, ...)
{
  char raw[sizeof(ch->name)];
  va_list ap;

  memset(ch, 0, sizeof(*ch));
  va_start(ap, fmt);
  vsnprintf(raw, sizeof(raw), fmt, ap);
  va_end(ap);
  cb__safe_name(raw, ch->name, sizeof(ch->name));
  ch->script = script;
}

void cb__chart_free(cb__chart_t *ch)
{
  cb_buf_free(&ch->data);
  cb_buf_free(&ch->vars);
}

void cb__var_s(cb__chart_t *ch, const char *k, const char *v)
{
  cb_buf_printf(&ch->vars, "%s=", k);
  gp_literal(&ch->vars, v, 0);
  cb_buf_put(&ch->vars, "; ", 2);
}

void cb__var_d(cb__chart_t *ch, const char *k, double v)
{
  if (isfinite(v))
    cb_buf_printf(&ch->vars, "%s=%.10g; ", k, v);
  else
    cb_buf_printf(&ch->vars, "%s=NaN; ", k);
}

void cb__plot_skip(cb_plot_t *p, const char *name, const char *why)
{
  cb_message("plot", "skipped %s: %s", name, why);
  p->skipped++;
}

/* A chart file gnuplot wrote is whole: a PNG ends with its IEND chunk, an
 * SVG with its closing tag. A full disk leaves neither. */
static int chart_complete(const char *path, int png)
{
  static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const unsigned char iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  unsigned char head[8], tail[64];
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0;
  size_t n, i;

  if (fd < 0)
    return 0;
  if (fstat(fd, &st) == 0 && st.st_size >= 64 && pread(fd, head, 8, 0) == 8 &&
      pread(fd, tail, 64, st.st_size - 64) == 64) {
    if (png) {
      ok = memcmp(head, sig, 8) == 0 && memcmp(tail + 52, iend, 12) == 0;
    } else {
      for (n = 64; n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == ' ' || tail[n - 1] == '\r'); n--)
        ;
      for (i = 0; i + 6 <= n; i++)
        ok |= i + 6 == n && memcmp(tail + i, "</svg>", 6) == 0;
    }
  }
  /* What is renamed into place must be on the disk, not only in its cache. */
  if (ok && fsync(fd) != 0)
    ok = 0;
  close(fd);
  return ok;
}

/* 1 when `path` is one of the command's inputs. */
static int is_input(const cb_plot_t *p, const char *path)
{
  struct stat a, b;
  size_t i;

  if (stat(path, &a) != 0)
    return 0;
  for (i = 0; i < p->ninputs; i++) {
    if (stat(p->inputs[i], &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
      return 1;
  }
  return 0;
}

/* gnuplot writes both images under temporary names, and they replace the
 * charts only when both are whole. */
int cb__chart_draw(cb_plot_t *p, cb__chart_t *ch, char *err, size_t errlen)
{
  static const char *const ext[] = { "png", "svg" };
  char *path = cb__path_printf("%s/data/%s.dat", p->outdir, ch->name);
  char *out = cb__path_printf("%s/%s", p->outdir, ch->name);
  char *tmp = cb__path_printf("%s/.%s.tmp-%ld", p->outdir, ch->name, (long)getpid());
  char *why = malloc(1024), *img[2] = { NULL, NULL }, *fin[2] = { NULL, NULL };
  size_t i;
  int rc;

  if (path == NULL || out == NULL || tmp == NULL || why == NULL) {
    rc = -ENOMEM;
    snprintf(err, errlen, "out of memory");
    p->failed++;
    goto out;
  }
  if (cb__plot_stopped(p)) {
    rc = -EINTR;
    goto out;
  }
  for (i = 0; i < 2; i++) {
    img[i] = cb__path_printf("%s.%s", tmp, ext[i]);
    fin[i] = cb__path_printf("%s.%s", out, ext[i]);
  }
  cb_buf_printf(&ch->vars, "data=");
  rc = cb_gp_quote(&ch->vars, path);
  cb_buf_printf(&ch->vars, "; out=");
  if (rc == 0)
    rc = cb_gp_quote(&ch->vars, tmp);
  cb_buf_printf(&ch->vars, ";");
  if (rc != 0) {
    snprintf(why, 1024, "the output directory's name holds a control character");
    goto fail;
  }
  if (ch->data.failed || ch->vars.failed || img[0] == NULL || img[1] == NULL ||
      fin[0] == NULL || fin[1] == NULL) {
    rc = -ENOMEM;
    snprintf(why, 1024, "out of memory");
    goto fail;
  }
  if (is_input(p, path) || is_input(p, fin[0]) || is_input(p, fin[1])) {
    rc = -EEXIST;
    snprintf(why, 1024, "its files would overwrite an input");
    goto fail;
  }
  rc = cb_write_atomic(path, ch->data.data != NULL ? ch->data.data : "", ch->data.len);
  if (rc != 0) {
    snprintf(why, 1024, "cannot write '%s': %s", path, strerror(-rc));
    goto fail;
  }
  rc = cb__gnuplot_run(p, ch->vars.data, ch->script, why, 1024);
  for (i = 0; rc == 0 && i < 2; i++) {
    if (!chart_complete(img[i], i == 0)) {
      rc = -EIO;
      snprintf(why, 1024, "gnuplot wrote an incomplete %s (disk full?)", ext[i]);
    }
  }
  for (i = 0; rc == 0 && i < 2; i++) {
    if (rename(img[i], fin[i]) != 0) {
      rc = -errno;
      snprintf(why, 1024, "cannot rename '%s' to '%s': %s", img[i], fin[i], strerror(errno));
    }
  }
  if (rc != 0)
    goto fail;
  p->made++;
  if (!p->quiet)
    cb_message("plot", "%s/%s.png, .svg", p->outdir, ch->name);
  goto out;
fail:
  if (rc != -EINTR) {
    cb_message("plot", "%s: %s", ch->name, why);
    if (p->failed++ == 0)
      snprintf(err, errlen, "%s: %s", ch->name, why);
  }
out:
  for (i = 0; i < 2; i++) {
    if (img[i] != NULL)
      unlink(img[i]); /* nothing left of a failed chart; renamed ones are gone already */
    free(img[i]);
    free(fin[i]);
  }
  free(why);
  free(tmp);
  free(out);
  free(path);
  return rc;
}

/* ---- cells, variants and series --------------------------------------- */
