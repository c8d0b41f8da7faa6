"""Where the time goes: Rotated MS R-CNN vs MS R-CNN, per stage.

    python benchmarks/rotated_profile.py [--steps 5] [--images 10] \
        [--checkpoints ROTATED.pth AXIS_ALIGNED.pth] \
        [--configs ROTATED.py AXIS_ALIGNED.py] [--device cuda]

Builds both models from their configs (default: the cpu-tiny dense Rotated
MS R-CNN and MS R-CNN), on ``--device``, with trained weights
from ``--checkpoints`` (e.g. the last checkpoints of
``rotated_vs_axis_aligned.py``; without them the weights are random, and the
proposal NMS and mask-head costs, which depend on the scores, are not
representative), then times
``--steps`` training steps (batch 4, after 2 warm-up steps) and ``--images``
test images (batch 1). Each stage of the models (backbone, RPN targets,
proposal NMS, RoI assignment, RoI pooling, heads, mask targets, backward,
...) is wrapped by a wall-clock timer, so time inside mmcv's compiled ops
is attributed to its stage (``torch.profiler`` ran out of memory here: the
rotated IoU wrapper makes millions of tiny ATen calls per step). Reports
milliseconds per step / image per stage for both models with the ratio.
On CUDA each timer synchronises the device at both ends, so stages get
their own kernels' time (and the syncs cost a little).
Writes JSON and markdown to benchmarks/results/. Run it alone.
"""
import argparse
import functools
import os
import os.path as osp
import time
from collections import defaultdict

import torch
from report import run_info, write_report
from rotated_vs_axis_aligned import MODELS, REPO

# (label, attribute path from the detector) of the stages to time
STAGES = [
    ('backbone + neck', 'extract_feat'),
    ('rpn: anchor targets', 'rpn_head.get_targets'),
    ('rpn: proposals + NMS', 'rpn_head.predict_by_feat'),
    ('roi: assign', 'roi_head.bbox_assigner.assign'),
    ('roi: sample', 'roi_head.bbox_sampler.sample'),
    ('roi: box RoI pooling', 'roi_head.bbox_roi_extractor.forward'),
    ('roi: box head', 'roi_head.bbox_head.forward'),
    ('roi: box loss + targets', 'roi_head.bbox_head.loss_and_target'),
    ('roi: box predict + NMS', 'roi_head.bbox_head.predict_by_feat'),
    ('roi: mask RoI pooling', 'roi_head.mask_roi_extractor.forward'),
    ('roi: mask head', 'roi_head.mask_head.forward'),
    ('roi: mask loss + targets', 'roi_head.mask_head.loss_and_target'),
    ('roi: mask paste', 'roi_head.mask_head.predict_by_feat'),
    ('roi: MaskIoU head', 'roi_head.mask_iou_head.forward'),
    ('roi: MaskIoU loss + targets', 'roi_head.mask_iou_head.loss_and_target'),
    ('roi: mask-score NMS', 'roi_head._suppress'),
]
TOTALS = ('train step', 'backward', 'optimizer step', 'test image')
SECONDS = defaultdict(float)  # label -> inclusive wall time
SYNC = [lambda: None]  # torch.cuda.synchronize when profiling on CUDA


def timed(name):
    """Decorator adding each call's wall time to ``SECONDS[name]``."""
    def wrap(fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            SYNC[0]()
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                SYNC[0]()
                SECONDS[name] += time.perf_counter() - start
        return wrapped
    return wrap


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthetic_dense_bench')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--images', type=int, default=10)
    parser.add_argument('--checkpoints', nargs=2,
                        metavar=('ROTATED', 'AXIS_ALIGNED'),
                        help='trained weights of the two models')
    parser.add_argument('--configs', nargs=2,
                        metavar=('ROTATED', 'AXIS_ALIGNED'),
                        default=[MODELS['Rotated MS R-CNN'],
                                 MODELS['MS R-CNN']])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', default='benchmarks/results/rotated_profile')
    return parser.parse_args()


def label(obj, attr, name):
    """Time ``obj.attr`` (a bound method) under ``name``."""
    setattr(obj, attr, timed(name)(getattr(obj, attr)))


def build(cfg_path, data_root, ckpt=None, device='cpu'):
    """Model (weights from ``ckpt`` if given) with labelled stages, and
    train / test batches."""
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS
    from mmengine.registry import MODELS as REGISTRY
    from mmengine.registry import init_default_scope

    import mmrot_ext.modules  # noqa: F401
    cfg = Config.fromfile(osp.join(REPO, cfg_path))
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    cfg.model.backbone.init_cfg = None  # no pretrained download
    model = REGISTRY.build(cfg.model).to(device)
    if ckpt:
        from mmengine.runner import load_checkpoint
        load_checkpoint(model, ckpt, map_location='cpu', strict=True,
                        logger='silent')
    for name, path in STAGES:
        *parents, attr = path.split('.')
        obj = model
        for part in parents:
            obj = getattr(obj, part, None)
        if obj is not None and hasattr(obj, attr):
            label(obj, attr, name)
    root = osp.join(REPO, data_root) + '/'
    train = cfg.train_dataloader.dataset
    train.update(data_root=root, verify_images=False)
    test = cfg.test_dataloader.dataset
    test.update(data_root=root, ann_file='annotations/instances_test.json')
    train, test = DATASETS.build(train), DATASETS.build(test)
    batch = cfg.train_dataloader.batch_size
    train_batches = [pseudo_collate([train[i * batch + j]
                                     for j in range(batch)])
                     for i in range(8)]
    test_items = [pseudo_collate([test[i]]) for i in range(20)]
    return model, train_batches, test_items


@timed('train step')
def train_step(model, optimizer, batch):
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    loss, _ = model.parse_losses(losses)
    optimizer.zero_grad()
    timed('backward')(loss.backward)()
    timed('optimizer step')(optimizer.step)()


@timed('test image')
def test_image(model, item):
    with torch.no_grad():
        model.test_step(item)


def profile(fn, runs):
    """``{label: ms per run}`` over ``runs`` calls of ``fn``."""
    SECONDS.clear()
    for run in runs:
        fn(run)
    return {k: round(v * 1e3 / len(runs), 1) for k, v in SECONDS.items()}


def markdown(report):
    names = list(report['models'])
    lines = ['# Where the time goes: Rotated MS R-CNN vs MS R-CNN (cpu-tiny)',
             '', f'Command: `{report["command"]}`  ',
             f'Date: {report["date"]}, {report["machine"]}', '',
             report['note'], '']
    for phase, unit in (('train', 'ms per training step (batch 4)'),
                        ('test', 'ms per test image')):
        lines += [f'## {unit}', '', f'| stage | {names[0]} | {names[1]} | '
                  'ratio |', '|---|---|---|---|']
        rows = report['models']
        keys = [k for k in (*TOTALS, *(n for n, _ in STAGES))
                if any(k in rows[m][phase]['stages'] for m in names)]
        for key in keys:
            a, b = (rows[m][phase]['stages'].get(key) for m in names)
            ratio = f'{a / b:.2f}' if a and b else '-'
            lines.append(f'| {key} | {a if a is not None else "-"} | '
                         f'{b if b is not None else "-"} | {ratio} |')
        lines.append('')
    return '\n'.join(lines)


def main():
    args = parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    if args.device.startswith('cuda'):
        SYNC[0] = torch.cuda.synchronize
    weights = 'trained weights (' + ', '.join(args.checkpoints) + ')' \
        if args.checkpoints else 'random weights (costs that depend on ' \
        'scores, proposal NMS and the mask heads, are not representative)'
    report = dict(**run_info(), note=(
        'Stages are inclusive wall times of labelled calls, in ms (nested '
        'ones are counted in both); "train step" and "test image" are the '
        'totals. '
        f'Models with {weights}.'), models={})
    ckpts = args.checkpoints or (None, None)
    names = ('Rotated MS R-CNN', 'MS R-CNN')
    for name, cfg_path, ckpt in zip(names, args.configs, ckpts):
        model, batches, items = build(cfg_path, args.data_root, ckpt,
                                      args.device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        model.train()
        for batch in batches[:2]:
            train_step(model, optimizer, batch)
        train = profile(lambda b: train_step(model, optimizer, b),
                        batches[2:2 + args.steps])
        model.eval()
        for item in items[:2]:
            test_image(model, item)
        test = profile(lambda i: test_image(model, i),
                       items[2:2 + args.images])
        report['models'][name] = dict(
            config=cfg_path,
            train=dict(stages=train), test=dict(stages=test))
        print(name, train.get('train step'), test.get('test image'),
              flush=True)
    write_report(args.out, report, markdown(report))


if __name__ == '__main__':
    main()
