"""Proposal recall of a (rotated) RPN, as the Faster R-CNN paper's Fig. 4:
recall against IoU (0.5:0.05:0.95) at 300 / 1000 / 2000 proposals per
image, and recall against the number of proposals at IoU 0.5 and 0.7.

    python tools/analysis_tools/proposal_recall.py CONFIG CHECKPOINT \
        [--num-proposals 300 1000 2000] [--out-dir proposal_recall] \
        [--cfg-options k=v ...]

Runs the checkpoint's RPN (of a two-stage detector or an RPN-only model) on
the config's test set, keeping up to the largest N proposals per image
after the RPN's NMS (its ``nms_pre`` raised to at least that N; the top n
of them are what ``max_per_img=n`` would keep), and matches them to the
ground truth of the test annotation file: axis-aligned IoU for (N, 4)
proposals, exact rotated IoU for (N, 5) ones (GT ``rbox``). A GT counts as
recalled by the top N at IoU t when one of them overlaps it by t (the best
overlap per GT, as the paper). Crowd / ignored GT are left out. Writes
``proposal_recall.json`` and ``proposal_recall.png`` to ``--out-dir``.
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import DictAction

NUM_GRID = (10, 20, 50, 100, 200, 300, 500, 700, 1000, 1500, 2000)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config of the model')
    parser.add_argument('checkpoint', help='checkpoint with its RPN')
    parser.add_argument('--num-proposals', nargs='+', type=int,
                        default=[300, 1000, 2000],
                        help='Ns of the recall-vs-IoU curves')
    parser.add_argument('--max-images', type=int,
                        help='only the first N test images')
    parser.add_argument('--out-dir', default='proposal_recall',
                        help='where the JSON and the PNG go')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries (e.g. the test '
                        'annotation file)')
    return parser.parse_args(argv)


def gt_boxes(data_info, rotated):
    """Non-ignored GT boxes of an image: rboxes (G, 5) or xyxy (G, 4)."""
    import torch
    kept = [inst for inst in data_info['instances']
            if not inst.get('ignore_flag', 0)]
    if rotated:
        missing = [i for i, inst in enumerate(kept) if 'rbox' not in inst]
        if missing:
            raise KeyError(f'{data_info["img_path"]}: rotated proposals '
                           f'need a GT "rbox" in every annotation '
                           f'({len(missing)} lack one)')
        return torch.tensor([inst['rbox'] for inst in kept],
                            dtype=torch.float32).reshape(-1, 5)
    return torch.tensor([inst['bbox'] for inst in kept],
                        dtype=torch.float32).reshape(-1, 4)


def plot(curves, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for n, recall in curves['recall_vs_iou'].items():
        left.plot(curves['iou_thrs'], recall, marker='.', label=f'{n}')
    left.set(xlabel='IoU', ylabel='recall', ylim=(0, 1.02),
             title='recall vs IoU (proposals per image)')
    left.legend()
    for t, recall in curves['recall_vs_num'].items():
        right.plot(curves['num_grid'], recall, marker='.', label=f'IoU {t}')
    right.set(xscale='log', xlabel='proposals per image', ylabel='recall',
              ylim=(0, 1.02), title='recall vs number of proposals')
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    # the stack is imported after parsing: --help answers at once
    import mmrot_ext.modules  # noqa: F401  (first: lets mmrotate import)

    # isort: split
    import numpy as np
    import torch
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS, MODELS, init_default_scope
    from mmengine.runner import load_checkpoint
    from mmengine.utils import ProgressBar

    from mmrot_ext.engine import load_tool_config
    from mmrot_ext.evaluation.proposal_recall import (IOU_THRS,
                                                      best_overlaps,
                                                      recall_curves)
    from mmrot_ext.models.detectors import rpn_head_of
    cfg = load_tool_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    top = max(args.num_proposals)
    rpn_cfg = cfg.model.test_cfg.get('rpn', cfg.model.test_cfg)
    rpn_cfg.update(max_per_img=top, nms_pre=max(rpn_cfg.get('nms_pre', 0),
                                                top))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu',
                    logger='silent')
    model.eval()
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    count = min(len(dataset), args.max_images or len(dataset))
    ns = sorted(set(args.num_proposals) | set(NUM_GRID))
    rpn = rpn_head_of(model)
    best, rotated, bar = [], None, ProgressBar(count)
    for i in range(count):
        data = model.data_preprocessor(pseudo_collate([dataset[i]]), False)
        with torch.no_grad():
            feats = model.extract_feat(data['inputs'])
            proposals = rpn.predict(feats, data['data_samples'],
                                    rescale=True)[0]
        boxes = getattr(proposals.bboxes, 'tensor', proposals.bboxes)
        boxes = boxes[proposals.scores.argsort(descending=True)]
        rotated = boxes.shape[1] == 5
        gt = gt_boxes(dataset.get_data_info(i), rotated)
        best.append(best_overlaps(gt, boxes, ns))
        bar.update()
    best = np.concatenate(best, axis=1)
    recall = recall_curves(best)
    by_n = dict(zip(ns, recall))
    thr_index = {t: i for i, t in enumerate(IOU_THRS)}
    curves = dict(
        config=args.config, checkpoint=args.checkpoint, images=count,
        gt_objects=int(best.shape[1]), rotated=bool(rotated),
        iou_thrs=list(map(float, IOU_THRS)),
        recall_vs_iou={n: by_n[n].round(4).tolist()
                       for n in args.num_proposals},
        num_grid=[n for n in ns if n <= top],
        recall_vs_num={t: [round(float(by_n[n][thr_index[t]]), 4)
                           for n in ns if n <= top] for t in (0.5, 0.7)})
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'proposal_recall.json'), 'w') as f:
        json.dump(curves, f, indent=1)
    plot(curves, osp.join(args.out_dir, 'proposal_recall.png'))
    print(f'\n{count} images, {best.shape[1]} GT objects, '
          f'{"rotated" if rotated else "axis-aligned"} proposals')
    for n in args.num_proposals:
        print(f'recall at {n} proposals, IoU 0.5 / 0.7: '
              f'{by_n[n][0]:.3f} / {by_n[n][thr_index[0.7]]:.3f}')
    print(f'written to {args.out_dir}/proposal_recall.{{json,png}}')
    return curves


if __name__ == '__main__':
    main()
