"""Run tools/train.py and tools/test.py from a benchmark and read back the
metrics they write."""
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def run(cmd, log_path):
    """Run ``cmd`` in the repository root, output to ``log_path``."""
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed; see {log_path}')


def train(cfg, work_dir, options):
    """Train (resuming if possible); returns (checkpoint, seconds)."""
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir,
           '--resume', '--allow-fresh-start', '--cfg-options', *options]
    print(f'training: {" ".join(cmd[1:])}', flush=True)
    start = time.time()
    run(cmd, osp.join(work_dir, 'train.log'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip(), round(time.time() - start, 1)


def test(cfg, ckpt, work_dir, options):
    """One tools/test.py run; returns (metrics dict, seconds)."""
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, 'tools/test.py', cfg, ckpt, '--work-dir',
           work_dir, '--cfg-options', *options]
    print(f'testing: {" ".join(cmd[1:])}', flush=True)
    start = time.time()
    run(cmd, osp.join(work_dir, 'test.log'))
    seconds = round(time.time() - start, 1)
    newest = None
    for root, _, files in os.walk(work_dir):
        for name in files:
            path = osp.join(root, name)
            if name.endswith('.json') and name[:8].isdigit() and (
                    newest is None
                    or osp.getmtime(path) > osp.getmtime(newest)):
                newest = path
    with open(newest) as f:
        return json.load(f), seconds


def train_seconds_per_iter(work_dir):
    """Median of the ``time`` field over the logged training iterations."""
    times = []
    for root, _, files in os.walk(work_dir):
        for name in files:
            if name.endswith('.json') and name[:8].isdigit():
                with open(osp.join(root, name)) as f:
                    for line in f:
                        entry = json.loads(line)
                        if 'loss' in entry and 'time' in entry:
                            times.append(entry['time'])
    times.sort()
    return times[len(times) // 2] if times else None
