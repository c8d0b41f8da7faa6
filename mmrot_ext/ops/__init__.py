from .nms_rotated import fast_nms_rotated
from .soft_nms import NMS_OPS, resolve_nms_cfg, soft_nms, soft_nms_rotated

__all__ = [
    'NMS_OPS', 'fast_nms_rotated', 'resolve_nms_cfg', 'soft_nms',
    'soft_nms_rotated'
]
