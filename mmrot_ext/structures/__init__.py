from .mask_rbox import mask_to_rbox, masks_to_rboxes, regularize_le90

__all__ = ['mask_to_rbox', 'masks_to_rboxes', 'regularize_le90']
