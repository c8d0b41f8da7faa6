from .checked_coco_dataset import CheckedCocoDataset
from .ppc_dataset import PPCDataset
from .validating_coco_api import ValidatingCOCO

__all__ = ['CheckedCocoDataset', 'PPCDataset', 'ValidatingCOCO']
