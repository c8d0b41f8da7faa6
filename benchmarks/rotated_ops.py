"""Rotated ops, ours vs mmcv's, on the CPU: time and exactness.

    python benchmarks/rotated_ops.py [--repeats 5]

Cases (inputs from generated dense scenes and the cpu-tiny dense config's
anchors, see ``mmrot_ext.testing``):

* IoU 1k x 1k: GT boxes of dense scenes against themselves (all pairs);
* IoU 20k anchors x 15 GT: one scene's GT against 20,000 of its anchors,
  ours as the RPN assigner calls it (``prune_below=0.3``,
  ``exact_row_max``) and unpruned (the R-CNN assigner);
* NMS of 2,000 proposal-like boxes (10 jittered copies of every GT of
  dense scenes) at 0.7, all kept and stopping at 1,000 (the RPN);
* soft-NMS (linear, 0.5) of 1,000 of them: our kernel vs our row-update
  path (what CUDA tensors take; mmcv has no rotated soft-NMS);
* RoIAlignRotated, 512 RoIs, 7 x 7 from a 256-channel map: mmcv's, which we
  did not replace (the profile shows it cheaper than axis-aligned RoIAlign),
  beside mmcv's RoIAlign for scale.

Time is the median of ``--repeats`` runs, one thread. Exactness: the largest
difference from shapely's polygon overlay (float64) and between the two,
and for NMS whether the kept sets equal each other and exact greedy NMS.
Writes JSON and markdown to benchmarks/results/. Run it alone.
"""
import argparse
import os.path as osp
import statistics
import time

import numpy as np
import torch
from mmcv.ops import RoIAlign, RoIAlignRotated, box_iou_rotated, nms_rotated
from report import REPO, run_info, write_report

from mmrot_ext.ops import fast_nms_rotated, soft_nms_rotated
from mmrot_ext.ops.soft_nms import soft_nms_by_rows
from mmrot_ext.structures import sparse_rbox_overlaps
from mmrot_ext.testing import (config_anchors, dense_scene_gt_rboxes,
                               exact_greedy_nms, exact_rbox_overlaps)

DENSE_CFG = osp.join(REPO, 'configs', 'rotated_ms_rcnn',
                     'rotated-ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--out', default='benchmarks/results/rotated_ops')
    return parser.parse_args()


def median_seconds(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def iou_case(name, gts, boxes, repeats, ours_kwargs):
    """Time and exactness of ``sparse_rbox_overlaps(gts, boxes)`` vs mmcv's
    ``box_iou_rotated(gts, boxes)``."""
    ours = sparse_rbox_overlaps(gts, boxes, **ours_kwargs)
    mmcv = box_iou_rotated(gts, boxes)
    exact = torch.from_numpy(exact_rbox_overlaps(gts, boxes)).float()
    # pruned entries are 0 by contract: compare where ours computed a value
    # or the exact IoU reaches the pruning threshold
    floor = ours_kwargs.get('prune_below', 0.0)
    checked = (ours > 0) | (exact >= floor)
    row = dict(
        case=name, pairs=gts.size(0) * boxes.size(0),
        ours_s=median_seconds(
            lambda: sparse_rbox_overlaps(gts, boxes, **ours_kwargs),
            repeats),
        mmcv_s=median_seconds(lambda: box_iou_rotated(gts, boxes), repeats),
        ours_max_err=float((ours - exact)[checked].abs().max()),
        mmcv_max_err=float((mmcv - exact).abs().max()),
        mmcv_pairs_off_by_0_01=int(((mmcv - exact).abs() > 0.01).sum()),
        ours_vs_mmcv_max_diff=float((ours - mmcv)[checked].abs().max()))
    row['speedup'] = row['mmcv_s'] / row['ours_s']
    return row


def proposals(scenes, count, seed):
    """``count`` proposal-like boxes: jittered copies of GT boxes, with
    random scores."""
    g = torch.Generator().manual_seed(seed)
    gts = torch.cat(scenes)
    pick = torch.randint(0, len(gts), (count, ), generator=g)
    noise = torch.randn(count, 5, generator=g) * torch.tensor(
        [2.0, 2.0, 3.0, 1.0, 0.05])
    boxes = gts[pick] + noise
    boxes[:, 2:4].clamp_(min=2)
    return boxes, torch.rand(count, generator=g)


def nms_case(boxes, scores, max_num, repeats):
    dets, keep = fast_nms_rotated(boxes, scores, 0.7, max_num=max_num)
    _, ref = nms_rotated(boxes, scores, 0.7)
    if max_num > 0:
        ref = ref[:max_num]
    exact = exact_greedy_nms(boxes, scores, 0.7)
    if max_num > 0:
        exact = exact[:max_num]
    row = dict(
        case=f'NMS {len(boxes)} boxes at 0.7' +
        (f', stop at {max_num}' if max_num > 0 else ''),
        kept=len(keep),
        ours_s=median_seconds(
            lambda: fast_nms_rotated(boxes, scores, 0.7, max_num=max_num),
            repeats),
        mmcv_s=median_seconds(lambda: nms_rotated(boxes, scores, 0.7),
                              repeats),
        same_keep_as_mmcv=bool(torch.equal(keep, ref)),
        same_keep_as_exact=keep.tolist() == exact.tolist())
    row['speedup'] = row['mmcv_s'] / row['ours_s']
    return row


def soft_nms_case(boxes, scores, repeats):
    args = (0.5, 0.5, 0.01, 'linear')
    dets, keep = soft_nms_rotated(boxes, scores, *args)
    rows_dets, rows_keep = soft_nms_by_rows(boxes, scores, *args, 0)
    row = dict(
        case=f'soft-NMS (linear 0.5) {len(boxes)} boxes: kernel vs the '
        'row-update path', kept=len(keep),
        ours_s=median_seconds(lambda: soft_nms_rotated(boxes, scores, *args),
                              repeats),
        baseline_s=median_seconds(
            lambda: soft_nms_by_rows(boxes, scores, *args, 0), repeats),
        same_keep=bool(torch.equal(keep, rows_keep)),
        max_score_diff=float((dets[:, 5] - rows_dets[:, 5]).abs().max()))
    row['speedup'] = row['baseline_s'] / row['ours_s']
    return row


def roi_align_case(repeats):
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(1, 256, 64, 64, generator=g)
    xy = torch.rand(512, 2, generator=g) * 200 + 28
    wh = torch.rand(512, 2, generator=g) * 60 + 8
    theta = (torch.rand(512, 1, generator=g) - 0.5) * np.pi
    rrois = torch.cat([torch.zeros(512, 1), xy, wh, theta], 1)
    hrois = torch.cat([torch.zeros(512, 1), xy - wh / 2, xy + wh / 2], 1)
    rotated = RoIAlignRotated(7, 0.25, 2, aligned=True, clockwise=True)
    aligned = RoIAlign(7, 0.25, 2, aligned=True)
    return dict(
        case='RoIAlignRotated 512 RoIs, 256 x 64 x 64 map, 7 x 7 (mmcv, '
        'not replaced) vs mmcv RoIAlign', rois=512,
        rotated_s=median_seconds(lambda: rotated(feats, rrois), repeats),
        axis_aligned_s=median_seconds(lambda: aligned(feats, hrois), repeats))


def fmt_s(seconds):
    return f'{seconds * 1e3:.2f} ms'


def markdown(report):
    lines = ['# Rotated ops: ours vs mmcv (CPU)', '',
             f'Command: `{report["command"]}`  ',
             f'Date: {report["date"]}, {report["machine"]}', '',
             report['note'], '', '## IoU', '',
             '| case | pairs | ours | mmcv | speed-up | max \\|ours - exact\\| '
             '| max \\|mmcv - exact\\| | mmcv pairs off by > 0.01 |',
             '|---|---|---|---|---|---|---|---|']
    for r in report['iou']:
        lines.append(
            f'| {r["case"]} | {r["pairs"]:,} | {fmt_s(r["ours_s"])} | '
            f'{fmt_s(r["mmcv_s"])} | {r["speedup"]:.1f}x | '
            f'{r["ours_max_err"]:.1e} | {r["mmcv_max_err"]:.1e} | '
            f'{r["mmcv_pairs_off_by_0_01"]} |')
    lines += ['', '## NMS', '', '| case | kept | ours | mmcv | speed-up | '
              'same as mmcv | same as exact greedy |', '|---|---|---|---|---|'
              '---|---|']
    for r in report['nms']:
        lines.append(
            f'| {r["case"]} | {r["kept"]} | {fmt_s(r["ours_s"])} | '
            f'{fmt_s(r["mmcv_s"])} | {r["speedup"]:.1f}x | '
            f'{r["same_keep_as_mmcv"]} | {r["same_keep_as_exact"]} |')
    r = report['soft_nms']
    lines += ['', '## Soft-NMS', '', f'{r["case"]}: {fmt_s(r["ours_s"])} vs '
              f'{fmt_s(r["baseline_s"])} ({r["speedup"]:.1f}x), same kept '
              f'set: {r["same_keep"]}, largest score difference '
              f'{r["max_score_diff"]:.1e}.']
    r = report['roi_align']
    lines += ['', '## RoIAlignRotated', '', f'{r["case"]}: '
              f'{fmt_s(r["rotated_s"])} vs {fmt_s(r["axis_aligned_s"])}.',
              '']
    return '\n'.join(lines)


def main():
    args = parse_args()
    torch.set_num_threads(1)
    scenes = dense_scene_gt_rboxes(80, seed=0)
    gts_1k = torch.cat(scenes)[:1000]
    anchors = config_anchors(DENSE_CFG, 256, 256)
    g = torch.Generator().manual_seed(0)
    anchors_20k = anchors[torch.randperm(len(anchors), generator=g)[:20000]]
    gts_15 = next(s for s in scenes if len(s) >= 15)[:15]
    report = dict(**run_info(), note=(
        f'{len(gts_1k)} GT boxes of generated dense scenes; 20,000 of the '
        f'{len(anchors):,} cpu-tiny dense anchors of a 256 x 256 image; one '
        'thread; median of '
        f'{args.repeats} runs after a warm-up. "exact" is shapely\'s float64 '
        'polygon overlay. Pruned entries (IoU certainly below the pruning '
        'threshold, reported as 0 by contract) are left out of the error '
        'columns.'))
    report['iou'] = [
        iou_case('1k x 1k GT boxes, all pairs', gts_1k, gts_1k, args.repeats,
                 {}),
        iou_case('15 GT x 20k anchors, unpruned (R-CNN assigner)', gts_15,
                 anchors_20k, args.repeats, {}),
        iou_case('15 GT x 20k anchors, prune 0.3 + exact row max (RPN '
                 'assigner)', gts_15, anchors_20k, args.repeats,
                 dict(prune_below=0.3, exact_row_max=True)),
    ]
    boxes, scores = proposals(scenes, 2000, seed=1)
    report['nms'] = [nms_case(boxes, scores, -1, args.repeats),
                     nms_case(boxes, scores, 1000, args.repeats)]
    report['soft_nms'] = soft_nms_case(boxes[:1000], scores[:1000],
                                       args.repeats)
    report['roi_align'] = roi_align_case(args.repeats)
    write_report(args.out, report, markdown(report))


if __name__ == '__main__':
    main()
