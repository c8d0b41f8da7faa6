"""PPC (Pens, Pencils, Chopsticks): dense elongated objects, COCO format."""

from mmrot_ext.registry import DET_DATASETS
from .checked_coco_dataset import CheckedCocoDataset


@DET_DATASETS.register_module()
class PPCDataset(CheckedCocoDataset):
    """The PPC dataset of Rotated Mask R-CNN, and our synthetic dense set.

    Both use categories ``pen``, ``pencil``, ``chopstick``. The original
    paper evaluates PPC on pens and pencils only: pass
    ``metainfo=dict(classes=('pen', 'pencil'))`` and chopstick annotations
    are left out on purpose (a class the file lacks is an error).
    """
    METAINFO = dict(
        classes=('pen', 'pencil', 'chopstick'),
        palette=[(31, 119, 180), (255, 187, 60), (140, 86, 75)])
