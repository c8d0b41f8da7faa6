from .boxes_from_masks import BoxesFromMasks

__all__ = ['BoxesFromMasks']
