"""Places Challenge 2017 instance-segmentation metric for mmengine runs."""
import os.path as osp
from collections import OrderedDict

from mmdet.evaluation.metrics import CocoMetric
from mmengine.fileio import dump
from mmengine.logging import MMLogger

from mmrot_ext.registry import DET_METRICS

from .mask_predictions import mask_predictions
from ..places_eval import (
    MAX_DETS_RULES,
    PLACES_MAX_DETS,
    evaluate_places,
    format_report,
    load_json,
    to_submission,
)

# challenge stat name -> metric key (mmdet's CocoMetric naming)
RESULT_KEYS = {
    'AP': 'mAP', 'AP50': 'mAP_50', 'AP75': 'mAP_75', 'APs': 'mAP_s',
    'APm': 'mAP_m', 'APl': 'mAP_l', 'AR@1': 'AR@1', 'AR@50': 'AR@50',
    'AR@255': 'AR@255', 'ARs@255': 'AR_s@255', 'ARm@255': 'AR_m@255',
    'ARl@255': 'AR_l@255'
}


@DET_METRICS.register_module()
class PlacesInstanceMetric(CocoMetric):
    """Mask AP with the Places challenge rules (``places_eval``).

    Reports AP, AP50, AP75, APs/m/l, AR@1/50/255, ARs/m/l (keys
    ``places/segm_<name>``) and logs a per-category AP table. Ranks masks by
    ``mask_scores`` when the model gives them.

    Args:
        ann_file (str): ground-truth COCO JSON (``places_png_to_coco.py``);
            not needed with ``format_only``.
        max_dets_rule (str): 'image' (default: 255 top-scoring per image
            across categories, the challenge README) or 'category' (255 per
            image and category, the official evaluator.py).
        evaluator (str): 'hotcoco' (default) or 'pycocotools' (the stock
            reference; same numbers, slower).
        submission_file (str, optional): also write the official submission
            JSON (no ``bbox``, <= 255 per image) here.
        img_cat_ids (str, optional): the challenge's ``imgCatIds.json``;
            submission image ids are mapped through it by file name.
        **kwargs: ``format_only``, ``outfile_prefix`` etc. of CocoMetric.
    """
    default_prefix = 'places'

    def __init__(self, ann_file=None, metric='segm', max_dets_rule='image',
                 evaluator='hotcoco', submission_file=None, img_cat_ids=None,
                 **kwargs):
        metrics = [metric] if isinstance(metric, str) else list(metric)
        if metrics != ['segm']:
            raise KeyError(f'PlacesInstanceMetric scores segm only, got '
                           f'{metrics}')
        if max_dets_rule not in MAX_DETS_RULES:
            raise ValueError(f'max_dets_rule must be one of '
                             f'{MAX_DETS_RULES}, got {max_dets_rule!r}')
        format_only = kwargs.pop('format_only', False)
        if format_only and not (submission_file or
                                kwargs.get('outfile_prefix')):
            raise ValueError('format_only needs submission_file or '
                             'outfile_prefix (where to write)')
        super().__init__(ann_file=ann_file, metric='segm',
                         proposal_nums=PLACES_MAX_DETS, **kwargs)
        self.format_only = format_only
        self.max_dets_rule = max_dets_rule
        self.evaluator = evaluator
        self.submission_file = submission_file
        self.img_cat_ids = img_cat_ids

    def _challenge_ids(self):
        """Our image id -> ``imgCatIds.json`` id, matched by file name."""
        challenge = {
            osp.basename(img['file_name']): img['id']
            for img in load_json(self.img_cat_ids, 'imgCatIds')['images']
        }
        id_map, missing = {}, []
        for img_id in self.img_ids:
            name = osp.basename(self._coco_api.imgs[img_id]['file_name'])
            if name in challenge:
                id_map[img_id] = challenge[name]
            else:
                missing.append(name)
        if missing:
            raise ValueError(f'{self.img_cat_ids}: no entry for '
                             f'{len(missing)} image(s), e.g. {missing[:5]}')
        return id_map

    def compute_metrics(self, results):
        logger = MMLogger.get_current_instance()
        _, results = zip(*results)
        if self._coco_api is None:
            raise ValueError('PlacesInstanceMetric needs ann_file')
        if self.cat_ids is None:
            self.cat_ids = self._coco_api.get_cat_ids(
                cat_names=self.dataset_meta['classes'])
        if self.img_ids is None:
            self.img_ids = self._coco_api.get_img_ids()
        preds = mask_predictions(results, self.cat_ids, type(self).__name__)
        if self.submission_file:
            id_map = self._challenge_ids() if self.img_cat_ids else None
            dump(to_submission(preds, id_map), self.submission_file)
            logger.info(f'submission written to {self.submission_file}')
        if self.outfile_prefix:
            dump(preds, f'{self.outfile_prefix}.segm.json')
        eval_results = OrderedDict()
        if self.format_only:
            return eval_results
        gt = self._coco_api.dataset
        result = evaluate_places(gt, preds, self.max_dets_rule,
                                 self.evaluator)
        if result.num_dropped:
            logger.info(f'{result.num_dropped} masks beyond 255 per image '
                        f'dropped (max_dets_rule="image")')
        logger.info('\n' + format_report(result, gt))
        for name, value in result.stats.items():
            eval_results[f'segm_{RESULT_KEYS[name]}'] = round(value, 4)
        stats = list(result.stats.values())
        eval_results['segm_mAP_copypaste'] = ' '.join(
            f'{v:.3f}' for v in stats[:6])
        return eval_results
