from .nms_rotated import fast_nms_rotated
from .soft_nms import soft_nms, soft_nms_rotated

__all__ = ['fast_nms_rotated', 'soft_nms', 'soft_nms_rotated']
