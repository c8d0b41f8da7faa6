from .boxes_from_masks import BoxesFromMasks
from .keypoint_annotations import (LoadKeypointAnnotations,
                                   PackKeypointDetInputs)
from .load_rotated_boxes import LoadRotatedBoxAnnotations

__all__ = [
    'BoxesFromMasks', 'LoadKeypointAnnotations', 'LoadRotatedBoxAnnotations',
    'PackKeypointDetInputs'
]
