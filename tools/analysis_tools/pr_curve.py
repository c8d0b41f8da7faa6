"""Precision-recall curve of every class from a COCO results file.

    python tools/analysis_tools/pr_curve.py ANN_FILE RESULTS_JSON OUT_PNG \
        [--iou-type segm|bbox|rbox] [--iou-thr 0.5]

``RESULTS_JSON`` is what ``tools/test.py`` writes with
``--cfg-options test_evaluator.format_only=True
test_evaluator.outfile_prefix=PREFIX``: ``PREFIX.segm.json`` (masks),
``PREFIX.bbox.json`` (axis-aligned boxes) or, from rotated configs,
``PREFIX.rbox.json`` (rotated boxes, matched by rotated IoU). The curves
are COCO's (101 recall points, all areas, the most detections) at
``--iou-thr``, drawn by hotcoco's plot; each class's AP at that IoU is
printed.
"""
import argparse

from mmrot_ext.cli import add_debug_argument, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file', help='COCO ground truth of the results')
    parser.add_argument('results', help='COCO results JSON (see above)')
    parser.add_argument('out', help='where the plot goes (.png)')
    parser.add_argument('--iou-type', choices=('segm', 'bbox', 'rbox'),
                        help='default: from the file name (.segm.json, '
                        '.bbox.json, .rbox.json)')
    parser.add_argument('--iou-thr', type=float, default=0.5,
                        help='one of COCO\'s IoU thresholds (0.50:0.05:0.95)')
    add_debug_argument(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_cli(lambda: pr_curves(args), args.debug)


def pr_curves(args):
    import numpy as np
    from hotcoco.plot import pr_curve

    from mmrot_ext.evaluation.coco_backend import (coco_api, coco_classes,
                                                   obb_results,
                                                   run_evaluation)
    from mmrot_ext.evaluation.metrics.rotated_coco_instance_metric import \
        rbox_dataset
    from mmrot_ext.fileio import load_json

    iou_type = args.iou_type or next(
        (t for t in ('segm', 'bbox', 'rbox')
         if args.results.endswith(f'.{t}.json')), None)
    if iou_type is None:
        raise ValueError(f'{args.results}: give --iou-type (the name does '
                         f'not end in .segm.json, .bbox.json or .rbox.json)')
    thrs = np.linspace(0.5, 0.95, 10)
    if not np.isclose(thrs, args.iou_thr).any():
        raise ValueError(f'--iou-thr must be one of {thrs.round(2)}, got '
                         f'{args.iou_thr}')
    dets = load_json(args.results, 'results')
    if not isinstance(dets, list) or not dets:
        raise ValueError(f'{args.results}: no results (an empty list, or '
                         f'not a COCO results file)')
    gt = load_json(args.ann_file, 'ground truth')
    if iou_type == 'rbox':
        if 'rbox' not in dets[0]:
            raise ValueError(f'{args.results}: entries have no "rbox"; '
                             f'rotated results come from a rotated config')
        # pycocotools' COCO rasterises the masks of annotations without
        # an rbox
        gt = rbox_dataset(coco_api(gt, 'pycocotools'))
        dets = obb_results(dets)
    coco_gt = coco_api(gt)
    coco_eval = coco_classes()[1](coco_gt, coco_gt.loadRes(dets),
                                  'obb' if iou_type == 'rbox' else iou_type)
    run_evaluation(coco_eval)  # hotcoco's plot reads the summary too
    pr_curve(coco_eval, iou_thr=args.iou_thr,
             cat_ids=list(coco_eval.params.catIds), paper_mode=True,
             save_path=args.out)
    precision = np.asarray(coco_eval.eval['precision'])
    t = int(np.argmin(np.abs(thrs - args.iou_thr)))
    names = {c['id']: c['name'] for c in gt['categories']}
    print(f'{iou_type} AP at IoU {args.iou_thr:.2f}, per class:')
    aps = {}
    for k, cat_id in enumerate(coco_eval.params.catIds):
        values = precision[t, :, k, 0, -1]
        values = values[values > -1]
        aps[names[cat_id]] = float(values.mean()) if values.size else \
            float('nan')
        print(f'  {names[cat_id]:<16s} {aps[names[cat_id]]:.3f}')
    print(f'curves written to {args.out}')
    return aps


if __name__ == '__main__':
    main()
