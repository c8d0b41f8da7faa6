from .rotated_coco_instance_metric import RotatedCocoInstanceMetric

__all__ = ['RotatedCocoInstanceMetric']
