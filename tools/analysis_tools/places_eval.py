"""Score a Places Challenge submission, like the official eval_main.py.

    python tools/analysis_tools/places_eval.py \
        --dataset_json instance_validation_gts.json \
        --preds_json submission.json [--max-dets-rule image|category]

Prints AP, AP50, AP75, APs/m/l and AR@1/50/255, ARs/m/l (at 255 detections)
and the AP of every category. ``--max-dets-rule image`` (default) keeps the
255 top-scoring masks per image across categories (the challenge README);
``category`` applies 255 per image and category (the official code).
"""
import argparse
import json
import time

from mmrot_ext.evaluation.coco_backend import EVALUATORS
from mmrot_ext.evaluation.places_eval import (
    MAX_DETS_RULES,
    evaluate_places,
    format_report,
    load_json,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--dataset_json', '--dataset-json', required=True,
                        help='ground truth (places_png_to_coco.py output)')
    parser.add_argument('--preds_json', '--preds-json', required=True,
                        help='submission: list of {image_id, category_id, '
                        'segmentation, score}')
    parser.add_argument('--max-dets-rule', choices=MAX_DETS_RULES,
                        default='image')
    parser.add_argument('--evaluator', choices=EVALUATORS, default='hotcoco',
                        help='COCO evaluator: hotcoco (fast) or pycocotools '
                        '(the stock reference); the numbers are the same')
    parser.add_argument('--json-out', help='also write the numbers here')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    gt = load_json(args.dataset_json, 'ground truth')
    result = evaluate_places(gt, args.preds_json, args.max_dets_rule,
                             args.evaluator)
    if result.num_dropped:
        print(f'{result.num_dropped} predictions beyond 255 per image '
              f'dropped')
    print(format_report(result, gt))
    print(f'MeanAP = {result.stats["AP"]:.4f} '
          f'({time.time() - start:.1f} s, rule {args.max_dets_rule})')
    if args.json_out:
        with open(args.json_out, 'w') as f:
            json.dump(dict(stats=result.stats, per_category={
                str(k): v for k, v in result.per_category.items()}), f,
                      indent=1)
    return result


if __name__ == '__main__':
    main()
