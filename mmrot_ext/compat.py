"""The one place that papers over upstream version problems of our stack.

Installed by ``import mmrot_ext`` (so by importing anything from it), which
imports nothing heavy: each fix is applied when its upstream module is first
imported, or at once if it already is (:func:`apply_all`). Import any
``mmrot_ext`` module before ``mmrotate``: fix 1 must run around mmrotate's
first import. Nothing else in the codebase patches upstream code. Each fix
is its own function so tests can show the failure it prevents
(``tests/test_compat.py``).

1. mmrotate 1.0.0rc1 asserts ``mmdet<=3.1.0`` on import although it runs on
   mmdet 3.3 (upstream raised the bound later without code changes).
2. mmrotate 1.0.0rc1 does ``from collections import Sequence``, removed in
   Python 3.10.
3. mmengine 0.10.7 calls ``torch.load`` without ``weights_only=False``; under
   torch >= 2.6 every checkpoint the Runner saves (it pickles mmengine's
   ``HistoryBuffer``) fails to load. Fixed on mmengine main (#1670),
   unreleased.
4. mmcv 2.1's ``LoadImageFromFile`` lets a decoder error (cv2's assertion
   on an empty file, an unreadable path) escape without the file's name, so
   a training run stops on a bad image nobody can find.
5. mmengine's data-loader workers can outlive a killed (``kill -9``)
   trainer: a worker blocked on its result pipe never notices, and holds
   hundreds of MB for as long as the machine runs. On Linux every worker
   mmengine's Runner starts now asks the kernel to kill it with its parent
   (``PR_SET_PDEATHSIG``); elsewhere nothing changes.
6. mmcv 2.1's ``batched_nms`` finds an ``nms_cfg['type']`` string only
   among the names of its own module (``eval`` in ``mmcv.ops.nms``), so a
   config cannot name an NMS op of ours. Our ops (:data:`NMS_OPS`) are
   added to that module under their config names, none of which mmcv uses,
   each imported at its first call (the fix runs inside mmcv's import, when
   our ops cannot be imported yet).
7. mmdet 3.3's ``DetInferencer.pred2dict`` copies only ``labels``,
   ``scores``, ``bboxes`` and ``masks`` of the predictions, so the keypoint
   models' ``keypoints``, ``keypoint_scores`` and ``headings`` never reach a
   DetInferencer user (nor its ``preds/*.json``). They are added as nested
   lists (:data:`EXTRA_PREDICTION_FIELDS`).

Also checks that mmcv carries its compiled ops and says how to fix it if not.
"""
import collections
import collections.abc
import contextlib
import ctypes
import importlib
import importlib.abc
import importlib.util
import os
import os.path as osp
import signal
import sys

_applied = False


@contextlib.contextmanager
def _reported_mmdet_version(version):
    """Temporarily report ``mmdet.__version__`` as ``version``."""
    import mmdet
    real = mmdet.__version__
    mmdet.__version__ = version
    try:
        yield
    finally:
        mmdet.__version__ = real


def import_mmrotate():
    """Import mmrotate past its ``mmdet<=3.1.0`` assertion (fix 1).

    Once imported it stays in ``sys.modules``, so every later import (ours,
    mmengine's registry scope switch) gets the same module.
    """
    if 'mmrotate' in sys.modules:
        return sys.modules['mmrotate']
    with _reported_mmdet_version('3.1.0'):
        return importlib.import_module('mmrotate')


def restore_collections_sequence():
    """Give ``collections`` back its pre-3.10 ``Sequence`` alias (fix 2)."""
    if not hasattr(collections, 'Sequence'):
        collections.Sequence = collections.abc.Sequence


def load_from_local(filename, map_location):
    """mmengine's local checkpoint loader with ``weights_only=False``."""
    import torch
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


def allow_mmengine_checkpoints():
    """Let mmengine load the checkpoints its Runner writes (fix 3).

    Replaces the loader mmengine registers for local paths with one that
    passes ``weights_only=False``, as mmengine main does. Such checkpoints are
    pickles: load only checkpoints you trust, as before torch 2.6.
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)


def name_unreadable_images():
    """Errors of mmcv's ``LoadImageFromFile`` name the image file (fix 4).

    Wraps its ``transform``: an exception whose message lacks the path is
    re-raised as ``OSError('<path>: cannot read image (...)')`` from it.
    """
    from mmcv.transforms import LoadImageFromFile
    original = LoadImageFromFile.transform

    def transform(self, results):
        try:
            return original(self, results)
        except Exception as e:
            path = str(results.get('img_path'))
            if path in str(e):
                raise
            raise OSError(f'{path}: cannot read image ({type(e).__name__}: '
                          f'{str(e).strip()})') from e

    LoadImageFromFile.transform = transform


# fix 7: prediction fields DetInferencer returns besides mmdet's own
EXTRA_PREDICTION_FIELDS = ('keypoints', 'keypoint_scores', 'headings')


def return_extra_prediction_fields():
    """DetInferencer returns (and saves) our extra prediction fields
    (fix 7)."""
    import mmengine
    from mmdet.apis.det_inferencer import DetInferencer
    original = DetInferencer.pred2dict

    def pred2dict(self, data_sample, pred_out_dir=''):
        result = original(self, data_sample, pred_out_dir)
        preds = data_sample.get('pred_instances')
        extra = [n for n in EXTRA_PREDICTION_FIELDS
                 if preds is not None and n in preds]
        for name in extra:
            result[name] = preds[name].detach().cpu().tolist()
        if extra and pred_out_dir:  # rewrite the file pred2dict saved
            name = osp.splitext(osp.basename(data_sample.img_path))[0] \
                if 'img_path' in data_sample else \
                str(self.num_predicted_imgs - 1)
            mmengine.dump(result, osp.join(pred_out_dir, 'preds',
                                           name + '.json'))
        return result

    DetInferencer.pred2dict = pred2dict


_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Ask Linux to SIGKILL this process when its parent dies (no-op
    elsewhere); exit at once if the parent is already gone."""
    if not sys.platform.startswith('linux'):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # died before prctl took effect
        os._exit(1)


def worker_init_dying_with_parent(worker_id, num_workers, rank, seed,
                                  disable_subprocess_warning=False):
    """mmengine's worker init (seeding), then :func:`die_with_parent`."""
    from mmengine.dataset import worker_init_fn
    worker_init_fn(worker_id, num_workers, rank, seed,
                   disable_subprocess_warning)
    die_with_parent()


def kill_workers_with_parent():
    """Workers of the Runner's data loaders die with it (fix 5)."""
    from mmengine.runner import runner
    runner.default_worker_init_fn = worker_init_dying_with_parent


# fix 6: NMS op name in configs (none exists in mmcv.ops.nms) -> our module
NMS_OPS = {
    'fast_nms_rotated': 'mmrot_ext.ops.nms_rotated',
    'soft_nms_rotated': 'mmrot_ext.ops.soft_nms',
}


def named_nms_op(name):
    """A function that calls our NMS op ``name`` (:data:`NMS_OPS`),
    importing it at the first call."""

    def op(*args, **kwargs):
        return getattr(importlib.import_module(NMS_OPS[name]), name)(
            *args, **kwargs)

    op.__name__ = op.__qualname__ = name
    return op


def name_our_nms_ops():
    """Configs may name our NMS ops in every head (fix 6)."""
    mmcv_nms = importlib.import_module('mmcv.ops.nms')  # the module, not
    # mmcv.ops.nms the function
    for name in NMS_OPS:
        if getattr(getattr(mmcv_nms, name, None), '__name__', name) != name:
            raise RuntimeError(f'mmcv.ops.nms already has a {name!r}; our '
                               f'NMS op of that name would shadow it')
        setattr(mmcv_nms, name, named_nms_op(name))


def check_mmcv_ops():
    """Raise a clear error if mmcv was installed without compiled ops."""
    try:
        importlib.import_module('mmcv._ext')
    except ImportError as err:
        raise ImportError(
            'mmcv is installed without its compiled ops (mmcv._ext), which '
            'mmrot_ext needs (RoIAlign, nms_rotated, box_iou_rotated). '
            'Reinstall it with: pip install torch==2.13.0 "setuptools<81" '
            'ninja psutil && MMCV_WITH_OPS=1 pip install --no-build-isolation '
            '--force-reinstall --no-deps mmcv==2.1.0 (or run `make install`).'
        ) from err


class _HookedLoader(importlib.abc.Loader):
    """A module's loader that runs ``around`` its execution and ``after``
    it; the module keeps its own loader afterwards."""

    def __init__(self, loader, around, after):
        self.loader, self.around, self.after = loader, around, after

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self.loader
        with self.around():
            self.loader.exec_module(module)
        self.after()

    def __getattr__(self, name):
        return getattr(self.loader, name)


class _UpstreamImportHooks(importlib.abc.MetaPathFinder):
    """Runs each fix at the first import of the module it patches."""

    def __init__(self, hooks):
        self.pending = dict(hooks)  # module name -> (around, after)

    def find_spec(self, name, path=None, target=None):
        hook = self.pending.pop(name, None)
        if hook is None:
            return None
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _HookedLoader(spec.loader, *hook)
        return spec


def _nothing():
    return contextlib.nullcontext()


@contextlib.contextmanager
def _checked_mmcv_ops():
    check_mmcv_ops()
    yield


# upstream module -> (context its first import runs in, fix run after it)
_HOOKS = {
    'mmrotate': (lambda: _reported_mmdet_version('3.1.0'), lambda: None),
    'mmcv.ops': (_checked_mmcv_ops, name_our_nms_ops),
    'mmcv.transforms': (_nothing, name_unreadable_images),
    'mmdet.apis.det_inferencer': (_nothing, return_extra_prediction_fields),
    'mmengine.runner': (_nothing, lambda: (allow_mmengine_checkpoints(),
                                           kill_workers_with_parent())),
}


def apply_all():
    """Apply every fix once; later calls do nothing.

    Fixes of modules already imported are applied now, the others when
    their module is first imported (a ``sys.meta_path`` hook), so this
    imports no upstream package itself. mmcv's compiled ops are checked
    (:func:`check_mmcv_ops`) as ``mmcv.ops`` is first imported.
    """
    global _applied
    if _applied:
        return
    restore_collections_sequence()
    pending = {}
    for name, (around, after) in _HOOKS.items():
        if name in sys.modules:
            after()
        else:
            pending[name] = (around, after)
    sys.meta_path.insert(0, _UpstreamImportHooks(pending))
    _applied = True
