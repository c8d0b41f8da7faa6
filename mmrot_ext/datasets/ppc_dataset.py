"""PPC (Pens, Pencils, Chopsticks): dense elongated objects, COCO format."""
from mmdet.registry import DATASETS

from .checked_coco_dataset import CheckedCocoDataset
from .synthetic.dense_objects import CLASSES, PALETTE


@DATASETS.register_module()
class PPCDataset(CheckedCocoDataset):
    """The PPC dataset of Rotated Mask R-CNN, and our synthetic dense set.

    Both use categories ``pen``, ``pencil``, ``chopstick``. The original
    paper evaluates PPC on pens and pencils only: pass
    ``metainfo=dict(classes=('pen', 'pencil'))`` and chopstick annotations
    are left out on purpose (a class the file lacks is an error).
    """
    METAINFO = dict(classes=CLASSES, palette=PALETTE)
