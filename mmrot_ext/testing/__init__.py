"""Helpers that make test and benchmark inputs (used by tests/ and
benchmarks/, not by training)."""
from .dense_scene_boxes import config_anchors, dense_scene_gt_rboxes
from .mask_predictions import jittered_mask_predictions
from .rbox_reference import (exact_greedy_nms, exact_rbox_overlaps,
                             rbox_polygons)
from .training_steps import adamw_loss_history

__all__ = [
    'adamw_loss_history', 'config_anchors', 'dense_scene_gt_rboxes',
    'exact_greedy_nms',
    'exact_rbox_overlaps', 'jittered_mask_predictions', 'rbox_polygons'
]
