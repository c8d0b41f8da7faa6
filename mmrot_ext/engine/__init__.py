from .cpu_distributed import (
                              DeviceAwareDistributedDataParallel,
                              setup_cpu_distributed,
)

__all__ = ['DeviceAwareDistributedDataParallel', 'setup_cpu_distributed']
