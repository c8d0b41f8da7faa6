"""COCO mask prediction dicts from the results mmdet's ``CocoMetric.process``
keeps (``img_id``, ``labels``, ``scores``, ``masks`` as RLE, optionally
``mask_scores``); shared by our mask metrics."""


def mask_predictions(results, cat_ids, metric_name):
    """One COCO segm prediction per predicted mask.

    Each is ``dict(image_id, category_id, segmentation (RLE with str
    counts), score)``; the score is the mask score when the model gives one
    (MS R-CNN's ``cls x MaskIoU``), else the detection score.

    Args:
        results (list[dict]): processed results, one per image.
        cat_ids (list[int]): COCO category id of each label.
        metric_name (str): named in the error when a result has no masks.

    Returns:
        list[dict]
    """
    preds = []
    for result in results:
        if 'masks' not in result:
            raise KeyError(f'{metric_name} needs predicted masks; the model '
                           f'gave none')
        ranks = result.get('mask_scores', result['scores'])
        for label, mask, score in zip(result['labels'], result['masks'],
                                      ranks):
            counts = mask['counts']
            preds.append(
                dict(image_id=int(result['img_id']),
                     category_id=cat_ids[label],
                     segmentation=dict(
                         size=list(mask['size']),
                         counts=counts.decode()
                         if isinstance(counts, bytes) else counts),
                     score=float(score)))
    return preds
