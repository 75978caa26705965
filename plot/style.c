/* Styles: how each contestant is drawn, the same on every chart. One
 * colour per contestant from one table (the Okabe-Ito palette, safe for
 * colour-blind readers) and a point shape of its own, so that a chart still
 * reads in grey; "+gil" variants are dashed with open points. Also the
 * colours of the winners map's ties and of compare's verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "chart.h"


/* Okabe & Ito's palette; point types are pngcairo/svg's filled shapes (the
 * open shape is one less). */
static const struct {
  const char *name;
  const char *color;
  int point;
} palette[] = {
  { "serial", "#000000", 13 },        /* black, diamond */
  { "threads", "#0072B2", 7 },        /* blue, circle */
  { "processes", "#D55E00", 5 },      /* vermillion, square */
  { "processes/shm", "#E69F00", 9 },  /* orange, triangle */
  { "eventloop", "#009E73", 11 },     /* bluish green, triangle down */
};
static const char *const other_colors[] = { "#CC79A7", "#56B4E9", "#8C6D31", "#7F7F7F" };

#define SLOWER_COLOR "#D55E00"
#define FASTER_COLOR "#0072B2"
#define SAME_COLOR "#777777"
#define NOISY_COLOR "#CC79A7"

static long palette_index(const char *name, size_t len)
{
  size_t i;

  for (i = 0; i < CB_ARRAY_SIZE(palette); i++) {
    if (strlen(palette[i].name) == len && strncmp(palette[i].name, name, len) == 0)
      return (long)i;
  }
  return -1;
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
  size_t len = base_len(contestant, &gil);
  long i = palette_index(contestant, len);
  unsigned h = 5381;

  if (i >= 0) {
    snprintf(s->color, sizeof(s->color), "%s", palette[i].color);
    s->point = palette[i].point;
  } else {
    /* Any other contestant: a colour of its own name, so it is the same on
     * every chart. */
    for (size_t k = 0; k < len; k++)
      h = h * 33 + (unsigned char)contestant[k];
    snprintf(s->color, sizeof(s->color), "%s", other_colors[h % CB_ARRAY_SIZE(other_colors)]);
    s->point = 15;
  }
  s->dash = gil ? 2 : 1;
  if (gil)
    s->point -= 1;
}

int cb_plot_rank(const char *contestant)
{
  int gil;
  size_t len = base_len(contestant, &gil);
  long i = palette_index(contestant, len);

  return (i >= 0 ? 2 * (int)i : 100) + gil;
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
