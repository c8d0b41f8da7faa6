"""What K latent samples cost: Latent-MaskRCNN's inference modes against one
Mask R-CNN pass, per image, with a breakdown of where the time goes.

    python benchmarks/latent_sampling_cost.py [--images 50] [--ks 1 4 8 16]

Both cpu-tiny models of ``benchmarks/latent_vs_mask_rcnn.py`` (its
checkpoints in ``--work-dir``, trained with its options when missing) run
on the first ``--images`` test images of the bag scenes, batch 1, after
``--warmup`` untimed images, in this process. Per mode: the median wall
time per image, its ratio to Mask R-CNN's, and the median time of each
stage: backbone + neck, latent fusion + RPN, RoI heads (boxes and mask
logits), mask paste (the masks pasted to full resolution, inside the RoI
heads), fusion of the samples (confidence masks / Union-NMS). Modes:
prior mean (one pass), and for each K the K samples themselves,
confidence masks (p = 0.9) and Union-NMS. Targets (issue 17): confidence
masks at K = 8 within 2x one Mask R-CNN pass, K = 16 within 3x. Run it
alone: it measures time.
"""
import argparse
import os.path as osp
import statistics
import time
from collections import defaultdict

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmengine.runner import load_checkpoint

import latent_vs_mask_rcnn as pair
from mmrot_ext.engine import add_project_root
from harness import REPO, ensure_data
from report import run_info, write_report

STAGES = ('backbone + neck', 'fusion + RPN', 'RoI heads', 'mask paste',
          'fusion of samples')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthetic_bags_bench')
    parser.add_argument('--images', type=int, default=50)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--ks', nargs='+', type=int, default=[1, 4, 8, 16])
    parser.add_argument('--work-dir', default='work_dirs/bench_latent')
    parser.add_argument('--out',
                        default='benchmarks/results/latent_sampling_cost')
    return parser.parse_args()


def checkpoint(name, cfg, args):
    """The last checkpoint of ``latent_vs_mask_rcnn.py``'s training of
    ``name`` (trained now with its options if it is not there)."""
    return pair.train_model(name, cfg, args.data_root,
                            osp.join(REPO, args.work_dir), 5)['checkpoint']


class StageClock:
    """Wall time of named methods, per image (nested calls are separate
    stages: the caller subtracts what it contains)."""

    def __init__(self):
        self.image = defaultdict(float)

    def wrap(self, owner, method, stage):
        original = getattr(owner, method)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            out = original(*args, **kwargs)
            self.image[stage] += time.perf_counter() - start
            return out

        setattr(owner, method, timed)


def build(cfg_path, ckpt, args):
    add_project_root(osp.join(REPO, cfg_path))  # the config is a project's
    cfg = Config.fromfile(osp.join(REPO, cfg_path))
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    model.eval()
    dataset = cfg.test_dataloader.dataset
    dataset.update(data_root=osp.join(REPO, args.data_root) + '/',
                   ann_file='annotations/instances_test.json')
    return cfg, model, DATASETS.build(dataset)


def measure(model, dataset, args, latent=None):
    """Median seconds per image (total and per stage) over the images."""
    if latent is not None:
        model.test_cfg.latent.update(latent)
    clock = StageClock()
    clock.wrap(model, 'extract_feat', 'backbone + neck')
    clock.wrap(model.rpn_head, 'predict', 'fusion + RPN')
    clock.wrap(model.roi_head, 'predict', 'RoI heads')
    clock.wrap(model.roi_head.mask_head, 'predict_by_feat', 'mask paste')
    if hasattr(model, 'fusion'):
        clock.wrap(model.fusion, 'forward', 'fusion + RPN')
        clock.wrap(model, '_fuse', 'fusion of samples')
    totals, stages = [], defaultdict(list)
    for i in range(args.warmup + args.images):
        data = model.data_preprocessor(pseudo_collate([dataset[i]]), False)
        clock.image.clear()
        start = time.perf_counter()
        with torch.no_grad():
            model.predict(data['inputs'], data['data_samples'])
        if i < args.warmup:
            continue
        totals.append(time.perf_counter() - start)
        # the RoI heads' time contains the paste
        clock.image['RoI heads'] -= clock.image['mask paste']
        for stage in STAGES:
            stages[stage].append(clock.image[stage])
    for owner in (model, model.rpn_head, model.roi_head,
                  model.roi_head.mask_head, getattr(model, 'fusion', None)):
        if owner is not None:  # drop the wrappers (instance attributes)
            for name in ('extract_feat', 'predict', 'predict_by_feat',
                         'forward', '_fuse'):
                owner.__dict__.pop(name, None)
    return dict(seconds=statistics.median(totals),
                stages={s: statistics.median(v) for s, v in stages.items()})


def markdown(report):
    lines = [
        '# Latent-MaskRCNN sampling cost against one Mask R-CNN pass '
        '(cpu-tiny, bag scenes)', '',
        f'Command: `{report["command"]}`  ',
        f'Date: {report["date"]}, {report["machine"]}', '',
        f'{report["setup"]}', '',
        '| mode | K | ms / image | x Mask R-CNN | ' +
        ' | '.join(STAGES) + ' |', '|---' * (4 + len(STAGES)) + '|'
    ]
    for r in report['rows']:
        lines.append(
            f'| {r["mode"]} | {r["k"] or "-"} | {1000 * r["seconds"]:.0f} | '
            f'{r["ratio"]:.2f} | ' + ' | '.join(
                f'{1000 * r["stages"][s]:.0f}' for s in STAGES) + ' |')
    lines += ['', '| target (issue 17) | holds here |', '|---|---|']
    lines += [f'| {k} | {v} |' for k, v in report['targets'].items()]
    return '\n'.join(lines) + '\n'


def main():
    args = parse_args()
    ensure_data(args.data_root, pair.BAG_SCENES, '--num-train', 1000,
                '--num-val', 0, '--num-test', 100, '--seed', 0)
    torch.manual_seed(0)
    rows = []
    _, model, dataset = build(pair.BASELINE, checkpoint(
        'Mask R-CNN', pair.BASELINE, args), args)
    base = measure(model, dataset, args)
    rows.append(dict(mode='Mask R-CNN', k=None, **base))
    _, model, dataset = build(pair.LATENT, checkpoint(
        'Latent-MaskRCNN', pair.LATENT, args), args)
    rows.append(dict(mode='prior mean', k=None, **measure(
        model, dataset, args, dict(mode='prior_mean'))))
    for k in args.ks:
        for mode, name in (('samples', 'K samples'),
                           ('confidence', 'confidence masks (p = 0.9)'),
                           ('union_nms', 'Union-NMS')):
            rows.append(dict(mode=name, k=k, **measure(
                model, dataset, args,
                dict(mode=mode, num_samples=k, p=0.9, seed=0))))
    for row in rows:
        row['ratio'] = row['seconds'] / base['seconds']
    conf = {r['k']: r['ratio'] for r in rows
            if r['mode'].startswith('confidence')}
    targets = {}
    for k, bar in ((8, 2.0), (16, 3.0)):
        if k in conf:
            targets[f'confidence masks at K = {k} <= {bar:g}x Mask R-CNN'] \
                = f'{conf[k] <= bar} ({conf[k]:.2f}x)'
    report = dict(
        **run_info(), rows=rows, targets=targets,
        setup=f'{args.data_root}: the first {args.images} test images, '
        f'batch 1, {args.warmup} warm-up images, {torch.get_num_threads()} '
        'threads; medians per image; the checkpoints of '
        'benchmarks/latent_vs_mask_rcnn.py (5 epochs). Stages in ms: RoI '
        'heads without the mask paste; fusion + RPN includes the latent '
        'fusion convs.')
    write_report(args.out, report, markdown(report))


if __name__ == '__main__':
    main()
