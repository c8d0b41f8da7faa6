"""COCO keypoints through a detection pipeline: load, then pack them where
the image's geometric transforms have taken them."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.datasets.transforms import PackDetInputs

from mmrot_ext.registry import ROOT_TRANSFORMS


@ROOT_TRANSFORMS.register_module()
class LoadKeypointAnnotations(BaseTransform):
    """Load every instance's keypoints as ``gt_keypoints`` (N, K, 3).

    Put it next to ``LoadAnnotations``; the instances (and their order) are
    the same, so ``gt_keypoints`` lines up with ``gt_bboxes`` and
    ``gt_ignore_flags``. Rows are COCO's (x, y, v) in the original image
    (:class:`CheckedCocoDataset` carries and checks them).
    :class:`PackKeypointDetInputs` maps them through the pipeline's geometric
    transforms. Registered in mmengine's root registry (mmdet and mmrotate
    configs).

    Required keys: instances (each with ``keypoints``).
    Added keys: gt_keypoints (float32).
    """

    def transform(self, results):
        instances = results.get('instances', [])
        missing = [i for i, inst in enumerate(instances)
                   if 'keypoints' not in inst]
        if missing:
            raise KeyError(
                f'{results.get("img_path")}: {len(missing)} of '
                f'{len(instances)} annotations have no "keypoints" (first: '
                f'instance {missing[0]}); keypoint training needs them in '
                'every annotation')
        sizes = {len(inst['keypoints']) for inst in instances}
        if len(sizes) > 1:
            raise ValueError(f'{results.get("img_path")}: instances have '
                             f'different keypoint counts {sorted(sizes)}')
        k = sizes.pop() if sizes else 0
        results['gt_keypoints'] = np.array(
            [inst['keypoints'] for inst in instances],
            dtype=np.float32).reshape(len(instances), k, 3)
        return results


@ROOT_TRANSFORMS.register_module()
class PackKeypointDetInputs(PackDetInputs):
    """mmdet's ``PackDetInputs`` that also packs ``gt_keypoints``.

    The keypoints are mapped through ``homography_matrix``, which mmdet's
    and mmrotate's geometric transforms (``Resize``, ``RandomFlip``,
    ``RandomRotate``, crops) accumulate, so they follow the image whatever
    the pipeline did; a keypoint that lands outside the image becomes
    unlabelled (v = 0, x = y = 0, COCO's convention). Left/right keypoint
    pairs are not swapped on flips (the dense-scene keypoints, ``tip`` and
    ``end``, have no mirror pairs). Packed as ``gt_instances.keypoints``
    (N, K, 3) float32, filtered with the ignore flags like the boxes.
    """
    mapping_table = dict(PackDetInputs.mapping_table,
                         gt_keypoints='keypoints')

    def transform(self, results):
        if results.get('gt_keypoints') is not None:
            results['gt_keypoints'] = self._to_image(results,
                                                     results['gt_keypoints'])
        return super().transform(results)

    @staticmethod
    def _to_image(results, keypoints):
        """(N, K, 3) keypoints through ``homography_matrix``."""
        out = keypoints.astype(np.float32).copy()
        matrix = results.get('homography_matrix')
        if matrix is not None and len(out):
            xy1 = np.concatenate(
                [out[..., :2], np.ones(out.shape[:2] + (1, ), np.float32)],
                axis=-1)
            mapped = xy1 @ np.asarray(matrix, np.float32).T
            out[..., :2] = mapped[..., :2] / mapped[..., 2:]
        h, w = results['img'].shape[:2]
        outside = (out[..., 0] < 0) | (out[..., 0] >= w) | \
            (out[..., 1] < 0) | (out[..., 1] >= h) | (out[..., 2] <= 0)
        out[outside] = 0
        return out
