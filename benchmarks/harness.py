"""What the training benchmarks share: data generation, the
``--cfg-options`` that point a config at a benchmark's data and schedule,
and tools/train.py / tools/test.py runs (with peak RSS) whose metrics are
read back. Report header and files: :mod:`report`."""
import json
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import threading
import time

import psutil

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DENSE_SCENES = 'tools/dataset_converters/make_synthetic_dense.py'


def _last_progress(log_path):
    """The newest 'Epoch(train) [e][i/n] ... loss: x' of a training log,
    shortened, or None."""
    try:
        with open(log_path, 'rb') as f:
            f.seek(max(0, os.path.getsize(log_path) - 8192))
            lines = f.read().decode(errors='replace').splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        match = re.search(r'Epoch\(train\)\s+(\[\d+\]\s*\[\s*\d+/\d+\])'
                          r'.*?eta: (\S+).*?\bloss: ([\d.]+)', line)
        if match:
            return (f'epoch/iter {match.group(1).replace(" ", "")}, eta '
                    f'{match.group(2)}, loss {match.group(3)}')
    return None


def run(cmd, log_path, label=None, progress_every=60):
    """Run ``cmd`` in the repository root, output to ``log_path``; returns
    the peak RSS of it and its children (MiB). Raises if it fails. With a
    ``label``, the newest training progress line of the log is printed
    every ``progress_every`` seconds."""
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log,
                                stderr=subprocess.STDOUT)
        peak = [0]

        def watch():
            root = psutil.Process(proc.pid)
            last_print = time.time()
            while proc.poll() is None:
                try:
                    procs = [root] + root.children(recursive=True)
                    peak[0] = max(peak[0],
                                  sum(p.memory_info().rss for p in procs))
                except psutil.Error:
                    pass
                if label and time.time() - last_print >= progress_every:
                    last_print = time.time()
                    progress = _last_progress(log_path)
                    if progress:
                        print(f'  [{label}] {progress}', flush=True)
                time.sleep(0.5)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        proc.wait()
        watcher.join()
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed; see {log_path}')
    return peak[0] / 2**20


def ensure_data(data_root, generator, *args):
    """Run the scene generator script ``generator data_root *args`` unless
    ``data_root`` already has a test split."""
    if osp.isfile(osp.join(REPO, data_root, 'annotations',
                           'instances_test.json')):
        return
    cmd = [sys.executable, generator, data_root, *map(str, args)]
    print(' '.join(cmd[1:]), flush=True)
    subprocess.run(cmd, cwd=REPO, check=True)


def data_options(root, test_split='test', num_evaluators=None):
    """``--cfg-options`` pointing train and test at ``root``; test reads
    ``annotations/instances_<test_split>.json``. No validation is set up
    (:func:`schedule_options` turns the loop off). ``num_evaluators``: for
    configs whose evaluators are lists, how many to point."""
    root = root.rstrip('/') + '/'
    options = [f'{loader}_dataloader.dataset.data_root={root}'
               for loader in ('train', 'test')]
    options.append(f'test_dataloader.dataset.ann_file='
                   f'annotations/instances_{test_split}.json')
    evaluators = [''] if num_evaluators is None else [
        f'.{i}' for i in range(num_evaluators)]
    options += [f'test_evaluator{e}.ann_file={root}annotations/'
                f'instances_{test_split}.json' for e in evaluators]
    return options


def schedule_options(epochs, seed=0):
    """``epochs`` epochs, learning rate x0.1 for the last (a one-epoch run
    keeps its rate: no decay to fall into at once), no validation loop
    (benchmarks test afterwards; the val set is not even loaded), a fixed
    seed, every epoch's checkpoint kept (benchmarks
    evaluate several; the cpu-tiny configs keep 2)."""
    return [
        f'train_cfg.max_epochs={epochs}',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
        f'param_scheduler.1.end={epochs}',
        f'param_scheduler.1.milestones=[{max(epochs - 1, 1)}]',
        f'randomness.seed={seed}',
        'default_hooks.checkpoint.max_keep_ckpts=-1'
    ]


def cli_options(options):
    """``--cfg-options`` strings of a dict of dotted keys."""
    def text(value):
        if isinstance(value, (list, tuple)):
            return '[' + ','.join(text(v) for v in value) + ']'
        return str(value)

    return [f'{key}={text(value)}' for key, value in (options or {}).items()]


def train(cfg, work_dir, options, name=None):
    """Train (resuming a killed or finished run in ``work_dir``).

    Returns checkpoint, train_seconds, iterations, train_s_per_iter (median
    logged iteration time after the first 10 %), train_peak_rss_mib and
    final_loss.
    """
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir,
           '--resume', '--allow-fresh-start', '--cfg-options', *options]
    print(f'[{name or cfg}] training: {" ".join(cmd[1:])}', flush=True)
    start = time.time()
    peak = run(cmd, osp.join(work_dir, 'train.log'), label=name or cfg)
    records = []
    for path in sorted(
            osp.join(work_dir, d, 'vis_data', 'scalars.json')
            for d in os.listdir(work_dir)
            if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json'))):
        with open(path) as f:
            records += [json.loads(line) for line in f]
    logged = [r for r in records if 'loss' in r]
    times = [r['time'] for r in logged]
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    return dict(checkpoint=ckpt,
                train_seconds=round(time.time() - start, 1),
                iterations=logged[-1]['iter'],
                train_s_per_iter=statistics.median(times[len(times) // 10:]),
                train_peak_rss_mib=round(peak),
                final_loss=logged[-1]['loss'])


def test(cfg, ckpt, work_dir, options, extra_args=(), name=None):
    """One tools/test.py run; returns (metrics dict of the run, seconds)."""
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, 'tools/test.py', cfg, ckpt, *extra_args,
           '--work-dir', work_dir, '--cfg-options', *options]
    print(f'[{name or cfg}] testing: {" ".join(cmd[1:])}', flush=True)
    start = time.time()
    run(cmd, osp.join(work_dir, 'test.log'))
    seconds = round(time.time() - start, 1)
    newest, metrics = None, None
    for root, _, files in os.walk(work_dir):
        for file in files:
            path = osp.join(root, file)
            if not (file.endswith('.json') and file[:8].isdigit()) or (
                    newest and osp.getmtime(path) <= osp.getmtime(newest)):
                continue
            with open(path) as f:
                try:
                    found = json.load(f)
                except json.JSONDecodeError:
                    continue  # a line-per-record log
            if isinstance(found, dict):
                newest, metrics = path, found
    if metrics is None:
        raise RuntimeError(f'no test metrics found under {work_dir}')
    return metrics, seconds
