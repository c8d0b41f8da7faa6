from .boxes_from_masks import BoxesFromMasks
from .load_rotated_boxes import LoadRotatedBoxAnnotations

__all__ = ['BoxesFromMasks', 'LoadRotatedBoxAnnotations']
