/* Styles: how each contestant is drawn, the same on every chart. A
 * runner's colour and point shape are its own (cb_runner_t.styles, one per
 * transport: the Okabe-Ito palette, safe for colour-blind readers, and a
 * shape each, so that a chart still reads in grey); "+gil" variants are
 * dashed with open points. A contestant this build does not know (a CSV of
 * another build) or another variant (a dispatch mode) gets a colour of its
 * own name. Also the colours of the winners map's ties and of compare's
 * verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "chart.h"
#include "runner.h"

/* For contestants without a style of their runner's (Okabe & Ito's
 * remaining colours and grey; point types are pngcairo/svg's filled shapes,
 * the open shape one less). */
static const char *const other_colors[] = { "#CC79A7", "#56B4E9", "#8C6D31", "#7F7F7F" };
#define OTHER_POINT 15

#define SLOWER_COLOR "#D55E00"
#define FASTER_COLOR "#0072B2"
#define SAME_COLOR "#777777"
#define NOISY_COLOR "#CC79A7"

/* 1 when `s` is text[0..len). */
static int is(const char *s, const char *text, size_t len)
{
  return strlen(s) == len && strncmp(s, text, len) == 0;
}

/* A runner's style for contestant name[0..len): "RUNNER" (its first
 * transport) or "RUNNER/TRANSPORT"; NULL for any other. *slot is its place
 * on legends: runners in registry order, each one's transports in turn
 * (for any other contestant, one past them all). */
static const cb_style_t *runner_style(const char *name, size_t len, size_t *slot)
{
  size_t i, t, rlen = strcspn(name, "/");

  if (rlen > len)
    rlen = len;
  for (*slot = 0, i = 0; i < cb_runners_count; i++) {
    const cb_runner_t *r = cb_runners[i];
    int mine = r->styles != NULL && is(r->name, name, rlen);
    for (t = 0; r->transports[t] != NULL; t++, ++*slot) {
      if (mine && (rlen == len ? t == 0 : is(r->transports[t], name + rlen + 1, len - rlen - 1)))
        return &r->styles[t];
    }
  }
  return NULL;
}

/* "threads+gil" is drawn like "threads", dashed, with open points. */
static size_t base_len(const char *name, int *gil)
{
  const char *plus = strstr(name, "+gil");

  *gil = plus != NULL && plus[4] == '\0';
  return *gil ? (size_t)(plus - name) : strlen(name);
}

void cb_plot_style(const char *contestant, cb_plot_style_t *s)
{
  int gil;
  size_t slot, len = base_len(contestant, &gil);
  const cb_style_t *rs = runner_style(contestant, len, &slot);
  unsigned h = 5381;

  if (rs != NULL) {
    snprintf(s->color, sizeof(s->color), "%s", rs->color);
    s->point = rs->point;
  } else {
    /* Any other contestant: a colour of its own name, so it is the same on
     * every chart. */
    for (size_t k = 0; k < len; k++)
      h = h * 33 + (unsigned char)contestant[k];
    snprintf(s->color, sizeof(s->color), "%s", other_colors[h % CB_ARRAY_SIZE(other_colors)]);
    s->point = OTHER_POINT;
  }
  s->dash = gil ? 2 : 1;
  if (gil)
    s->point -= 1;
}

int cb_plot_rank(const char *contestant)
{
  int gil;
  size_t slot, len = base_len(contestant, &gil);

  runner_style(contestant, len, &slot);
  return 2 * (int)slot + gil;
}

unsigned cb__hex_color(const char *rgb)
{
  return (unsigned)strtoul(rgb + 1, NULL, 16);
}

unsigned cb__text_on(const char *rgb)
{
  unsigned c = cb__hex_color(rgb);
  double y = 0.299 * (c >> 16) + 0.587 * ((c >> 8) & 255) + 0.114 * (c & 255);

  return y > 150 ? 0x000000 : 0xFFFFFF;
}

const char *cb__verdict_color(cb_cmp_verdict_t v)
{
  switch (v) {
  case CB_CMP_V_SLOWER: return SLOWER_COLOR;
  case CB_CMP_V_FASTER: return FASTER_COLOR;
  case CB_CMP_V_NOISY: return NOISY_COLOR;
  default: return SAME_COLOR;
  }
}
