from .checked_coco_dataset import CheckedCocoDataset
from .ppc_dataset import PPCDataset
from .transforms import BoxesFromMasks
from .validating_coco_api import ValidatingCOCO

__all__ = [
    'BoxesFromMasks', 'CheckedCocoDataset', 'PPCDataset', 'ValidatingCOCO'
]
