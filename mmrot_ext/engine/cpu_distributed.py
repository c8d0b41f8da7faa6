"""Distributed training and testing on machines without CUDA (gloo).

mmengine 0.10.7's pytorch launcher calls ``torch.cuda.set_device`` and wraps
the model with ``device_ids=[LOCAL_RANK]``; both fail on a CPU-only torch.
``setup_cpu_distributed`` (called by ``tools/train.py`` / ``tools/test.py``)
starts the gloo process group itself, which mmengine then leaves alone, and
selects a wrapper that passes no device ids for CPU modules.
``close_distributed`` frees the process group while the interpreter is
still alive. Left to the exit-time garbage collection, a gloo worker thread
that drops the last reference to a finished collective's tensors needs the
GIL during finalization and aborts the rank ("terminate called without an
active exception") after the work is done.
"""
import datetime
import gc

import torch
import torch.distributed as dist
from mmengine.model import MMDistributedDataParallel

from mmrot_ext.registry import ROOT_MODEL_WRAPPERS


@ROOT_MODEL_WRAPPERS.register_module()
class DeviceAwareDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also wraps CPU modules.

    torch's DDP requires ``device_ids=None`` for a module on the CPU; for a
    module on a GPU this behaves exactly like its parent.
    """

    def __init__(self, module, device_ids=None, **kwargs):
        on_cpu = all(p.device.type == 'cpu' for p in module.parameters())
        super().__init__(
            module=module, device_ids=None if on_cpu else device_ids,
            **kwargs)


def setup_cpu_distributed(cfg, launcher):
    """Prepare a torchrun-launched job on a machine without CUDA.

    Starts the gloo process group and, unless the config names its own
    wrapper, selects :class:`DeviceAwareDistributedDataParallel`.

    Returns:
        bool: whether CPU distributed mode was set up.
    """
    if launcher != 'pytorch' or torch.cuda.is_available():
        return False
    if not dist.is_initialized():
        timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout')
        kwargs = {} if timeout is None else dict(
            timeout=datetime.timedelta(seconds=timeout))
        dist.init_process_group(backend='gloo', **kwargs)
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='DeviceAwareDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    return True


def close_distributed():
    """Destroy the default process group and join its worker threads.

    Call it after dropping every reference to the wrapped model (the
    runner): the group object is then freed here, with the GIL released
    while torch joins the gloo threads, instead of during interpreter exit.
    """
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
        gc.collect()
