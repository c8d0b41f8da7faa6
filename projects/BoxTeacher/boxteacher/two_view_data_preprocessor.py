"""Data preprocessor for BoxTeacher's two views of one image."""
from mmdet.models.data_preprocessors import MultiBranchDataPreprocessor

from mmrot_ext.registry import DET_MODELS


@DET_MODELS.register_module()
class TwoViewDataPreprocessor(MultiBranchDataPreprocessor):
    """Preprocess each view with ``data_preprocessor`` (e.g.
    ``BoxInstDataPreprocessor``), then give every other view the
    ``gt_instances`` fields in ``shared_keys`` computed on the clean view,
    so the colour similarity of the pairwise loss comes from the
    un-augmented image (as the original). Test batches are single-view.

    Args:
        data_preprocessor (dict): per-view preprocessor.
        clean_view (str): branch of the clean view. Default 'teacher'.
        shared_keys (tuple[str]): fields copied from the clean view.
    """

    def __init__(self,
                 data_preprocessor: dict,
                 clean_view: str = 'teacher',
                 shared_keys: tuple = ('pairwise_masks', )) -> None:
        super().__init__(data_preprocessor)
        self.clean_view = clean_view
        self.shared_keys = tuple(shared_keys)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Single-view batch at test time; dict of views for training."""
        if not training:
            return self.data_preprocessor(data, training)
        out = super().forward(data, training)
        if self.clean_view not in out['data_samples']:
            raise KeyError(
                f'TwoViewDataPreprocessor: no "{self.clean_view}" view in '
                f'the batch (views: {sorted(out["data_samples"])}); the '
                'train pipeline must end with MultiBranch(branch_field='
                f'[..., "{self.clean_view}", ...])')
        clean = out['data_samples'][self.clean_view]
        for view, samples in out['data_samples'].items():
            if view == self.clean_view:
                continue
            for sample, clean_sample in zip(samples, clean):
                for key in self.shared_keys:
                    if key in clean_sample.gt_instances:
                        sample.gt_instances.set_field(
                            clean_sample.gt_instances.get(key), key)
        return out
