"""BoxInst vs BoxTeacher (both box-only) vs CondInst (masks), side by side.

    python benchmarks/boxteacher_vs_boxinst.py [--preset dense] [--epochs 5]

The three cpu-tiny configs in projects/BoxTeacher/configs/ share network
(ResNet-18 from scratch, 64-channel FPN, FCOS head, dynamic mask head),
schedule (AdamW, 5 epochs, batch 4) and data (a synthetic preset, 1,000
train / 200 test images, seed 0); they differ only in supervision. Each is
trained with tools/train.py and scored on the test split with
tools/test.py (COCO mask and box AP). BoxTeacher is scored with its teacher
(the default) and, for reference, its student. Writes JSON and markdown to
benchmarks/results/. The paper's pattern (COCO, R-50 1x): BoxTeacher 32.6 vs
BoxInst 30.7 mask AP, close to full supervision (CondInst ~36); our bar:
BoxTeacher above BoxInst and at least 85 % of CondInst's mask AP.
"""
import argparse
import os.path as osp

from harness import (DENSE_SCENES, REPO, data_options, ensure_data,
                     schedule_options, test, train)
from report import run_info, write_report

CONFIGS = 'projects/BoxTeacher/configs/'
METHODS = (
    ('BoxTeacher', 'boxes', CONFIGS +
     'boxteacher_r18_fpn_cpu-tiny_synthetic-dense.py'),
    ('BoxInst', 'boxes', CONFIGS +
     'boxinst_r18_fpn_cpu-tiny_synthetic-dense.py'),
    ('CondInst', 'masks', CONFIGS +
     'condinst_r18_fpn_cpu-tiny_synthetic-dense.py'),
)
COLUMNS = ('segm_mAP', 'segm_mAP_50', 'segm_mAP_75', 'bbox_mAP')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--preset', default='dense',
                        choices=['sparse', 'dense', 'very-dense'])
    parser.add_argument('--data-root', default=None,
                        help='default: data/synthetic_<preset>_bench')
    parser.add_argument('--num-train', type=int, default=1000)
    parser.add_argument('--num-test', type=int, default=200)
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--work-dir', default='work_dirs/bench_boxteacher')
    parser.add_argument('--out', default=None,
                        help='default: benchmarks/results/'
                        'boxteacher_vs_boxinst[_<preset>]')
    args = parser.parse_args()
    tag = args.preset.replace('-', '_')
    args.data_root = args.data_root or f'data/synthetic_{tag}_bench'
    args.out = args.out or 'benchmarks/results/boxteacher_vs_boxinst' + (
        '' if args.preset == 'dense' else f'_{tag}')
    if args.preset != 'dense':
        args.work_dir += f'_{tag}'
    return args


def scores(metrics):
    """The COCO columns of a test run; 0.0 where mmdet's metric reports
    nothing because the model detected nothing (it logs "The testing
    results of the whole dataset is empty"): the AP of no detections."""
    return {c: metrics.get(f'coco/{c}', 0.0) for c in COLUMNS}


def markdown(report):
    lines = [
        '# BoxInst vs BoxTeacher vs CondInst, synthetic '
        f'{report["preset"]} scenes (cpu-tiny)',
        '', f'Command: `{report["command"]}`  ',
        f'Date: {report["date"]}, {report["machine"]}', '',
        f'Dataset: {report["dataset"]}; {report["epochs"]} epochs each, '
        'same network and schedule; scored on the test split.', '',
        '| method | labels | ' + ' | '.join(COLUMNS) +
        ' | train s/iter |', '|---' * (len(COLUMNS) + 3) + '|'
    ]
    for name, r in report['rows'].items():
        lines.append(f'| {name} | {r["labels"]} | ' + ' | '.join(
            f'{r[c]:.3f}' for c in COLUMNS) +
            f' | {r["train_s_per_iter"]:.3f} |')
    lines += ['', '| paper pattern / our bar | holds here |', '|---|---|']
    lines += [f'| {k} | {v} |' for k, v in report['pattern'].items()]
    return '\n'.join(lines) + '\n'


def main():
    args = parse_args()
    ensure_data(args.data_root, DENSE_SCENES, '--num-train',
                args.num_train, '--num-val', 100, '--num-test', args.num_test,
                '--preset', args.preset, '--seed', 0)
    work = osp.join(REPO, args.work_dir)
    report = dict(
        **run_info(),
        dataset=f'{args.data_root} ({args.preset} preset, {args.num_train} '
        'train / '
        f'{args.num_test} test images, seed 0)',
        preset=args.preset, epochs=args.epochs, rows={})
    options = data_options(args.data_root)
    for name, labels, cfg in METHODS:
        work_dir = osp.join(work, name)
        trained = train(cfg, work_dir,
                        options + schedule_options(args.epochs), name)
        variants = [(name, [])]
        if name == 'BoxTeacher':
            variants.append(('BoxTeacher (student)',
                             ['model.semi_test_cfg.predict_on=student']))
        for row, extra in variants:
            metrics, test_seconds = test(
                cfg, trained['checkpoint'],
                osp.join(work_dir, 'test_' + row.split()[-1]),
                options + extra, name=row)
            report['rows'][row] = dict(
                labels=labels, train_seconds=trained['train_seconds'],
                train_s_per_iter=trained['train_s_per_iter'],
                test_seconds=test_seconds, **scores(metrics))
    rows = report['rows']
    bt, bi, ci = (rows[k]['segm_mAP']
                  for k in ('BoxTeacher', 'BoxInst', 'CondInst'))
    report['ratios'] = dict(
        boxteacher_over_boxinst=round(bt / bi, 3) if bi else None,
        boxteacher_over_condinst=round(bt / ci, 3) if ci else None,
        boxinst_over_condinst=round(bi / ci, 3) if ci else None)
    over_boxinst = report['ratios']['boxteacher_over_boxinst']
    report['pattern'] = {
        'BoxTeacher above BoxInst (mask AP)':
        f'{bt > bi} ({bt:.3f} vs {bi:.3f}, ' +
        (f'{over_boxinst}x)' if over_boxinst else 'ratio undefined)'),
        'BoxTeacher >= 85 % of fully supervised CondInst':
        f'{bt >= 0.85 * ci} ({bt:.3f} vs {ci:.3f}, '
        f'{report["ratios"]["boxteacher_over_condinst"]:.0%})'
        if ci else 'CondInst AP is 0',
        'paper (COCO R-50 1x): BoxTeacher / BoxInst = 32.6 / 30.7':
        '1.062x; CondInst ~36.0, BoxTeacher 91 % of it',
    }
    write_report(args.out, report, markdown(report))


if __name__ == '__main__':
    main()
