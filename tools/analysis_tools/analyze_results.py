"""The best and worst images of a results file, drawn with ground truth.

    python tools/analysis_tools/analyze_results.py CONFIG RESULTS.pkl \
        OUT_DIR [--topk 20] [--overlap box|rbox|mask] \
        [--show-score-thr 0.3] [--cfg-options ...]

``RESULTS.pkl`` is ``tools/test.py CONFIG CKPT --out RESULTS.pkl``. Each
image is scored by its own COCO-style AP (IoU 0.50:0.95, 101 recall points,
:func:`mmrot_ext.evaluation.per_image_analysis.image_ap`) with the model
family's overlap: rotated IoU for rotated boxes (their default), box IoU
for axis-aligned ones, mask IoU with ``--overlap mask``. The ``--topk``
highest and lowest go to ``OUT_DIR/good`` and ``OUT_DIR/bad`` as
``<image>_<AP>.png``, ground truth (left) beside the predictions (right),
drawn by the config's visualizer; ``OUT_DIR/image_aps.json`` lists every
image's AP. mmdet's tool of the same name stops at a pipeline assertion on
rotated configs, and reads rotated boxes as corners.
"""
import json
import os
import os.path as osp

from mmrot_ext.cli import results_analysis_parser, run_cli


def parse_args(argv=None):
    parser = results_analysis_parser(__doc__.split('\n')[0],
                                     'where the pictures go')
    parser.add_argument('--topk', type=int, default=20,
                        help='how many best and worst images to draw')
    parser.add_argument('--show-score-thr', type=float, default=0.3,
                        help='predictions drawn from this score (all count '
                        'for the AP)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_cli(lambda: analyze_results(args), args.debug)


def analyze_results(args):
    from mmrot_ext.evaluation.per_image_analysis import (
        image_ap, images_against_results)

    if args.topk < 1:
        raise ValueError(f'--topk must be >= 1, got {args.topk}')
    dataset, results, overlap, images = images_against_results(
        args.config, args.results, args.cfg_options, args.overlap)
    aps = [(image_ap(gt['labels'], pred['labels'], pred['scores'], ious),
            index, osp.basename(gt['img_path']))
           for index, gt, pred, ious in images]
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'image_aps.json'), 'w') as f:
        json.dump(dict(overlap=overlap, aps={name: ap for ap, _, name in
                                             aps}), f, indent=1)
    ranked = sorted(aps)
    topk = min(args.topk, max(len(ranked) // 2, 1))
    visualizer = _visualizer(args, dataset)
    for folder, chosen in (('good', ranked[-topk:]), ('bad', ranked[:topk])):
        for ap, index, name in chosen:
            _draw(visualizer, dataset, results[index], index,
                  osp.join(args.out_dir, folder,
                           f'{osp.splitext(name)[0]}_{ap:.3f}.png'),
                  args.show_score_thr)
    mean = sum(ap for ap, _, _ in aps) / len(aps)
    print(f'\nper-image AP ({overlap} overlap): mean {mean:.3f}, best '
          f'{ranked[-1][0]:.3f} ({ranked[-1][2]}), worst {ranked[0][0]:.3f} '
          f'({ranked[0][2]}); {topk} best and worst drawn in '
          f'{args.out_dir}/good and /bad')
    return aps


def _visualizer(args, dataset):
    from mmengine.registry import VISUALIZERS

    from mmrot_ext.engine import load_tool_config
    cfg = load_tool_config(args.config, args.cfg_options)
    visualizer = VISUALIZERS.build(dict(cfg.visualizer,
                                        name='analyze_results',
                                        vis_backends=None))
    visualizer.dataset_meta = dataset.metainfo
    return visualizer


def _draw(visualizer, dataset, result, index, out_file, score_thr):
    """Ground truth beside the predictions of image ``index``."""
    import mmcv
    import pycocotools.mask as mask_util
    import torch
    from mmengine.structures import InstanceData

    sample = dataset[index]['data_samples']
    pred = result['pred_instances']
    instances = InstanceData(bboxes=torch.as_tensor(pred['bboxes']),
                             labels=torch.as_tensor(pred['labels']),
                             scores=torch.as_tensor(pred['scores']))
    if 'masks' in pred and len(pred['masks']):
        instances.masks = torch.from_numpy(
            mask_util.decode(list(pred['masks'])).transpose(2, 0, 1) > 0)
    sample.pred_instances = instances
    image = mmcv.imread(sample.img_path, channel_order='rgb')
    visualizer.add_datasample(osp.basename(out_file), image, sample,
                              draw_gt=True, draw_pred=True, show=False,
                              pred_score_thr=score_thr, out_file=out_file)


if __name__ == '__main__':
    main()
