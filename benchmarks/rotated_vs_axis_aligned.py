"""MS R-CNN vs Rotated MS R-CNN on the dense synthetic set, side by side.

    python benchmarks/rotated_vs_axis_aligned.py [--eval-epochs 5 10] \
        [--train-images 500] [--models rotated axis-aligned] \
        [--baseline-json BEFORE.json]

Both cpu-tiny models share backbone (ResNet-18 from scratch, 64-channel FPN),
RoI budget, schedule (AdamW) and data (the same dense scenes, flips only).
Each trains once with tools/train.py in a subprocess for the last of
``--eval-epochs`` (the learning rate drops for its last epoch); the
checkpoints at every listed epoch are evaluated on the test split (segm AP,
AP50, AP75, AR@100, segm AP per class) with the RPN's proposal recall per
class (IoU 0.5 and 0.7; rotated IoU against GT rboxes for the rotated model,
box IoU against GT boxes for the other), so the AP curve shows whether the
axis-aligned model had stopped learning (``--train-images N`` trains on
the first N training images, so a longer schedule fits the same number of
iterations; the test split is unchanged). The last checkpoint is timed per
test image in this process. ``--baseline-json`` names an earlier run's
JSON (e.g. the same benchmark on older code) whose rotated results are put
beside the new ones. Writes JSON and markdown to benchmarks/results/.
Paper (PPC, R-50): 19.3 vs 13.2 mask AP (x1.46), ~10 % slower inference,
30-50 % slower training.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import time

import harness
import numpy as np
import torch
from harness import DENSE_SCENES, REPO, cli_options, schedule_options
from report import run_info, write_report

MODELS = {
    'MS R-CNN': 'configs/ms_rcnn/ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    'Rotated MS R-CNN': 'configs/rotated_ms_rcnn/'
    'rotated-ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
}
MODEL_KEYS = {'axis-aligned': 'MS R-CNN', 'rotated': 'Rotated MS R-CNN'}
CLASSES = ('pen', 'pencil', 'chopstick')
RECALL_IOUS = (0.5, 0.7)
BARS = dict(segm_ap_ratio=1.4, inference_ratio=1.10, train_ratio=1.3)
METRIC_ITEMS = "['mAP','mAP_50','mAP_75','mAP_s','mAP_m','mAP_l','AR@100']"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthetic_dense_bench')
    parser.add_argument('--num-train', type=int, default=1000)
    parser.add_argument('--num-test', type=int, default=200)
    parser.add_argument('--train-images', type=int,
                        help='train on the first N training images only '
                        '(a longer schedule at the same iteration count)')
    parser.add_argument('--eval-epochs', type=int, nargs='+', default=[5],
                        help='evaluate the checkpoints of these epochs; '
                        'training runs to the last')
    parser.add_argument('--models', nargs='+', choices=sorted(MODEL_KEYS),
                        default=['axis-aligned', 'rotated'])
    parser.add_argument('--baseline-json',
                        help='an earlier run of this benchmark to compare')
    parser.add_argument('--timed-images', type=int, default=100)
    parser.add_argument('--work-dir', default='work_dirs/bench_rotated')
    parser.add_argument('--out', default='benchmarks/results/'
                        'rotated_vs_axis_aligned')
    args = parser.parse_args()
    args.eval_epochs = sorted(set(args.eval_epochs))
    args.epochs = args.eval_epochs[-1]
    return args


def data_options(root, split):
    """Train on ``root``, test on ``split``."""
    return harness.data_options(root, test_split=split)


def train(name, cfg, args, work_dir, options=None):
    """Train (resuming a killed or finished run in ``work_dir``);
    ``options`` (dotted key: value) change the config. No validation
    during training: both models evaluate on test afterwards."""
    cmd = [*data_options(args.data_root, 'test'),
           *schedule_options(args.epochs)]
    if args.train_images:
        cmd.append(f'train_dataloader.dataset.indices={args.train_images}')
    return harness.train(cfg, work_dir, cmd + cli_options(options), name)


def evaluate(name, cfg, ckpt, args, work_dir, options=None, split='test'):
    """segm AP, AP50, AP75, AR@100 and AP per class of one checkpoint on
    a split (``test`` or ``val``)."""
    cfg_options = [*data_options(args.data_root, split),
                   'test_evaluator.classwise=True', *cli_options(options)]
    if 'rotated' not in cfg:
        cfg_options.append(f'test_evaluator.metric_items={METRIC_ITEMS}')
    metrics, _ = harness.test(cfg, ckpt, work_dir, cfg_options,
                              ['--eval', 'segm'], name)
    pick = {k.split('/')[-1]: v for k, v in metrics.items()}
    # our rotated metric names classes segm_<class>_precision, mmdet's
    # CocoMetric <class>_precision
    per_class = {
        c: pick.get(f'segm_{c}_precision', pick.get(f'{c}_precision'))
        for c in CLASSES
    }
    return dict(segm_AP=pick['segm_mAP'], segm_AP50=pick['segm_mAP_50'],
                segm_AP75=pick['segm_mAP_75'],
                segm_AR100=pick['segm_AR@100'], segm_AP_per_class=per_class)


def load_model(cfg_path, ckpt, options=None):
    """The model of a config (changed by ``options``) with a checkpoint, in
    eval mode, and its config."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint

    import mmrot_ext.modules  # noqa: F401
    cfg = Config.fromfile(osp.join(REPO, cfg_path))
    cfg.merge_from_dict(options or {})
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    return model.eval(), cfg


def test_items(cfg, args, split='test'):
    """Collated images of a split, batch 1."""
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS
    dataset = cfg.test_dataloader.dataset
    dataset.update(data_root=osp.join(REPO, args.data_root) + '/',
                   ann_file=f'annotations/instances_{split}.json')
    data = DATASETS.build(dataset)
    return [pseudo_collate([data[i]]) for i in range(len(data))]


def proposal_recall(cfg_path, ckpt, args, options=None, split='test'):
    """Per class, the fraction of the split's GT that some RPN proposal (all
    the test config keeps, 200 for cpu-tiny) covers at IoU 0.5 and 0.7.

    Rotated proposals are matched to the GT rboxes by rotated IoU,
    axis-aligned ones to the GT boxes by box IoU.
    """
    from mmcv.ops import bbox_overlaps

    from mmrot_ext.structures import sparse_rbox_overlaps
    model, cfg = load_model(cfg_path, ckpt, options)
    with open(osp.join(REPO, args.data_root, 'annotations',
                       f'instances_{split}.json')) as f:
        coco = json.load(f)
    names = {c['id']: c['name'] for c in coco['categories']}
    gts = {}
    for ann in coco['annotations']:
        gts.setdefault(ann['image_id'], []).append(ann)
    hits = {c: np.zeros(len(RECALL_IOUS)) for c in CLASSES}
    totals = dict.fromkeys(CLASSES, 0)
    with torch.no_grad():
        for item in test_items(cfg, args, split):
            data = model.data_preprocessor(item, False)
            feats = model.extract_feat(data['inputs'])
            proposals = model.rpn_head.predict(feats, data['data_samples'],
                                               rescale=True)[0].bboxes
            proposals = getattr(proposals, 'tensor', proposals).float()
            anns = gts.get(data['data_samples'][0].img_id, [])
            if not anns:
                continue
            if proposals.size(1) == 5:
                gt = torch.tensor([a['rbox'] for a in anns])
                ious = sparse_rbox_overlaps(gt, proposals)
            else:
                gt = torch.tensor([a['bbox'] for a in anns]).float()
                gt[:, 2:] += gt[:, :2]
                ious = bbox_overlaps(gt, proposals)
            best = ious.max(dim=1).values if ious.numel() else \
                torch.zeros(len(anns))
            for ann, iou in zip(anns, best.tolist()):
                name = names[ann['category_id']]
                totals[name] += 1
                hits[name] += [iou >= t for t in RECALL_IOUS]
    return {
        c: {f'recall@{t}': round(float(hits[c][i] / max(totals[c], 1)), 3)
            for i, t in enumerate(RECALL_IOUS)}
        for c in CLASSES
    }


def time_inference(cfg_path, ckpt, args):
    """Median seconds per test image of model.test_step, batch 1."""
    model, cfg = load_model(cfg_path, ckpt)
    items = test_items(cfg, args)[:args.timed_images]
    times = []
    with torch.no_grad():
        for item in items[:3]:
            model.test_step(item)
        for item in items:
            start = time.perf_counter()
            model.test_step(item)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def ensure_data(args):
    harness.ensure_data(args.data_root, DENSE_SCENES, '--num-train',
                        args.num_train, '--num-val', 100, '--num-test',
                        args.num_test, '--preset', 'dense', '--seed', 0)


def fmt(value):
    return '-' if value is None else f'{value:.3f}'


def ratio(a, b):
    if a is None or b is None:
        return None
    return round(a / b, 2) if b > 0 else 'inf'


def markdown(report):
    rows = report['models']
    lines = [
        '# MS R-CNN vs Rotated MS R-CNN, dense synthetic scenes (cpu-tiny)',
        '', f'Command: `{report["command"]}`  ', f'Date: {report["date"]}, '
        f'{report["machine"]}', '',
        '| model | epoch | segm AP | AP50 | AP75 | AR@100 | AP pen | '
        'AP pencil | AP chopstick | proposal recall@0.5 pen / pencil / '
        'chopstick |', '|---|---|---|---|---|---|---|---|---|---|'
    ]
    for name, r in rows.items():
        for point in r['points']:
            cls = point['segm_AP_per_class']
            rec = point['proposal_recall']
            lines.append(
                f'| {name} | {point["epoch"]} | {fmt(point["segm_AP"])} | '
                f'{fmt(point["segm_AP50"])} | {fmt(point["segm_AP75"])} | '
                f'{fmt(point["segm_AR100"])} | ' +
                ' | '.join(fmt(cls[c]) for c in CLASSES) + ' | ' +
                ' / '.join(fmt(rec[c]['recall@0.5']) for c in CLASSES) + ' |')
    lines += ['', '| model | train s/iter | infer s/img | peak RSS MiB |',
              '|---|---|---|---|']
    for name, r in rows.items():
        lines.append(f'| {name} | {r["train_s_per_iter"]:.3f} | '
                     f'{r["infer_s_per_img"]:.3f} | '
                     f'{r["train_peak_rss_mib"]} |')
    if 'ratios' in report:
        ratios = report['ratios']
        lines += [
            '', '| ratio (rotated / axis-aligned) | ours | bar | paper (PPC, '
            'R-50, GPU) |', '|---|---|---|---|'
        ]
        for epoch, value in ratios['segm_ap'].items():
            lines.append(f'| segm AP at epoch {epoch} | {value} | >= '
                         f'{BARS["segm_ap_ratio"]} | 1.46 (19.3 / 13.2) |')
        lines += [
            f'| inference time per image | {ratios["inference"]} | <= '
            f'{BARS["inference_ratio"]} | ~1.10 |',
            f'| training time per iteration | {ratios["train"]} | <= '
            f'{BARS["train_ratio"]} | 1.3-1.5 |',
            f'| peak memory (training) | {ratios["peak_rss"]} | - | ~1.0 |'
        ]
    if 'baseline' in report:
        base = report['baseline']
        lines += [
            '', f'Rotated MS R-CNN before and after (baseline: '
            f'`{base["command"]}`, {base["date"]}):', '',
            '| epoch | segm AP before | after | AP chopstick before | after '
            '| ratio | chopstick recall@0.5 before | after |',
            '|---|---|---|---|---|---|---|---|'
        ]
        for row in base['comparison']:
            lines.append(
                f'| {row["epoch"]} | {fmt(row["segm_AP_before"])} | '
                f'{fmt(row["segm_AP_after"])} | '
                f'{fmt(row["chopstick_AP_before"])} | '
                f'{fmt(row["chopstick_AP_after"])} | '
                f'{row["chopstick_AP_ratio"]} | '
                f'{fmt(row["chopstick_recall_before"])} | '
                f'{fmt(row["chopstick_recall_after"])} |')
    lines += [
        '', f'Dataset: {report["dataset"]}. Same schedule for both models: '
        f'{report["epochs"]} epochs, learning rate x0.1 for the last.'
    ]
    return '\n'.join(lines) + '\n'


def compare_with_baseline(path, rotated):
    """The rotated model's points beside the same epochs of an earlier run."""
    with open(path) as f:
        before = json.load(f)
    old = before['models']['Rotated MS R-CNN']['points']
    old = {p['epoch']: p for p in old}
    rows = []
    for point in rotated['points']:
        prev = old.get(point['epoch'])
        if prev is None:
            continue
        chop_before = prev['segm_AP_per_class']['chopstick']
        chop_after = point['segm_AP_per_class']['chopstick']
        rows.append(dict(
            epoch=point['epoch'], segm_AP_before=prev['segm_AP'],
            segm_AP_after=point['segm_AP'], chopstick_AP_before=chop_before,
            chopstick_AP_after=chop_after,
            chopstick_AP_ratio=ratio(chop_after, chop_before),
            chopstick_recall_before=prev['proposal_recall']['chopstick'][
                'recall@0.5'],
            chopstick_recall_after=point['proposal_recall']['chopstick'][
                'recall@0.5']))
    return dict(command=before['command'], date=before['date'],
                source=osp.relpath(path, REPO), comparison=rows)


def main():
    args = parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    ensure_data(args)
    with open(osp.join(REPO, args.data_root, 'annotations',
                       'instances_train.json')) as f:
        train_images = len(json.load(f)['images'])
    report = dict(
        **run_info(),
        dataset=f'{args.data_root} (dense preset, '
        f'{min(train_images, args.train_images or train_images)} train / '
        f'{args.num_test} test images, seed 0)',
        epochs=args.epochs, eval_epochs=args.eval_epochs, models={})
    for key in args.models:
        name = MODEL_KEYS[key]
        cfg = MODELS[name]
        work_dir = osp.join(REPO, args.work_dir, name.replace(' ', '_'))
        os.makedirs(work_dir, exist_ok=True)
        result = train(name, cfg, args, work_dir)
        result['points'] = []
        for epoch in args.eval_epochs:
            ckpt = osp.join(work_dir, f'epoch_{epoch}.pth')
            point = dict(epoch=epoch)
            point.update(evaluate(name, cfg, ckpt, args,
                                  osp.join(work_dir, f'test_epoch_{epoch}')))
            point['proposal_recall'] = proposal_recall(cfg, ckpt, args)
            result['points'].append(point)
            print(f'[{name}] epoch {epoch}: {json.dumps(point)}', flush=True)
        result['infer_s_per_img'] = time_inference(cfg, result['checkpoint'],
                                                   args)
        result['config'] = cfg
        report['models'][name] = result
        finish(report, args)  # a partial report survives a later failure


def finish(report, args):
    """Ratios and the baseline comparison; write JSON and markdown."""
    rows = report['models']
    if len(rows) == 2:
        base, rot = rows['MS R-CNN'], rows['Rotated MS R-CNN']
        report['ratios'] = dict(
            segm_ap={
                str(b['epoch']): ratio(r['segm_AP'], b['segm_AP'])
                for b, r in zip(base['points'], rot['points'])
            },
            inference=ratio(rot['infer_s_per_img'], base['infer_s_per_img']),
            train=ratio(rot['train_s_per_iter'], base['train_s_per_iter']),
            peak_rss=ratio(rot['train_peak_rss_mib'],
                           base['train_peak_rss_mib']))
        ratios = report['ratios']
        report['bars_met'] = dict(
            segm_ap={
                e: v == 'inf' or v >= BARS['segm_ap_ratio']
                for e, v in ratios['segm_ap'].items()
            },
            inference=ratios['inference'] <= BARS['inference_ratio'],
            train=ratios['train'] <= BARS['train_ratio'])
    if args.baseline_json and 'Rotated MS R-CNN' in rows:
        report['baseline'] = compare_with_baseline(
            osp.join(REPO, args.baseline_json), rows['Rotated MS R-CNN'])
    write_report(args.out, report, markdown(report))


if __name__ == '__main__':
    main()
