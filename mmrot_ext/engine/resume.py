"""Find the checkpoint a ``--resume`` run continues from."""
import glob
import os.path as osp
import warnings

import torch


def load_checkpoint_lazily(path):
    """A checkpoint file's contents on the CPU, its tensors memory-mapped
    (not read) where the file format allows; old non-zip files are loaded.

    Raises:
        ValueError: naming the file, when it cannot be unpickled.
    """
    for mmap in (True, False):  # old (non-zip) files cannot be mapped
        try:
            return torch.load(path, map_location='cpu', mmap=mmap,
                              weights_only=False)
        except Exception as e:  # noqa: BLE001  (any unpickling failure)
            error = f'{type(e).__name__}: {e}'
    raise ValueError(f'{path}: unreadable checkpoint ({error})')


def read_checkpoint_meta(path):
    """The ``meta`` dict of an mmengine checkpoint, read without loading the
    tensors where the file format allows.

    Raises:
        ValueError: naming the file, when it is empty, truncated or not an
            mmengine checkpoint.
    """
    if osp.getsize(path) == 0:
        raise ValueError(f'{path}: checkpoint file is empty (0 bytes)')
    ckpt = load_checkpoint_lazily(path)
    if not isinstance(ckpt, dict) or 'state_dict' not in ckpt or \
            'iter' not in ckpt.get('meta', {}):
        raise ValueError(f'{path}: not a training checkpoint (no state_dict '
                         f'or meta.iter)')
    return ckpt['meta']


def find_resume_checkpoint(work_dir):
    """Path of the most advanced intact checkpoint for ``work_dir``.

    Looks at every ``*.pth`` in ``work_dir`` and at the file named by its
    ``last_checkpoint`` (which may be missing, empty or stale), orders them
    by the training iteration stored in each, and skips unreadable ones
    with a warning naming each. Returns None when there is none.
    """
    paths = set(glob.glob(osp.join(work_dir, '*.pth')))
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
        if named and osp.isfile(named):
            paths.add(named)
    intact, broken = [], []
    for path in paths:
        try:
            meta = read_checkpoint_meta(path)
        except ValueError as e:
            broken.append((osp.getmtime(path), str(e)))
            continue
        intact.append((meta['iter'], osp.getmtime(path), path))
    if not intact:
        for _, error in broken:
            warnings.warn(f'skipped {error}')
        return None
    _, mtime, best = max(intact)
    for when, error in sorted(broken, reverse=True):
        warnings.warn(f'skipped {error}; resuming from {best}'
                      if when >= mtime else f'skipped {error}')
    return best
