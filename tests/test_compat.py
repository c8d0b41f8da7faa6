"""Each fix in mmrot_ext.compat, shown by the failure it prevents.

Every case runs in a fresh interpreter, since the fixes are process-wide.
"""
import contextlib
import os
import subprocess
import sys
import textwrap

import pytest

from mmrot_ext import compat as _compat

# runs fresh interpreters (seconds each): `make test-fast` leaves them out
pytestmark = pytest.mark.slow

COMPAT_PATH = _compat.__file__


def run_python(code):
    """Run ``code`` in a fresh interpreter; return (returncode, output)."""
    proc = subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def test_mmrotate_import_fails_without_version_fix():
    rc, out = run_python('import mmrotate')
    assert rc != 0
    assert 'AssertionError' in out and 'incompatible' in out


def test_mmrotate_imports_after_mmrot_ext():
    rc, out = run_python("""
        import mmrot_ext, mmdet, mmrotate
        from mmrotate.models.detectors import refine_single_stage
        print('mmdet', mmdet.__version__)
    """)
    assert rc == 0, out
    # the real version is reported again once mmrotate is imported
    assert 'mmdet 3.3.0' in out


# compat.py loaded on its own: importing the mmrot_ext package applies all.
LOAD_COMPAT_ONLY = f"""
    import importlib.util
    spec = importlib.util.spec_from_file_location('compat', {COMPAT_PATH!r})
    compat = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compat)
"""


def test_mmrotate_models_need_collections_sequence():
    code = LOAD_COMPAT_ONLY + """
    compat.import_mmrotate()
    {extra}
    import mmrotate.models
    print('models imported')
    """
    rc, out = run_python(code.format(extra=''))
    assert rc != 0
    assert "cannot import name 'Sequence' from 'collections'" in out
    rc, out = run_python(
        code.format(extra='compat.restore_collections_sequence()'))
    assert rc == 0, out
    assert 'models imported' in out


CHECKPOINT_CODE = """
    import torch
    from mmengine.logging import HistoryBuffer
    from mmengine.runner.checkpoint import _load_checkpoint
    {extra}
    path = {path!r}
    buffer = HistoryBuffer()
    buffer.update(1.5)
    torch.save(dict(state_dict=dict(w=torch.ones(2)),
                    message_hub=dict(log_scalars=dict(loss=buffer))), path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    print('loaded', ckpt['message_hub']['log_scalars']['loss'].current())
"""


def test_checkpoint_with_history_buffer_needs_fix(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    rc, out = run_python(CHECKPOINT_CODE.format(extra='', path=path))
    assert rc != 0
    assert 'Weights only load failed' in out
    rc, out = run_python(
        CHECKPOINT_CODE.format(extra='import mmrot_ext', path=path))
    assert rc == 0, out
    assert 'loaded 1.5' in out


def test_image_decode_errors_name_the_file_only_with_fix(tmp_path):
    empty = tmp_path / 'empty.jpg'
    empty.write_bytes(b'')
    code = """
        {extra}
        from mmcv.transforms import LoadImageFromFile
        try:
            LoadImageFromFile()(dict(img_path={path!r}))
        except Exception as e:
            print('error:', type(e).__name__, e)
    """
    rc, out = run_python(code.format(extra='', path=str(empty)))
    assert rc == 0 and 'error:' in out and str(empty) not in out
    rc, out = run_python(code.format(extra='import mmrot_ext',
                                     path=str(empty)))
    assert rc == 0, out
    assert f'error: OSError {empty}: cannot read image' in out


def alive(pid):
    """Whether a process runs (a zombie waiting to be reaped does not)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


WORKER_CODE = """
    import ctypes, os, sys, time
    {extra}
    from mmengine.runner import Runner

    class PDeathSig:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            sig = ctypes.c_int()
            ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0)
            return os.getpid(), sig.value

    loader = Runner.build_dataloader(
        dict(dataset=PDeathSig(), batch_size=1, num_workers=2,
             persistent_workers=True, collate_fn=dict(type='pseudo_collate'),
             sampler=dict(type='DefaultSampler', shuffle=False)), seed=0)
    for batch in loader:
        print('worker', batch[0][0], batch[1][0], flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='PR_SET_PDEATHSIG is Linux-only; fix 5 is a no-op '
                    'elsewhere')
@pytest.mark.parametrize('fixed', [False, True])
def test_loader_workers_die_with_a_killed_parent_only_with_fix(fixed):
    import signal
    import subprocess
    import time
    code = textwrap.dedent(WORKER_CODE.format(
        extra='import mmrot_ext' if fixed else ''))
    proc = subprocess.Popen([sys.executable, '-c', code],
                            stdout=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline().split() for _ in range(4)]
    workers = {int(line[1]) for line in lines}
    signals = {int(line[2]) for line in lines}
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(workers) == 2
    assert signals == ({signal.SIGKILL} if fixed else {0})
    if fixed:
        deadline = time.time() + 10
        while any(map(alive, workers)) and time.time() < deadline:
            time.sleep(0.1)
        assert not any(map(alive, workers))
    else:
        for pid in workers:  # clean up the leak this test demonstrates
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


NMS_BY_NAME = """
    {extra}
    import torch
    from mmcv.ops import batched_nms
    boxes = torch.tensor([[10., 10., 20., 4., 0.], [10., 10., 20., 4., 0.]])
    dets, keep = batched_nms(boxes, torch.tensor([0.9, 0.8]),
                             torch.tensor([0, 0]),
                             dict(type='fast_nms_rotated', iou_threshold=0.5))
    print('kept', keep.tolist())
"""


@pytest.mark.parametrize('fixed', [False, True])
def test_configs_name_our_nms_ops_only_with_fix(fixed):
    rc, out = run_python(NMS_BY_NAME.format(
        extra='import mmrot_ext' if fixed else ''))
    if fixed:
        assert rc == 0 and 'kept [0]' in out, out
    else:
        assert rc != 0 and "name 'fast_nms_rotated' is not defined" in out


PREDICTION_FIELDS = """
    {extra}
    import json, os, sys, tempfile, types
    import torch
    from mmdet.apis.det_inferencer import DetInferencer
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    sample = DetDataSample(metainfo=dict(img_path='scene.jpg'))
    sample.pred_instances = InstanceData(
        labels=torch.tensor([1]), scores=torch.tensor([0.9]),
        bboxes=torch.tensor([[50., 40., 80., 10., 0.3]]),
        keypoints=torch.tensor([[[80., 50.], [20., 30.]]]),
        keypoint_scores=torch.tensor([[0.9, 0.7]]),
        headings=torch.tensor([0.32]))
    out = tempfile.mkdtemp()
    os.makedirs(os.path.join(out, 'preds'))
    inferencer = types.SimpleNamespace(num_predicted_imgs=0)
    result = DetInferencer.pred2dict(inferencer, sample, out)
    with open(os.path.join(out, 'preds', 'scene.json')) as f:
        saved = json.load(f)
    print('returned', sorted(result), 'saved', sorted(saved))
"""


@pytest.mark.parametrize('fixed', [False, True])
def test_det_inferencer_returns_keypoints_and_headings_only_with_fix(fixed):
    rc, out = run_python(PREDICTION_FIELDS.format(
        extra='import mmrot_ext' if fixed else ''))
    assert rc == 0, out
    fields = ['bboxes', 'headings', 'keypoint_scores', 'keypoints',
              'labels', 'scores'] if fixed else ['bboxes', 'labels', 'scores']
    assert f'returned {fields} saved {fields}' in out, out


def test_apply_all_is_idempotent():
    rc, out = run_python("""
        import mmrot_ext
        from mmrot_ext import compat
        from mmengine.runner.checkpoint import CheckpointLoader
        loader = CheckpointLoader._schemes['']
        compat.apply_all()
        assert CheckpointLoader._schemes[''] is loader
        print('ok')
    """)
    assert rc == 0, out


def test_missing_mmcv_ops_gives_install_hint(monkeypatch):
    from mmrot_ext import compat

    def fail(name):
        raise ImportError(f'No module named {name!r}')

    monkeypatch.setattr(compat.importlib, 'import_module', fail)
    with pytest.raises(ImportError, match='MMCV_WITH_OPS=1'):
        compat.check_mmcv_ops()
