"""A killed run resumes where it stopped; torchrun training works on CPU."""
import os
import socket
import subprocess
import sys
import time

import torch

from .conftest import MASK_RCNN_CFG, data_options, read_scalars, run_tool


def test_killed_training_resumes_from_last_checkpoint(tiny_data, repo_root,
                                                      tmp_path):
    args = ['tools/train.py', MASK_RCNN_CFG, '--work-dir', str(tmp_path),
            *data_options(tiny_data, epochs=4)]
    proc = subprocess.Popen([sys.executable, *args], cwd=repo_root,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    marker = tmp_path / 'last_checkpoint'
    deadline = time.time() + 300
    while not marker.exists() and proc.poll() is None and \
            time.time() < deadline:
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    assert marker.exists(), 'no checkpoint was written before the kill'
    assert not (tmp_path / 'epoch_4.pth').exists()
    killed = torch.load(marker.read_text().strip(), weights_only=False)
    done_iters = killed['meta']['iter']
    assert killed['meta']['epoch'] >= 1 and done_iters >= 4

    output = run_tool(args + ['--resume'], repo_root)
    assert f"resumed epoch: {killed['meta']['epoch']}, iter: {done_iters}" \
        in output
    final = torch.load(tmp_path / 'epoch_4.pth', weights_only=False)
    assert (final['meta']['epoch'], final['meta']['iter']) == (4, 16)
    # the resumed run trained only the iterations that were left
    assert len(list(tmp_path.glob('*/vis_data/scalars.json'))) == 2
    resumed = read_scalars(tmp_path)
    assert [r['iter'] for r in resumed] == list(range(done_iters + 1, 17))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_process_training_with_torchrun_on_gloo(tiny_data, repo_root,
                                                    tmp_path):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', MASK_RCNN_CFG, '2', '--work-dir',
         str(tmp_path), *data_options(tiny_data, epochs=1)],
        cwd=repo_root, env=env, capture_output=True, text=True, timeout=600)
    # torchrun exits 0 only when every rank finished without error
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    # 16 images, 4 per process and step: 2 steps for both ranks together
    scalars = read_scalars(tmp_path)
    assert [r['iter'] for r in scalars] == [1, 2]

    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint
    model = MODELS.build(Config.fromfile(MASK_RCNN_CFG).model)
    ckpt = load_checkpoint(model, str(tmp_path / 'epoch_1.pth'),
                           map_location='cpu', strict=True)
    assert ckpt['meta']['iter'] == 2


GLOO_TEARDOWN = '''
import glob, torch, torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from mmrot_ext.engine import close_distributed
dist.init_process_group('gloo', init_method='tcp://127.0.0.1:{port}',
                        rank=0, world_size=1)
model = DistributedDataParallel(torch.nn.Linear(4, 2))
model(torch.randn(3, 4)).sum().backward()
dist.broadcast(torch.ones(5), src=0)
runner = dict(model=model)  # like mmengine's Runner: a reference cycle
runner['self'] = runner
del model, runner
close_distributed()
threads = [open(f).read().strip()
           for f in glob.glob('/proc/self/task/*/comm')]
print('gloo threads left:', sum(t.startswith('pt_gloo') for t in threads))
'''


def test_close_distributed_joins_the_gloo_threads(repo_root):
    """No gloo worker thread may outlive the tools' teardown: one that
    drops a tensor's last reference during interpreter exit aborts the
    rank (seen in CI as 'terminate called without an active exception')."""
    proc = subprocess.run(
        [sys.executable, '-c', GLOO_TEARDOWN.format(port=free_port())],
        cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'gloo threads left: 0' in proc.stdout, proc.stdout
