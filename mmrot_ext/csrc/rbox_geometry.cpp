// Exact rotated-box IoU, NMS and soft-NMS in float64 on the CPU.
//
// Boxes are (cx, cy, w, h, theta) in radians, corners c + R(theta)(+-w/2,
// +-h/2) with R = [[cos, -sin], [sin, cos]] (mmcv's clockwise=True reading),
// sides already clamped to > 0 by the caller. The intersection of two boxes
// is the convex polygon of (a) corners of either box inside the other and
// (b) crossings of their edges, ordered by angle around its centroid. Unlike
// mmcv's float32 kernel, a corner lying on the other box's edge is kept (the
// inside test has a margin of 1e-10 of the pair's scale), so boxes sharing
// edges get their true IoU. Pairs whose axis-aligned envelopes do not meet
// are 0 without clipping, and with a pruning threshold so are pairs whose
// upper bound (rbox_overlaps.py explains it) is below it.
//
// A plain C ABI for ctypes: the module init below only lets setuptools build
// this file as an extension of the mmrot_ext package.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInsideMargin = 1e-10;  // of the pair's scale
constexpr double kParamMargin = 1e-10;   // on the edge parameters in [0, 1]

struct Pt {
  double x, y;
};

inline double cross(Pt a, Pt b) { return a.x * b.y - a.y * b.x; }

struct RBox {
  double cx, cy, w, h, c, s;   // centre, sides, cos / sin of theta
  double x0, y0, x1, y1;       // axis-aligned envelope
  double area, short_side, diag, axis;  // axis: direction of the long side
};

RBox make_box(const double* b) {
  RBox r;
  r.cx = b[0];
  r.cy = b[1];
  r.w = b[2];
  r.h = b[3];
  r.c = std::cos(b[4]);
  r.s = std::sin(b[4]);
  const double ex = r.w / 2 * std::fabs(r.c) + r.h / 2 * std::fabs(r.s);
  const double ey = r.w / 2 * std::fabs(r.s) + r.h / 2 * std::fabs(r.c);
  r.x0 = r.cx - ex;
  r.x1 = r.cx + ex;
  r.y0 = r.cy - ey;
  r.y1 = r.cy + ey;
  r.area = r.w * r.h;
  r.short_side = std::min(r.w, r.h);
  r.diag = std::sqrt(r.w * r.w + r.h * r.h);
  r.axis = b[4] + (r.w < r.h ? kPi / 2 : 0.0);
  return r;
}

std::vector<RBox> make_boxes(const double* b, int64_t n) {
  std::vector<RBox> out(n);
  for (int64_t i = 0; i < n; ++i) out[i] = make_box(b + 5 * i);
  return out;
}

// Overlap area of the envelopes (0 when they do not meet).
inline double envelope_overlap(const RBox& a, const RBox& b) {
  const double ix = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const double iy = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  return (ix > 0 && iy > 0) ? ix * iy : 0.0;
}

// Upper bound of the IoU, the same formula as rbox_iou_upper_bound.
double iou_upper_bound(const RBox& a, const RBox& b, double envelope) {
  const double sine = std::max(std::fabs(std::sin(a.axis - b.axis)), 1e-6);
  double inter = std::min(std::min(a.area, b.area), envelope);
  inter = std::min(inter, std::min(b.short_side * a.diag, a.short_side * b.diag));
  inter = std::min(inter, a.short_side * b.short_side / sine);
  return inter / std::max(a.area + b.area - inter, 1e-12);
}

void corners(const RBox& b, double ox, double oy, Pt out[4]) {
  const double x = b.cx - ox, y = b.cy - oy, hw = b.w / 2, hh = b.h / 2;
  const double u[4] = {-hw, hw, hw, -hw}, v[4] = {-hh, -hh, hh, hh};
  for (int k = 0; k < 4; ++k)
    out[k] = {x + u[k] * b.c - v[k] * b.s, y + u[k] * b.s + v[k] * b.c};
}

inline bool inside(Pt p, const RBox& b, double ox, double oy, double margin) {
  const double dx = p.x - (b.cx - ox), dy = p.y - (b.cy - oy);
  const double u = dx * b.c + dy * b.s, v = -dx * b.s + dy * b.c;
  return std::fabs(u) <= b.w / 2 + margin && std::fabs(v) <= b.h / 2 + margin;
}

// Area of the intersection of two boxes, in coordinates centred on a.
double intersection_area(const RBox& a, const RBox& b) {
  const double ox = a.cx, oy = a.cy;
  Pt ca[4], cb[4];
  corners(a, ox, oy, ca);
  corners(b, ox, oy, cb);
  const double scale = std::max(
      std::max(std::max(a.w, a.h), std::max(b.w, b.h)),
      std::max(std::fabs(b.cx - ox), std::fabs(b.cy - oy)));
  const double margin = kInsideMargin * scale;
  Pt pts[24];
  int n = 0;
  for (int k = 0; k < 4; ++k) {
    if (inside(ca[k], b, ox, oy, margin)) pts[n++] = ca[k];
    if (inside(cb[k], a, ox, oy, margin)) pts[n++] = cb[k];
  }
  for (int i = 0; i < 4; ++i) {
    const Pt p = ca[i], r = {ca[(i + 1) % 4].x - p.x, ca[(i + 1) % 4].y - p.y};
    const double nr = std::sqrt(r.x * r.x + r.y * r.y);
    for (int j = 0; j < 4; ++j) {
      const Pt q = cb[j],
               d = {cb[(j + 1) % 4].x - q.x, cb[(j + 1) % 4].y - q.y};
      const double denom = cross(r, d);
      // parallel edges: their overlap ends at corners counted above
      if (std::fabs(denom) <= 1e-12 * nr * std::sqrt(d.x * d.x + d.y * d.y))
        continue;
      const Pt qp = {q.x - p.x, q.y - p.y};
      const double t = cross(qp, d) / denom, s = cross(qp, r) / denom;
      if (t >= -kParamMargin && t <= 1 + kParamMargin && s >= -kParamMargin &&
          s <= 1 + kParamMargin)
        pts[n++] = {p.x + t * r.x, p.y + t * r.y};
    }
  }
  if (n < 3) return 0.0;
  Pt centre = {0, 0};
  for (int k = 0; k < n; ++k) {
    centre.x += pts[k].x;
    centre.y += pts[k].y;
  }
  centre.x /= n;
  centre.y /= n;
  double angle[24];
  for (int k = 0; k < n; ++k)
    angle[k] = std::atan2(pts[k].y - centre.y, pts[k].x - centre.x);
  for (int k = 1; k < n; ++k) {  // insertion sort by angle
    const Pt p = pts[k];
    const double a_k = angle[k];
    int m = k - 1;
    for (; m >= 0 && angle[m] > a_k; --m) {
      pts[m + 1] = pts[m];
      angle[m + 1] = angle[m];
    }
    pts[m + 1] = p;
    angle[m + 1] = a_k;
  }
  double twice = 0;
  for (int k = 0; k < n; ++k) twice += cross(pts[k], pts[(k + 1) % n]);
  return std::fabs(twice) / 2;
}

// IoU (iof: intersection over a's area) in [0, 1]; 0 unless envelopes meet.
double overlap(const RBox& a, const RBox& b, bool iof) {
  if (envelope_overlap(a, b) <= 0) return 0.0;
  const double inter =
      std::min(intersection_area(a, b), std::min(a.area, b.area));
  if (iof) return std::min(inter / a.area, 1.0);
  const double uni = a.area + b.area - inter;
  return uni > 0 ? std::min(std::max(inter / uni, 0.0), 1.0) : 0.0;
}

// Can the pair's IoU exceed thr? (cheap tests first)
inline bool may_exceed(const RBox& a, const RBox& b, double thr) {
  const double env = envelope_overlap(a, b);
  return env > 0 && iou_upper_bound(a, b, env) > thr - 1e-12;
}

}  // namespace

// (m, n) overlaps of boxes1 (m, 5) and boxes2 (n, 5). With prune_below > 0
// (iou only) pairs whose bound is below it are 0; with exact_row_max, rows
// whose best computed IoU is below prune_below are computed in full.
EXPORT void rbox_overlaps(const double* boxes1, int64_t m,
                          const double* boxes2, int64_t n, int iof,
                          double prune_below, int exact_row_max, float* out) {
  const std::vector<RBox> a = make_boxes(boxes1, m), b = make_boxes(boxes2, n);
  const bool pruning = !iof && prune_below > 0;
  std::vector<int64_t> skipped;
  for (int64_t i = 0; i < m; ++i) {
    float* row = out + i * n;
    double best = 0;
    skipped.clear();
    for (int64_t j = 0; j < n; ++j) {
      row[j] = 0;
      const double env = envelope_overlap(a[i], b[j]);
      if (env <= 0) continue;
      if (pruning && iou_upper_bound(a[i], b[j], env) < prune_below - 1e-12) {
        skipped.push_back(j);
        continue;
      }
      const double v = overlap(a[i], b[j], iof);
      row[j] = static_cast<float>(v);
      best = std::max(best, v);
    }
    if (pruning && exact_row_max && best < prune_below)
      for (int64_t j : skipped)
        row[j] = static_cast<float>(overlap(a[i], b[j], false));
  }
}

// (n, ) overlaps of the aligned pairs boxes1[k], boxes2[k].
EXPORT void rbox_overlaps_aligned(const double* boxes1, const double* boxes2,
                                  int64_t n, int iof, float* out) {
  for (int64_t k = 0; k < n; ++k)
    out[k] = static_cast<float>(
        overlap(make_box(boxes1 + 5 * k), make_box(boxes2 + 5 * k), iof));
}

// Greedy NMS of boxes (n, 5) given in descending score order: keeps a box
// unless a kept one overlaps it with IoU > thr; stops after max_num kept
// (max_num < 0: no limit). Writes the kept positions, returns their count.
EXPORT int64_t rbox_nms(const double* boxes, int64_t n, double thr,
                        int64_t max_num, int64_t* keep) {
  const std::vector<RBox> bx = make_boxes(boxes, n);
  std::vector<char> suppressed(n, 0);
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (suppressed[i]) continue;
    keep[count++] = i;
    if (count == max_num) break;
    for (int64_t j = i + 1; j < n; ++j)
      if (!suppressed[j] && may_exceed(bx[i], bx[j], thr) &&
          overlap(bx[i], bx[j], false) > thr)
        suppressed[j] = 1;
  }
  return count;
}

// Soft-NMS (method 0 naive, 1 linear, 2 gaussian) of boxes (n, 5): boxes
// scored below min_score are dropped; repeatedly the best live box (first
// on ties) is kept and the others' scores decay by its IoU. Writes the kept
// indices and their decayed scores in the order kept, returns their count.
EXPORT int64_t rbox_soft_nms(const double* boxes, const double* scores,
                             int64_t n, int method, double iou_thr,
                             double sigma, double min_score, int64_t* keep,
                             double* kept_scores) {
  const std::vector<RBox> bx = make_boxes(boxes, n);
  std::vector<double> score(scores, scores + n);
  std::vector<char> alive(n);
  for (int64_t i = 0; i < n; ++i) alive[i] = score[i] >= min_score;
  int64_t count = 0;
  while (true) {
    int64_t best = -1;
    for (int64_t i = 0; i < n; ++i)
      if (alive[i] && (best < 0 || score[i] > score[best])) best = i;
    if (best < 0) break;
    keep[count] = best;
    kept_scores[count++] = score[best];
    alive[best] = 0;
    const RBox& top = bx[best];
    for (int64_t j = 0; j < n; ++j) {
      if (!alive[j]) continue;
      double weight = 1.0;
      if (method == 2) {
        if (envelope_overlap(top, bx[j]) > 0) {
          const double iou = overlap(top, bx[j], false);
          weight = std::exp(-(iou * iou) / sigma);
        }
      } else if (may_exceed(top, bx[j], iou_thr)) {
        const double iou = overlap(top, bx[j], false);
        if (iou > iou_thr) weight = method == 1 ? 1 - iou : 0.0;
      }
      score[j] *= weight;
      if (score[j] < min_score) alive[j] = 0;
    }
  }
  return count;
}

static struct PyModuleDef kModule = {PyModuleDef_HEAD_INIT, "_rbox_geometry",
                                     "Loaded with ctypes; see rbox_kernel.py",
                                     -1, nullptr};

PyMODINIT_FUNC PyInit__rbox_geometry(void) { return PyModule_Create(&kModule); }
