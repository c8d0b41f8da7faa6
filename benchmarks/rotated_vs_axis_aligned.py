"""MS R-CNN vs Rotated MS R-CNN on the dense synthetic set, side by side.

    python benchmarks/rotated_vs_axis_aligned.py [--epochs 5]

Both cpu-tiny models share backbone (ResNet-18 from scratch, 64-channel FPN),
RoI budget, schedule (AdamW, the cpu-tiny epochs) and data (the same dense
scenes, flips only). Each trains with tools/train.py in a subprocess; then
both are evaluated on the test split (segm AP, AP50, AP75, AR@100) and timed
per test image in this process. Writes JSON and markdown to
benchmarks/results/. Paper (PPC, R-50): 19.3 vs 13.2 mask AP (x1.46), ~10 %
slower inference, 30-50 % slower training.
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import threading
import time

import psutil
import torch
from report import write_report

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
MODELS = {
    'MS R-CNN': 'configs/ms_rcnn/ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    'Rotated MS R-CNN': 'configs/rotated_ms_rcnn/'
    'rotated-ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
}
BARS = dict(segm_ap_ratio=1.4, inference_ratio=1.10, train_ratio=1.3)
METRIC_ITEMS = "['mAP','mAP_50','mAP_75','mAP_s','mAP_m','mAP_l','AR@100']"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthetic_dense_bench')
    parser.add_argument('--num-train', type=int, default=1000)
    parser.add_argument('--num-test', type=int, default=200)
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--timed-images', type=int, default=100)
    parser.add_argument('--work-dir', default='work_dirs/bench_rotated')
    parser.add_argument('--out', default='benchmarks/results/'
                        'rotated_vs_axis_aligned')
    return parser.parse_args()


def run(cmd, log_path):
    """Run a command, tracking the peak RSS of it and its children (MiB)."""
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log,
                                stderr=subprocess.STDOUT)
        peak = [0]

        def watch():
            root = psutil.Process(proc.pid)
            while proc.poll() is None:
                try:
                    procs = [root] + root.children(recursive=True)
                    rss = sum(p.memory_info().rss for p in procs)
                    peak[0] = max(peak[0], rss)
                except psutil.Error:
                    pass
                time.sleep(0.5)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        proc.wait()
        watcher.join()
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed; see {log_path}')
    return peak[0] / 2**20


def data_options(root, split):
    root = root.rstrip('/') + '/'
    return [
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}',
        f'val_evaluator.ann_file={root}annotations/instances_val.json',
        f'test_dataloader.dataset.ann_file=annotations/instances_{split}.json',
        f'test_evaluator.ann_file={root}annotations/instances_{split}.json',
    ]


def train(name, cfg, args, work_dir):
    cmd = [sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir,
           '--cfg-options', *data_options(args.data_root, 'test'),
           f'train_cfg.max_epochs={args.epochs}',
           # no validation during training: both evaluate on test afterwards
           f'train_cfg.val_interval={args.epochs + 1}',
           f'param_scheduler.1.end={args.epochs}',
           f'param_scheduler.1.milestones=[{args.epochs - 1}]',
           'randomness.seed=0']
    print(f'[{name}] training: {" ".join(cmd[1:])}', flush=True)
    start = time.time()
    peak = run(cmd, osp.join(work_dir, 'train.log'))
    scalars = sorted(
        osp.join(work_dir, d, 'vis_data', 'scalars.json')
        for d in os.listdir(work_dir)
        if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    with open(scalars[-1]) as f:
        records = [json.loads(line) for line in f]
    logged = [r for r in records if 'loss' in r]
    times = [r['time'] for r in logged]
    steady = times[len(times) // 10:]
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    return dict(train_seconds=round(time.time() - start, 1),
                iterations=logged[-1]['iter'],
                train_s_per_iter=statistics.median(steady),
                train_peak_rss_mib=round(peak),
                final_loss=logged[-1]['loss'],
                checkpoint=ckpt)


def evaluate(name, cfg, ckpt, args, work_dir):
    metric = 'segm'
    cmd = [sys.executable, 'tools/test.py', cfg, ckpt, '--eval', metric,
           '--work-dir', work_dir, '--cfg-options',
           *data_options(args.data_root, 'test')]
    if 'rotated' not in cfg:
        cmd.append(f'test_evaluator.metric_items={METRIC_ITEMS}')
    print(f'[{name}] testing: {" ".join(cmd[1:])}', flush=True)
    run(cmd, osp.join(work_dir, 'test.log'))
    pick = None
    for root, _, files in sorted(os.walk(work_dir)):
        for name_ in sorted(files):
            if name_.endswith('.json') and name_[:8].isdigit():
                with open(osp.join(root, name_)) as f:
                    try:
                        metrics = json.load(f)
                    except json.JSONDecodeError:
                        continue  # a line-per-record training log
                if isinstance(metrics, dict) and any(
                        k.endswith('segm_mAP') for k in metrics):
                    pick = {k.split('/')[-1]: v for k, v in metrics.items()}
    if pick is None:
        raise RuntimeError(f'no test metrics found under {work_dir}')
    return dict(segm_AP=pick['segm_mAP'], segm_AP50=pick['segm_mAP_50'],
                segm_AP75=pick['segm_mAP_75'],
                segm_AR100=pick['segm_AR@100'])


def time_inference(cfg_path, ckpt, args):
    """Median seconds per test image of model.test_step, batch 1."""
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS, MODELS, init_default_scope
    from mmengine.runner import load_checkpoint

    import mmrot_ext  # noqa: F401
    cfg = Config.fromfile(osp.join(REPO, cfg_path))
    init_default_scope(cfg.default_scope)
    dataset = cfg.test_dataloader.dataset
    dataset.update(data_root=osp.join(REPO, args.data_root) + '/',
                   ann_file='annotations/instances_test.json')
    data = DATASETS.build(dataset)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, ckpt, map_location='cpu')
    model.eval()
    items = [pseudo_collate([data[i]])
             for i in range(min(args.timed_images, len(data)))]
    times = []
    with torch.no_grad():
        for item in items[:3]:
            model.test_step(item)
        for item in items:
            start = time.perf_counter()
            model.test_step(item)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def ensure_data(args):
    if osp.isfile(osp.join(REPO, args.data_root, 'annotations',
                           'instances_test.json')):
        return
    cmd = [sys.executable, 'tools/dataset_converters/make_synthetic_dense.py',
           args.data_root, '--num-train', str(args.num_train), '--num-val',
           '100', '--num-test', str(args.num_test), '--preset', 'dense',
           '--seed', '0']
    print(' '.join(cmd[1:]), flush=True)
    subprocess.run(cmd, cwd=REPO, check=True)


def markdown(report):
    rows = report['models']
    base, rot = rows['MS R-CNN'], rows['Rotated MS R-CNN']
    lines = [
        '# MS R-CNN vs Rotated MS R-CNN, dense synthetic scenes (cpu-tiny)',
        '', f'Command: `{report["command"]}`  ', f'Date: {report["date"]}, '
        f'{report["machine"]}', '',
        '| model | segm AP | AP50 | AP75 | AR@100 | train s/iter | '
        'infer s/img | peak RSS MiB |', '|---|---|---|---|---|---|---|---|'
    ]
    for name, r in rows.items():
        lines.append(
            f'| {name} | {r["segm_AP"]:.3f} | {r["segm_AP50"]:.3f} | '
            f'{r["segm_AP75"]:.3f} | {r["segm_AR100"]:.3f} | '
            f'{r["train_s_per_iter"]:.3f} | {r["infer_s_per_img"]:.3f} | '
            f'{r["train_peak_rss_mib"]} |')
    ratios = report['ratios']
    lines += [
        '', '| ratio (rotated / axis-aligned) | ours | bar | paper (PPC, '
        'R-50, GPU) |', '|---|---|---|---|',
        f'| segm AP | {ratios["segm_ap"]} | >= {BARS["segm_ap_ratio"]} | '
        f'1.46 (19.3 / 13.2) |',
        f'| inference time per image | {ratios["inference"]} | <= '
        f'{BARS["inference_ratio"]} | ~1.10 |',
        f'| training time per iteration | {ratios["train"]} | <= '
        f'{BARS["train_ratio"]} | 1.3-1.5 |',
        f'| peak memory (training) | {ratios["peak_rss"]} | - | ~1.0 |', '',
        f'Dataset: {report["dataset"]}. Both trained {base["iterations"]} / '
        f'{rot["iterations"]} iterations (same schedule).'
    ]
    return '\n'.join(lines) + '\n'


def main():
    args = parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    ensure_data(args)
    with open(osp.join(REPO, args.data_root, 'annotations',
                       'instances_train.json')) as f:
        train_images = len(json.load(f)['images'])
    report = dict(
        command='python benchmarks/rotated_vs_axis_aligned.py ' +
        ' '.join(sys.argv[1:]),
        date=time.strftime('%Y-%m-%d'),
        machine=f'{platform.machine()}, {os.cpu_count()} cores, torch '
        f'{torch.__version__}, no GPU',
        dataset=f'{args.data_root} (dense preset, {train_images} train / '
        f'{args.num_test} test images, seed 0)',
        epochs=args.epochs, models={})
    for name, cfg in MODELS.items():
        work_dir = osp.join(REPO, args.work_dir, name.replace(' ', '_'))
        os.makedirs(work_dir, exist_ok=True)
        result = train(name, cfg, args, work_dir)
        result.update(evaluate(name, cfg, result['checkpoint'], args,
                               work_dir))
        result['infer_s_per_img'] = time_inference(cfg, result['checkpoint'],
                                                   args)
        result['config'] = cfg
        report['models'][name] = result
        print(f'[{name}] {json.dumps(result)}', flush=True)
    base = report['models']['MS R-CNN']
    rot = report['models']['Rotated MS R-CNN']
    report['ratios'] = dict(
        segm_ap=round(rot['segm_AP'] / base['segm_AP'], 2)
        if base['segm_AP'] > 0 else 'inf',
        inference=round(rot['infer_s_per_img'] / base['infer_s_per_img'], 2),
        train=round(rot['train_s_per_iter'] / base['train_s_per_iter'], 2),
        peak_rss=round(rot['train_peak_rss_mib'] /
                       base['train_peak_rss_mib'], 2))
    ratio = report['ratios']['segm_ap']
    report['bars_met'] = dict(
        segm_ap=ratio == 'inf' or ratio >= BARS['segm_ap_ratio'],
        inference=report['ratios']['inference'] <= BARS['inference_ratio'],
        train=report['ratios']['train'] <= BARS['train_ratio'])
    write_report(args.out, report, markdown(report))

if __name__ == '__main__':
    main()
