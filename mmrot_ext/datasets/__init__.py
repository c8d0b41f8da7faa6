from .checked_coco_dataset import CheckedCocoDataset
from .places_format import convert_places_pngs, png_annotations
from .places_instance_dataset import PlacesInstanceDataset
from .ppc_dataset import PPCDataset
from .transforms import BoxesFromMasks, LoadRotatedBoxAnnotations
from .validating_coco_api import ValidatingCOCO

__all__ = [
    'BoxesFromMasks', 'CheckedCocoDataset', 'LoadRotatedBoxAnnotations',
    'PlacesInstanceDataset',
    'PPCDataset', 'ValidatingCOCO', 'convert_places_pngs', 'png_annotations'
]
