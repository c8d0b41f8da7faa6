"""Distributed training and testing on machines without CUDA (gloo).

mmengine 0.10.7's pytorch launcher calls ``torch.cuda.set_device`` and wraps
the model with ``device_ids=[LOCAL_RANK]``; both fail on a CPU-only torch.
``setup_cpu_distributed`` (called by ``tools/train.py`` / ``tools/test.py``)
starts the gloo process group itself, which mmengine then leaves alone, and
selects a wrapper that passes no device ids for CPU modules.
``close_distributed`` destroys the process group before the interpreter
exits: a gloo group left to the exit-time destructors can abort a rank that
finished its work ("terminate called without an active exception").
"""
import datetime

import torch
import torch.distributed as dist
from mmengine.model import MMDistributedDataParallel
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
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
    """Destroy the default process group if one is running (any backend)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
