from .rotated_det_visualizer import RotatedDetLocalVisualizer

__all__ = ['RotatedDetLocalVisualizer']
