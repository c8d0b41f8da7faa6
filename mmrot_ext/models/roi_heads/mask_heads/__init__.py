from .batch_paste_fcn_mask_head import BatchPasteFCNMaskHead
from .rotated_fcn_mask_head import RotatedFCNMaskHead
from .rotated_maskiou_head import RotatedMaskIoUHead

__all__ = ['BatchPasteFCNMaskHead', 'RotatedFCNMaskHead', 'RotatedMaskIoUHead']
