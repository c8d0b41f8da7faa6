"""Binary masks as COCO run-length encodings."""
import numpy as np
import pycocotools.mask as mask_util


def mask_to_rle(mask):
    """(H, W) binary mask -> COCO RLE dict ``{'size', 'counts'}`` with str
    counts (JSON-ready; pycocotools accepts it as is)."""
    rle = mask_util.encode(np.asfortranarray(mask.astype(np.uint8)))
    return dict(size=list(rle['size']), counts=rle['counts'].decode())
