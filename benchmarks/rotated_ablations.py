"""Rotated MS R-CNN ablations of the original's training choices whose effect
on accuracy is uncertain (docs/rotated-fidelity.md).

    python benchmarks/rotated_ablations.py [--train-images 500] [--epochs 5] \
        [--variants current seed-1 maskiou-smooth-l1 ...]

Each variant is the cpu-tiny dense Rotated MS R-CNN config with a few
config options changed, trained once with tools/train.py (same data, seed
and schedule) and evaluated at its last epoch on ``--split`` (segm AP, AP50,
AP75, AP per class, RPN proposal recall per class). The default length,
625 iterations (about 14 minutes a variant on 2 cores), is about the least
at which this model is past its first steep rise (segm AP 0.29 at 625
iterations, 0.04 at 252). ``seed-1`` is the
current config with another seed: the spread between it and ``current`` is
the noise a single difference has to exceed. Writes JSON and markdown to
benchmarks/results/ after each variant; variants already in that JSON from
a run with the same schedule are kept, so a run killed (or limited with
``--variants``) is completed by running the missing variants.
"""
import argparse
import json
import os
import os.path as osp

import torch
from report import run_info, write_report
from rotated_vs_axis_aligned import (CLASSES, MODELS, REPO, ensure_data,
                                     evaluate, fmt, proposal_recall, train)

CFG = MODELS['Rotated MS R-CNN']
VARIANTS = {
    'current': ('the shipped config', {}),
    'seed-1': ('the shipped config, randomness.seed=1',
               {'randomness.seed': 1}),
    'maskiou-smooth-l1': (
        'MaskIoU loss smooth-L1 beta 1/9, weight 1 (original) instead of '
        'MSE x 0.5', {
            'model.roi_head.mask_iou_head.loss_iou.type':
            'mmdet.SmoothL1Loss',
            'model.roi_head.mask_iou_head.loss_iou.beta': round(1 / 9, 6),
            'model.roi_head.mask_iou_head.loss_iou.loss_weight': 1.0
        }),
    'angle-std-0.316': (
        'RoI angle target std 0.316 (the original\'s 10 (1 - cos) weight for '
        'small errors) instead of 0.1', {
            'model.roi_head.bbox_head.bbox_coder.target_stds':
            [0.1, 0.1, 0.2, 0.2, 0.316]
        }),
    'class-specific-boxes': (
        'class-specific RoI box regression (original) instead of '
        'class-agnostic', {'model.roi_head.bbox_head.reg_class_agnostic':
                           False}),
    'gt-balanced-objectness': (
        'RPN objectness weighted so every GT counts equally (original)',
        {'model.train_cfg.rpn.gt_balanced_objectness': True}),
    'jittered-gt-proposals': (
        '3 jittered copies of every GT among the RoI proposals (original: '
        '+-7 px, x0.94-1.06, +-5 deg)',
        {'model.train_cfg.rcnn.jittered_gt_proposals.num_copies': 3}),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthetic_dense_bench')
    parser.add_argument('--num-train', type=int, default=1000,
                        help='training images generated if data is missing')
    parser.add_argument('--num-test', type=int, default=200)
    parser.add_argument('--train-images', type=int, default=500,
                        help='train on the first N training images')
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--split', default='val', choices=['val', 'test'])
    parser.add_argument('--variants', nargs='+', choices=list(VARIANTS),
                        default=list(VARIANTS))
    parser.add_argument('--work-dir', default='work_dirs/bench_ablations')
    parser.add_argument('--out',
                        default='benchmarks/results/rotated_ablations')
    return parser.parse_args()


def markdown(report):
    rows = report['variants']
    lines = [
        '# Rotated MS R-CNN ablations, dense synthetic scenes (cpu-tiny)', '',
        f'Command: `{report["command"]}`  ',
        f'Date: {report["date"]}, {report["machine"]}' +
        (f' (variants kept from runs of {", ".join(report["earlier_runs"])}'
         ')' if report.get('earlier_runs') else ''), '',
        f'{report["schedule"]}', '',
        '| variant | change | segm AP | delta | AP50 | AP75 | AP pen | '
        'AP pencil | AP chopstick | recall@0.5 pen / pencil / chopstick |',
        '|---|---|---|---|---|---|---|---|---|---|'
    ]
    base = rows.get('current', {}).get('segm_AP')
    for name, r in rows.items():
        delta = '-' if base is None else f'{r["segm_AP"] - base:+.3f}'
        cls, rec = r['segm_AP_per_class'], r['proposal_recall']
        lines.append(
            f'| {name} | {r["change"]} | {fmt(r["segm_AP"])} | {delta} | '
            f'{fmt(r["segm_AP50"])} | {fmt(r["segm_AP75"])} | ' +
            ' | '.join(fmt(cls[c]) for c in CLASSES) + ' | ' +
            ' / '.join(fmt(rec[c]['recall@0.5']) for c in CLASSES) + ' |')
    if 'seed_spread' in report:
        lines += ['', f'Seed spread (|current - seed-1| in segm AP): '
                  f'{report["seed_spread"]:.3f}.']
    return '\n'.join(lines) + '\n'


def main():
    args = parse_args()
    args.eval_epochs = [args.epochs]
    torch.set_num_threads(os.cpu_count() or 1)
    ensure_data(args)
    report = dict(
        **run_info(),
        config=CFG,
        schedule=f'{args.data_root}: first {args.train_images} training '
        f'images, {args.epochs} epochs (learning rate x0.1 for the last), '
        f'seed 0 unless the variant says otherwise; evaluated on the '
        f'{args.split} split.',
        variants={})
    if osp.exists(osp.join(REPO, args.out + '.json')):
        with open(osp.join(REPO, args.out + '.json')) as f:
            earlier = json.load(f)
        if earlier.get('schedule') == report['schedule']:
            report['variants'] = {k: v for k, v in earlier['variants'].items()
                                  if k not in args.variants}
            report['earlier_runs'] = sorted(
                {earlier['date']} | set(earlier.get('earlier_runs', [])))
    for name in args.variants:
        change, options = VARIANTS[name]
        work_dir = osp.join(REPO, args.work_dir, name)
        os.makedirs(work_dir, exist_ok=True)
        result = train(name, CFG, args, work_dir, options)
        ckpt = osp.join(work_dir, f'epoch_{args.epochs}.pth')
        result.update(evaluate(name, CFG, ckpt, args,
                               osp.join(work_dir, 'eval'), options,
                               args.split))
        result['proposal_recall'] = proposal_recall(CFG, ckpt, args, options,
                                                    args.split)
        result.update(change=change, options=options)
        report['variants'][name] = result
        rows = report['variants'] = {
            k: report['variants'][k] for k in VARIANTS
            if k in report['variants']}
        if 'current' in rows and 'seed-1' in rows:
            report['seed_spread'] = round(
                abs(rows['current']['segm_AP'] - rows['seed-1']['segm_AP']),
                3)
        write_report(args.out, report, markdown(report))


if __name__ == '__main__':
    main()
