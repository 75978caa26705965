/* Payload bytes and their digest. Every task of a trial receives the same
 * input bytes (derived from the seed, so runs are reproducible) and returns
 * output that depends on its index; the digest turns bytes into a checksum
 * fast enough (several GB/s, four independent lanes) not to hide the cost of
 * moving them. */
#include <string.h>

#include "workload.h"

void cb_payload_fill(const cb_params_t *p, unsigned char *buf)
{
  uint64_t i, w;
  size_t n = (size_t)p->payload;

  for (i = 0; i + 8 <= n; i += 8) {
    w = cb_mix64(p->seed + i);
    memcpy(buf + i, &w, 8);
  }
  w = cb_mix64(p->seed + i);
  if (n > i)
    memcpy(buf + i, &w, n - i);
}

static uint64_t lane(uint64_t h, uint64_t w)
{
  h ^= w * UINT64_C(0x9e3779b97f4a7c15);
  h = (h << 31) | (h >> 33);
  return h * UINT64_C(0xbf58476d1ce4e5b9);
}

uint64_t cb_digest(const void *buf, size_t len, uint64_t seed)
{
  const unsigned char *p = buf;
  uint64_t h[4] = { seed, seed ^ 1, seed ^ 2, seed ^ 3 }, w[4], tail = 0;
  size_t i = 0;

  for (; i + 32 <= len; i += 32) {
    memcpy(w, p + i, 32);
    h[0] = lane(h[0], w[0]);
    h[1] = lane(h[1], w[1]);
    h[2] = lane(h[2], w[2]);
    h[3] = lane(h[3], w[3]);
  }
  if (len > i)
    memcpy(&tail, p + i, len - i > 8 ? 8 : len - i);
  for (i += 8; i < len; i += 8) {
    h[0] = lane(h[0], tail);
    tail = 0;
    memcpy(&tail, p + i, len - i > 8 ? 8 : len - i);
  }
  return cb_mix64(h[0] ^ cb_mix64(h[1] ^ cb_mix64(h[2] ^ cb_mix64(h[3] ^ tail ^ len))));
}

uint64_t cb_out_digest(const cb_params_t *p, uint64_t index, const unsigned char *out)
{
  return cb_digest(out, (size_t)p->payload, ~cb_task_seed(p->seed, index));
}
