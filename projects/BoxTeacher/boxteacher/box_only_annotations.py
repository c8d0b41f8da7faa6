"""Keep mask labels out of box-supervised training."""
from mmcv.transforms import BaseTransform

from mmrot_ext.registry import DET_TRANSFORMS


@DET_TRANSFORMS.register_module()
class DropInstanceMasks(BaseTransform):
    """Delete every mask annotation from the sample (put it first in the
    pipeline): the ``mask`` field of each entry of ``instances`` and any
    loaded ``gt_masks``. Boxes, labels and crowd flags stay.

    Modified keys: ``instances``; removed key: ``gt_masks``.
    """

    def transform(self, results: dict) -> dict:
        results['instances'] = [{
            k: v
            for k, v in instance.items() if k != 'mask'
        } for instance in results.get('instances', [])]
        results.pop('gt_masks', None)
        return results
