from .rotated_anchor_generator import RotatedAnchorGenerator
from .sparse_rbox_overlaps_2d import SparseRBboxOverlaps2D

__all__ = ['RotatedAnchorGenerator', 'SparseRBboxOverlaps2D']
