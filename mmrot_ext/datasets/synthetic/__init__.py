from .coco_writer import neighbour_ious, scene_annotations, write_coco_dataset
from .dense_objects import (
    DenseSceneConfig,
    render_dense_scene,
    write_dense_dataset,
)
from .places_writer import write_places_dataset

__all__ = [
    'DenseSceneConfig', 'neighbour_ious', 'render_dense_scene',
    'scene_annotations', 'write_coco_dataset', 'write_dense_dataset',
    'write_places_dataset'
]
