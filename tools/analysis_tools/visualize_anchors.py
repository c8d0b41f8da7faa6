"""Draw a config's anchors: the base anchors of every FPN level, and for a
dataset image its GT boxes with the anchors the RPN assigner makes positive;
print, per class over the first training images, how many GT get a positive
anchor and how well their best anchor fits.

    python tools/analysis_tools/visualize_anchors.py CONFIG \
        [--index 0] [--num-images 50] [--out anchors.png] \
        [--cfg-options k=v ...]

Tune anchor scales, ratios and (for rotated RPNs) angles with it: a GT with
no positive anchor is never proposed at the RPN stage. Works for rotated
(N, 5) and axis-aligned (N, 4) anchors.
"""
import mmrot_ext.modules  # noqa: F401  (first: lets mmrotate import)

# isort: split
import argparse

import cv2
import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmengine.structures import InstanceData
from mmrotate.structures.bbox import rbox2qbox

from mmrot_ext.engine import load_tool_config

LEVEL_COLOURS = [(255, 128, 0), (0, 200, 255), (255, 0, 255), (0, 255, 128),
                 (128, 128, 255), (255, 255, 0)]
RANDOM_TRANSFORMS = ('RandomFlip', 'RandomRotate', 'RandomCrop')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--index', type=int, default=0,
                        help='training-set image to draw')
    parser.add_argument('--num-images', type=int, default=50,
                        help='training images counted per class')
    parser.add_argument('--out', default='anchors.png')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def corners(boxes):
    """Polygons (N, 4, 2) of (N, 4) xyxy or (N, 5) rotated boxes."""
    boxes = torch.as_tensor(boxes, dtype=torch.float32)
    if boxes.size(-1) == 5:
        return rbox2qbox(boxes).reshape(-1, 4, 2).numpy()
    x1, y1, x2, y2 = boxes.unbind(-1)
    return torch.stack([x1, y1, x2, y1, x2, y2, x1, y2],
                       -1).reshape(-1, 4, 2).numpy()


def draw(canvas, boxes, colour, thickness=1):
    for poly in corners(boxes):
        cv2.polylines(canvas, [np.round(poly).astype(np.int32)], True,
                      colour, thickness, cv2.LINE_AA)


def base_anchor_panel(prior_generator, size=512):
    """Every level's base anchors, centred, one colour per level."""
    canvas = np.full((size, size, 3), 255, np.uint8)
    for level, base in enumerate(prior_generator.base_anchors):
        base = base.clone()
        centre = base[:, :2].mean(0) if base.size(1) == 5 else \
            (base[:, :2] + base[:, 2:]).mean(0) / 2
        shift = torch.tensor([size / 2, size / 2]) - centre
        if base.size(1) == 5:
            base[:, :2] += shift
        else:
            base += shift.repeat(2)
        draw(canvas, base, LEVEL_COLOURS[level % len(LEVEL_COLOURS)])
        cv2.putText(canvas, f'level {level}: stride '
                    f'{prior_generator.strides[level][0]}, '
                    f'{len(base)} anchors', (8, 18 + 18 * level),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    LEVEL_COLOURS[level % len(LEVEL_COLOURS)], 1, cv2.LINE_AA)
    return canvas


def training_set(cfg):
    """The training set without random transforms."""
    dataset = cfg.train_dataloader.dataset
    dataset.pipeline = [
        t for t in dataset.pipeline
        if not any(name in t['type'] for name in RANDOM_TRANSFORMS)
    ]
    return DATASETS.build(dataset)


def assign(head, sample):
    """Anchors (N, 4 or 5), the RPN assignment and each GT's best IoU."""
    gt = sample['data_samples'].gt_instances
    height, width = sample['inputs'].shape[-2:]
    sizes = [(int(np.ceil(height / s[1])), int(np.ceil(width / s[0])))
             for s in head.prior_generator.strides]
    anchors = torch.cat([
        getattr(a, 'tensor', a)
        for a in head.prior_generator.grid_priors(sizes, device='cpu')
    ])
    boxes = gt.bboxes
    priors = type(boxes)(anchors) if hasattr(boxes, 'tensor') else anchors
    result = head.assigner.assign(InstanceData(priors=priors), gt)
    overlaps = head.assigner.iou_calculator(boxes, priors)
    best = overlaps.max(dim=1).values if overlaps.numel() else \
        overlaps.new_zeros(len(boxes))
    return anchors, result, best


def assigned_panel(head, sample):
    """The image with GT boxes (green) and positive anchors (red)."""
    image = sample['inputs'].permute(1, 2, 0).numpy().copy()
    anchors, result, _ = assign(head, sample)
    positive = result.gt_inds > 0
    draw(image, anchors[positive], (0, 0, 255))
    boxes = sample['data_samples'].gt_instances.bboxes
    draw(image, getattr(boxes, 'tensor', boxes), (0, 255, 0), 2)
    covered = torch.unique(result.gt_inds[positive] - 1)
    return image, len(anchors), int(positive.sum()), len(boxes), len(covered)


def coverage(head, dataset, num_images):
    """Per class: GT count, GT with a positive anchor, best IoU >= 0.3 / 0.5.

    Returns:
        dict[str, dict[str, int]]: keyed by class name.
    """
    classes = dataset.metainfo['classes']
    counts = {c: dict(gt=0, positive=0, best_03=0, best_05=0)
              for c in classes}
    for index in range(min(num_images, len(dataset))):
        sample = dataset[index]
        _, result, best = assign(head, sample)
        labels = sample['data_samples'].gt_instances.labels
        covered = torch.zeros(len(labels), dtype=torch.bool)
        covered[result.gt_inds[result.gt_inds > 0] - 1] = True
        for label, hit, iou in zip(labels.tolist(), covered.tolist(),
                                   best.tolist()):
            row = counts[classes[label]]
            row['gt'] += 1
            row['positive'] += hit
            row['best_03'] += iou >= 0.3
            row['best_05'] += iou >= 0.5
    return counts


def main(argv=None):
    args = parse_args(argv)
    cfg = load_tool_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    model = MODELS.build(cfg.model)
    dataset = training_set(cfg)
    panel = base_anchor_panel(model.rpn_head.prior_generator)
    image, total, positive, num_gt, covered = assigned_panel(
        model.rpn_head, dataset[args.index])
    scale = panel.shape[0] / image.shape[0]
    image = cv2.resize(image, None, fx=scale, fy=scale,
                       interpolation=cv2.INTER_NEAREST)
    if not cv2.imwrite(args.out, np.concatenate([panel, image], axis=1)):
        raise OSError(f'could not write {args.out}')
    print(f'{total} anchors, {positive} positive; {covered} of {num_gt} GT '
          f'boxes have a positive anchor -> {args.out}')
    num_images = min(args.num_images, len(dataset))
    print(f'per class over {num_images} training images:')
    for name, row in coverage(model.rpn_head, dataset, num_images).items():
        n = max(row['gt'], 1)
        print(f'  {name}: {row["positive"]} of {row["gt"]} GT have a '
              f'positive anchor; best anchor IoU >= 0.3: '
              f'{row["best_03"] / n:.2f}, >= 0.5: {row["best_05"] / n:.2f}')


if __name__ == '__main__':
    main()
