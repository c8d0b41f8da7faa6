from .cpu_distributed import (
    DeviceAwareDistributedDataParallel,
    setup_cpu_distributed,
)
from .tool_config import load_tool_config

__all__ = [
    'DeviceAwareDistributedDataParallel', 'load_tool_config',
    'setup_cpu_distributed'
]
