"""Places Challenge 2017 instance segmentation (ADE20K images)."""
import colorsys


from mmrot_ext.registry import DET_DATASETS
from .checked_coco_dataset import CheckedCocoDataset
from .validating_coco_api import ValidatingCOCO


def distinct_palette(num):
    """``num`` well-separated RGB colours (golden-ratio hues)."""
    colours = []
    for k in range(num):
        r, g, b = colorsys.hsv_to_rgb((k * 0.618034) % 1, 0.75,
                                      0.95 - 0.25 * (k % 3) / 2)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    return colours


@DET_DATASETS.register_module()
class PlacesInstanceDataset(CheckedCocoDataset):
    """Places instance segmentation, COCO format (``places_png_to_coco.py``).

    The 100 challenge categories (ids 1..100, ``bed`` to ``flag``) are read
    from the annotation file in id order unless ``metainfo`` names classes,
    so the same class serves the real set, a subset, and Places-format sets
    of other categories (the synthetic export).

    Args:
        num_classes (int | None): expected number of classes; a file with
            another count is an error (guards a config's ``num_classes``).
            Defaults to 100.
    """
    METAINFO = dict(classes=None, palette=None)

    def __init__(self, *args, num_classes=100, **kwargs):
        self.num_classes = num_classes
        super().__init__(*args, **kwargs)

    def COCOAPI(self, annotation_file):  # noqa: N802 (mmdet's hook name)
        """Checked COCO API; takes the class names from it if unset."""
        if self._metainfo.get('classes'):
            coco = super().COCOAPI(annotation_file)
        else:
            coco = ValidatingCOCO(annotation_file,
                                  require_annotations=not self.test_mode,
                                  on_invalid=self.on_invalid)
            cats = sorted(coco.cats.values(), key=lambda c: c['id'])
            self._metainfo['classes'] = tuple(c['name'] for c in cats)
        classes = self._metainfo['classes']
        if self.num_classes is not None and len(classes) != self.num_classes:
            raise ValueError(f'{annotation_file}: {len(classes)} classes, '
                             f'but num_classes={self.num_classes} (set it '
                             f'to match the model)')
        if not self._metainfo.get('palette'):
            self._metainfo['palette'] = distinct_palette(len(classes))
        return coco
