"""Segm AP with and without test-time augmentation, both model families.

    python benchmarks/tta.py [--train-images 300 --epochs 8] \
        [--flips horizontal]

Trains the cpu-tiny MS R-CNN and Rotated MS R-CNN on the first
``--train-images`` dense synthetic scenes (tools/train.py, resumed when a
run in the work directory finished already), then tests each checkpoint on
the 200 test scenes twice with tools/test.py: plain, and with ``--tta``
(the plain view plus one flipped view per ``--flips`` direction, merged by
``InstanceSegTTAModel`` with the family's NMS). Reports segm AP / AP50 /
AP75 (and rotated-box AP for the rotated model), the AP change and the test
time of each, in JSON and markdown under benchmarks/results/.
"""
import argparse
import os.path as osp

import harness
from harness import DENSE_SCENES, cli_options, data_options, schedule_options
from report import run_info, write_report

MODELS = {
    'MS R-CNN': ('configs/ms_rcnn/ms-rcnn_r18_fpn_cpu-tiny_synthetic-'
                 'dense.py', ['segm']),
    'Rotated MS R-CNN': ('configs/rotated_ms_rcnn/rotated-ms-rcnn_r18_fpn_'
                         'cpu-tiny_synthetic-dense.py', ['segm', 'rbox']),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthetic_dense_bench')
    parser.add_argument('--train-images', type=int, default=300)
    parser.add_argument('--epochs', type=int, default=8)
    parser.add_argument('--flips', nargs='+', default=['horizontal'],
                        choices=('horizontal', 'vertical', 'diagonal'))
    parser.add_argument('--work-root', default='work_dirs/bench_tta')
    parser.add_argument('--out', default='benchmarks/results/tta')
    return parser.parse_args()


def main():
    args = parse_args()
    harness.ensure_data(args.data_root, DENSE_SCENES, '--num-train', 1000,
                        '--num-val', 100, '--num-test', 200, '--preset',
                        'dense', '--seed', 0)
    options = data_options(args.data_root) + schedule_options(args.epochs) + \
        [f'train_dataloader.dataset.indices={args.train_images}'] + \
        cli_options({'test_dataloader.num_workers': 0,
                     'test_dataloader.persistent_workers': False})
    rows = {}
    for name, (cfg, metrics) in MODELS.items():
        work_dir = osp.join(args.work_root, name.replace(' ', '_'))
        trained = harness.train(cfg, work_dir, options, name)
        runs = {}
        for tta in (False, True):
            extra = ['--eval', *metrics] + (
                ['--tta', '--tta-flips', *args.flips] if tta else [])
            found, seconds = harness.test(
                cfg, trained['checkpoint'],
                osp.join(work_dir, 'test_tta' if tta else 'test_plain'),
                options, extra, name)
            runs['tta' if tta else 'plain'] = dict(
                test_seconds=seconds,
                **{k.split('/')[-1]: v for k, v in found.items()
                   if k.split('/')[-1].split('_mAP')[0] in metrics and
                   '_mAP' in k})
        rows[name] = dict(config=cfg, checkpoint=trained['checkpoint'],
                          iterations=trained['iterations'], **runs)
    report = dict(**run_info(), train_images=args.train_images,
                  epochs=args.epochs, flips=args.flips, models=rows)
    md = [
        '# Test-time augmentation: segm AP with and without', '',
        f'Command: `{report["command"]}`  ',
        f'Date: {report["date"]}, {report["machine"]}', '',
        f'cpu-tiny models trained {args.epochs} epochs on the first '
        f'{args.train_images} dense synthetic scenes; tested on the 200 test '
        f'scenes plain and with `tools/test.py --tta --tta-flips '
        f'{" ".join(args.flips)}` (the plain view plus '
        f'{len(args.flips)} flipped, merged by the family\'s NMS).', '',
        '| model | test | segm AP | AP50 | AP75 | rbox AP | test s |',
        '|---|---|---|---|---|---|---|'
    ]
    for name, row in rows.items():
        for key in ('plain', 'tta'):
            run = row[key]
            md.append(f'| {name} | {key} | {run["segm_mAP"]:.3f} | '
                      f'{run["segm_mAP_50"]:.3f} | {run["segm_mAP_75"]:.3f} '
                      f'| {run.get("rbox_mAP", float("nan")):.3f} | '
                      f'{run["test_seconds"]:.0f} |')
        change = row['tta']['segm_mAP'] - row['plain']['segm_mAP']
        row['segm_ap_change'] = round(change, 4)
        row['test_time_ratio'] = round(row['tta']['test_seconds'] /
                                       row['plain']['test_seconds'], 2)
        md.append(f'| {name} | TTA - plain | **{change:+.3f}** | | | | '
                  f'x{row["test_time_ratio"]} |')
    write_report(args.out, report, '\n'.join(md) + '\n')


if __name__ == '__main__':
    main()
