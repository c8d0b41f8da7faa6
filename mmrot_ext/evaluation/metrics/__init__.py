from .high_precision_recall_metric import HighPrecisionRecallMetric
from .keypoint_heading_metric import KeypointHeadingMetric
from .places_instance_metric import PlacesInstanceMetric
from .rotated_coco_instance_metric import RotatedCocoInstanceMetric

__all__ = [
    'HighPrecisionRecallMetric', 'KeypointHeadingMetric',
    'PlacesInstanceMetric',
    'RotatedCocoInstanceMetric'
]
