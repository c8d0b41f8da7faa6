from .rotated_fcn_mask_head import RotatedFCNMaskHead
from .rotated_maskiou_head import RotatedMaskIoUHead

__all__ = ['RotatedFCNMaskHead', 'RotatedMaskIoUHead']
