"""A killed run resumes where it stopped; torchrun training works on CPU."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest
import torch

from mmrot_ext.engine import find_resume_checkpoint

from .conftest import MASK_RCNN_CFG, data_options, read_scalars, run_tool

# subprocess tool runs and trainings: `make test-fast` leaves them out
pytestmark = pytest.mark.slow


BATCH_ORDER_HOOK = """
import json
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class BatchOrderHook(Hook):
    def before_train_iter(self, runner, batch_idx, data_batch=None):
        names = [s.img_path.rsplit('/', 1)[-1]
                 for s in data_batch['data_samples']]
        with open(runner.work_dir + '/batch_order.jsonl', 'a') as f:
            f.write(json.dumps(dict(iter=runner.iter + 1, imgs=names)) + '\\n')
"""


def order_config(tmp_path, repo_root):
    """The cpu-tiny Mask R-CNN logging each batch's images, with a
    checkpoint every 3 iterations (4 per epoch: all of them mid-epoch)."""
    (tmp_path / 'batch_order_hook.py').write_text(BATCH_ORDER_HOOK)
    cfg = tmp_path / 'order_cfg.py'
    cfg.write_text(
        f"_base_ = '{repo_root / MASK_RCNN_CFG}'\n"
        "custom_imports = dict(imports=['batch_order_hook'], "
        "allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='BatchOrderHook')]\n"
        "default_hooks = dict(checkpoint=dict(by_epoch=False, interval=3))\n")
    return str(cfg)


def batch_order(work_dir):
    with open(work_dir / 'batch_order.jsonl') as f:
        return [json.loads(line) for line in f]


def test_kill_at_an_iteration_checkpoint_resumes_without_replay(
        tiny_data, repo_root, tmp_path, monkeypatch):
    monkeypatch.setenv('PYTHONPATH', str(tmp_path))
    cfg = order_config(tmp_path, repo_root)
    options = data_options(tiny_data, epochs=4, config=cfg)
    whole, killed = tmp_path / 'whole', tmp_path / 'killed'
    run_tool(['tools/train.py', cfg, '--work-dir', whole, *options],
             repo_root)
    reference = {r['iter']: r['imgs'] for r in batch_order(whole)}
    assert sorted(reference) == list(range(1, 17))

    proc = subprocess.Popen(
        [sys.executable, 'tools/train.py', cfg, '--work-dir', str(killed),
         *options], cwd=repo_root, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not list(killed.glob('iter_*.pth')) and proc.poll() is None and \
            time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # let the checkpoint finish writing, then kill -9
    proc.kill()
    proc.wait()
    ckpt = find_resume_checkpoint(str(killed))
    assert ckpt is not None, 'no checkpoint was written before the kill'
    done = torch.load(ckpt, weights_only=False)['meta']['iter']
    assert done % 4 != 0 and done < 16  # killed mid-epoch, mid-run
    before = [r for r in batch_order(killed) if r['iter'] <= done]

    output = run_tool(['tools/train.py', cfg, '--work-dir', killed,
                       *options, '--resume'], repo_root)
    assert f'skipping the {done % 4} batches already trained' in output
    after = batch_order(killed)[len(batch_order(killed)) - (16 - done):]
    # the resumed run trained exactly the batches left, in the same order
    assert [r['iter'] for r in after] == list(range(done + 1, 17))
    assert {r['iter']: r['imgs'] for r in before + after} == reference
    final = torch.load(killed / 'iter_16.pth', weights_only=False)
    assert final['meta']['iter'] == 16
    assert [r['iter'] for r in read_scalars(killed)] == \
        list(range(done + 1, 17))


def fake_checkpoint(path, iteration):
    torch.save(dict(state_dict={}, meta=dict(iter=iteration, epoch=0)), path)


def test_resume_finds_the_most_advanced_intact_checkpoint(tmp_path):
    fake_checkpoint(tmp_path / 'epoch_1.pth', 4)
    fake_checkpoint(tmp_path / 'iter_6.pth', 6)
    fake_checkpoint(tmp_path / 'epoch_2.pth', 8)
    # copied to a new directory: no last_checkpoint, mtimes in copy order
    os.utime(tmp_path / 'epoch_1.pth', (time.time() + 60, ) * 2)
    assert find_resume_checkpoint(str(tmp_path)) == \
        str(tmp_path / 'epoch_2.pth')
    # the newest is truncated, another is empty, the pointer is empty
    data = (tmp_path / 'epoch_2.pth').read_bytes()
    (tmp_path / 'epoch_3.pth').write_bytes(data[:len(data) // 2])
    (tmp_path / 'iter_10.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text('')
    with pytest.warns(UserWarning) as record:
        assert find_resume_checkpoint(str(tmp_path)) == \
            str(tmp_path / 'epoch_2.pth')
    messages = ' '.join(str(w.message) for w in record)
    assert 'epoch_3.pth: unreadable checkpoint' in messages
    assert 'iter_10.pth: checkpoint file is empty (0 bytes)' in messages
    for name in ('epoch_1.pth', 'iter_6.pth', 'epoch_2.pth'):
        (tmp_path / name).unlink()
    with pytest.warns(UserWarning):
        assert find_resume_checkpoint(str(tmp_path)) is None


def test_resume_with_nothing_to_resume_is_an_error(tmp_path, repo_root,
                                                   load_tool):
    train = load_tool('train.py')
    build_cfg, parse_args = train.build_cfg, train.parse_args
    argv = [str(repo_root / MASK_RCNN_CFG), '--work-dir', str(tmp_path),
            '--resume']
    with pytest.raises(SystemExit, match='no intact checkpoint in'):
        build_cfg(parse_args(argv))
    cfg = build_cfg(parse_args(argv + ['--allow-fresh-start']))
    assert not cfg.resume and cfg.load_from is None
    assert cfg.train_cfg.type == 'ExactResumeEpochBasedTrainLoop'
    assert [h.type for h in cfg.custom_hooks] == ['LossGuardHook']
    (tmp_path / 'empty.pth').write_bytes(b'')
    with pytest.raises(SystemExit, match='empty.pth: checkpoint file is '
                       'empty'):
        build_cfg(parse_args(argv[:-1] + ['--resume',
                                          str(tmp_path / 'empty.pth')]))


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
