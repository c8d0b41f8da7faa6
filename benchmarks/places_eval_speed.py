"""Places challenge scoring: ours (hotcoco) vs stock pycocotools.

    python benchmarks/places_eval_speed.py [--num-images 2000 --per-image 100]

Builds a Places-format set of synthetic dense scenes (JPEG + PNG), converts
it with the challenge converter, makes ``--per-image`` mask predictions per
image (shifted GT masks and random rectangles), then scores them in one run
with stock pycocotools (COCOeval, maxDets (1, 50, 255), the official
evaluator's summary) and with ``evaluate_places`` (checks included; its
default evaluator, hotcoco, runs on all cores), and
reports both timings, their ratio and the largest difference of the 12
numbers and of the precision / recall arrays. Writes JSON and markdown to
benchmarks/results/.
"""
import argparse
import copy
import gc
import json
import os
import os.path as osp
import statistics
import time

import hotcoco
import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmrot_ext.datasets import convert_places_pngs
from mmrot_ext.datasets.synthetic import (
    DenseSceneConfig,
    write_places_dataset,
)
from mmrot_ext.datasets.synthetic.dense_objects import PRESETS
from mmrot_ext.evaluation.places_eval import (
    PLACES_MAX_DETS,
    evaluate_places,
    summarize,
)
from mmrot_ext.testing import jittered_mask_predictions
from report import run_info, write_report

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-images', type=int, default=2000)
    parser.add_argument('--per-image', type=int, default=100)
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed runs of each scorer (median reported)')
    parser.add_argument('--data-root', default='data/places_eval_bench')
    parser.add_argument('--out',
                        default='benchmarks/results/places_eval_speed')
    return parser.parse_args()


def ground_truth(args):
    """Write (once) and convert the Places-format set; return the dict."""
    root = osp.join(REPO, args.data_root)
    gt_path = osp.join(root, f'instance_validation_gts_{args.num_images}'
                       '.json')
    if osp.isfile(gt_path):
        with open(gt_path) as f:
            return json.load(f), None
    cfg = DenseSceneConfig(**PRESETS['dense'])
    write_places_dataset(root, dict(validation=args.num_images), cfg, seed=0)
    start = time.time()
    gt = convert_places_pngs(osp.join(root, 'annotations_instance',
                                      'validation'),
                             osp.join(root, 'imgCatIds.json'))
    seconds = time.time() - start
    with open(gt_path, 'w') as f:
        json.dump(gt, f)
    return gt, seconds


def pycocotools_scores(gt, preds):
    """Stock pycocotools, as the official evaluator.py runs it."""
    coco = COCO()
    coco.dataset = gt
    coco.createIndex()
    ev = COCOeval(coco, coco.loadRes(preds), 'segm')
    ev.params.maxDets = list(PLACES_MAX_DETS)
    ev.evaluate()
    ev.accumulate()
    return ev.eval['precision'], ev.eval['recall'], ev.params.iouThrs


def main():
    args = parse_args()
    gt, convert_s = ground_truth(args)
    preds = jittered_mask_predictions(gt, args.per_image, seed=0)
    ref_times, ours_times = [], []
    for _ in range(args.repeats):  # interleaved, median reported
        gt_copy, preds_copy = copy.deepcopy(gt), copy.deepcopy(preds)
        start = time.perf_counter()
        precision, recall, iou_thrs = pycocotools_scores(gt_copy, preds_copy)
        ref_times.append(time.perf_counter() - start)
        del gt_copy, preds_copy
        gc.collect()
        start = time.perf_counter()
        ours = evaluate_places(gt, preds, max_dets_rule='category')
        ours_times.append(time.perf_counter() - start)
        gc.collect()
    ref_s, ours_s = (statistics.median(t) for t in (ref_times, ours_times))
    ref_stats = summarize(precision, recall, iou_thrs)

    report = dict(
        **run_info(),
        images=len(gt['images']), gt_instances=len(gt['annotations']),
        predictions=len(preds),
        converter_seconds=None if convert_s is None else round(convert_s, 1),
        pycocotools_seconds=round(ref_s, 2),
        seconds_per_run=dict(pycocotools=[round(t, 2) for t in ref_times],
                             ours=[round(t, 2) for t in ours_times]),
        ours_seconds=round(ours_s, 2),
        speedup=round(ref_s / ours_s, 2),
        evaluator=f'hotcoco {hotcoco.__version__}',
        max_abs_stat_diff=max(abs(ours.stats[k] - ref_stats[k])
                              for k in ref_stats),
        max_abs_precision_diff=float(np.abs(ours.precision -
                                            precision).max()),
        max_abs_recall_diff=float(np.abs(ours.recall - recall).max()),
        stats_pycocotools=ref_stats, stats_ours=ours.stats)
    md = [
        '# Places challenge scoring: ours vs pycocotools', '',
        f'Command: `{report["command"]}`  ',
        f'Date: {report["date"]}, {report["machine"]}', '',
        f'{report["images"]} images, {report["gt_instances"]} GT instances, '
        f'{report["predictions"]} mask predictions (RLE), maxDets (1, 50, '
        f'255), 255 per image and category (official rule).', '',
        f'Median of {args.repeats} interleaved runs each.', '',
        '| scorer | seconds | AP | AR@255 |', '|---|---|---|---|',
        f'| pycocotools 2.0.11 (official evaluator) | {ref_s:.2f} | '
        f'{ref_stats["AP"]:.4f} | {ref_stats["AR@255"]:.4f} |',
        f'| ours (evaluate_places: hotcoco {hotcoco.__version__}, '
        f'{os.cpu_count()} threads) | {ours_s:.2f} | '
        f'{ours.stats["AP"]:.4f} | {ours.stats["AR@255"]:.4f} |', '',
        f'Speed-up: **{report["speedup"]}x**. Largest difference: 12 '
        f'numbers {report["max_abs_stat_diff"]:.1e}, precision array '
        f'{report["max_abs_precision_diff"]:.1e}, recall array '
        f'{report["max_abs_recall_diff"]:.1e}.'
    ]
    write_report(args.out, report, '\n'.join(md) + '\n')


if __name__ == '__main__':
    main()
