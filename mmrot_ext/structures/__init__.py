from .box_mask_paste import paste_masks_in_boxes
from .frame_keypoints import (angle_difference, axis_direction_log_odds,
                              axis_headings, decode_keypoint_heatmaps,
                              frame_to_image, image_to_frame,
                              keypoint_headings, keypoint_heatmap_targets)
from .mask_rle import mask_to_rle
from .mask_rbox import mask_to_rbox, masks_to_rboxes, regularize_le90
from .rbox_jitter import jitter_rboxes
from .rbox_overlaps import (prepared_rboxes, rbox_envelopes,
                            rbox_intersection_areas, rbox_iou_upper_bound,
                            rbox_overlaps_aligned, sparse_rbox_overlaps)
from .rotated_mask_ops import (crop_masks_to_rboxes, enlarge_rboxes,
                               paste_masks_from_rboxes,
                               points_in_rboxes, rbox_frame_grid,
                               rbox_masks_in_frames)

__all__ = [
    'angle_difference', 'axis_direction_log_odds', 'axis_headings',
    'decode_keypoint_heatmaps', 'frame_to_image',
    'image_to_frame', 'keypoint_headings', 'keypoint_heatmap_targets',
    'crop_masks_to_rboxes', 'enlarge_rboxes', 'jitter_rboxes',
    'mask_to_rbox', 'mask_to_rle', 'masks_to_rboxes',
    'paste_masks_from_rboxes', 'paste_masks_in_boxes', 'points_in_rboxes',
    'prepared_rboxes',
    'rbox_envelopes', 'rbox_frame_grid', 'rbox_intersection_areas',
    'rbox_masks_in_frames',
    'rbox_iou_upper_bound', 'rbox_overlaps_aligned', 'regularize_le90',
    'sparse_rbox_overlaps'
]
