from .keypoint_drawing import KeypointDetLocalVisualizer
from .rotated_det_visualizer import RotatedDetLocalVisualizer

__all__ = ['KeypointDetLocalVisualizer', 'RotatedDetLocalVisualizer']
