"""Test (and evaluate) a detector (mmdet 3.x style).

    python tools/test.py CONFIG CHECKPOINT [--eval segm bbox ...]
        [--out results.pkl] [--show-dir DIR] [--tta [--tta-flips ...]]
        [--cfg-options k=v ...] [--debug]

``--eval`` is a shorthand that sets the metrics of the config's test
evaluator (``segm``, ``bbox``, ``proposal``, ``proposal_fast``; rotated
configs also ``rbox``; keypoint configs also ``keypoints``: keypoint AP and
heading accuracy of their ``KeypointHeadingMetric``, left out when not
named). A checkpoint that does not fit the config's model
(missing, unexpected or differently shaped weights) is an error, unless
``--allow-partial`` says to evaluate the partly loaded model anyway.
``--tta`` tests the plain and flipped views of each image merged by
``InstanceSegTTAModel`` (both families, masks included). A user's mistake
is one line on stderr (exit status 2) unless ``--debug``.
"""
import argparse
import os
import os.path as osp
import re

from mmengine.config import DictAction

from mmrot_ext.cli import add_debug_argument, run_cli

EVAL_CHOICES = ('segm', 'bbox', 'proposal', 'proposal_fast', 'rbox',
                'keypoints')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a detector')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where metrics are written')
    parser.add_argument('--eval', nargs='+', choices=EVAL_CHOICES,
                        help='metrics to evaluate (sets test_evaluator)')
    parser.add_argument('--out', help='dump predictions to a .pkl file')
    parser.add_argument('--allow-partial', action='store_true',
                        help='evaluate even if the checkpoint does not fit '
                        'the model (missing or mismatched weights)')
    parser.add_argument('--show', action='store_true',
                        help='show predictions in a window')
    parser.add_argument('--show-dir',
                        help='save painted predictions under '
                        'work_dir/<timestamp>/SHOW_DIR')
    parser.add_argument('--tta', action='store_true',
                        help='test-time augmentation: the config\'s '
                        'tta_model / tta_pipeline, else flips (--tta-flips) '
                        'merged by the family\'s NMS (InstanceSegTTAModel)')
    parser.add_argument('--tta-flips', nargs='+', default=['horizontal'],
                        choices=('horizontal', 'vertical', 'diagonal'),
                        help='flipped views added to the plain one')
    parser.add_argument('--wait-time', type=float, default=2,
                        help='seconds each shown image stays')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. test_dataloader.batch_size=2')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    add_debug_argument(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if args.out and not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out must name a .pkl file, got {args.out}')
    return args


def _has_key(node, key):
    """Whether a (nested) config mentions ``key``."""
    if isinstance(node, dict):
        return key in node or any(_has_key(v, key) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_key(v, key) for v in node)
    return False


def _is_keypoint_metric(evaluator):
    return evaluator.get('type', '').split('.')[-1] == 'KeypointHeadingMetric'


def apply_eval_shorthand(cfg, metrics, config_path):
    """Point the test evaluator(s) at ``metrics``."""
    if 'segm' in metrics and not _has_key(cfg.model, 'mask_head'):
        raise ValueError(f'{config_path}: --eval segm needs a model with a '
                         f'mask head; this config has none')
    evaluators = cfg.test_evaluator
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    keypoint_metrics = [e for e in evaluators if _is_keypoint_metric(e)]
    if 'keypoints' in metrics and not keypoint_metrics:
        raise ValueError(f'{config_path}: --eval keypoints needs a '
                         f'KeypointHeadingMetric in test_evaluator (a '
                         f'keypoint config); found '
                         f'{[e.get("type") for e in evaluators]}')
    others = [m for m in metrics if m != 'keypoints']
    targets = [e for e in evaluators if 'metric' in e]
    if others and not targets:
        raise ValueError(f'{config_path}: --eval needs a test_evaluator with '
                         f'a "metric" option (such as CocoMetric); found '
                         f'{[e.get("type") for e in evaluators]}')
    for evaluator in targets:
        evaluator.metric = others
    # a metric not asked for is left out; evaluators without options stay
    kept = [
        e for e in evaluators
        if ('keypoints' in metrics if _is_keypoint_metric(e) else
            bool(others) if 'metric' in e else True)
    ]
    cfg.test_evaluator = kept if len(kept) > 1 else kept[0]


def flip_tta_pipeline(pipeline, flips, config_path):
    """``pipeline`` with the plain view and one view per flip direction:
    the steps before its ``Resize`` load the image once; ``TestTimeAug``
    runs the resize, then each flip, then the remaining steps, packing the
    flip into the metadata the TTA model reads."""
    steps = [dict(step) for step in pipeline]
    resize = [i for i, step in enumerate(steps)
              if step['type'].split('.')[-1] == 'Resize']
    if not resize:
        raise ValueError(f'{config_path}: --tta needs a Resize in the test '
                         f'pipeline, or a tta_pipeline in the config')
    first = resize[0]
    pack = dict(steps[-1])
    pack['meta_keys'] = tuple(pack.get('meta_keys', ())) + (
        'flip', 'flip_direction')
    views = [dict(type='mmdet.RandomFlip', prob=0.)] + [
        dict(type='mmdet.RandomFlip', prob=1., direction=d) for d in flips]
    return steps[:first] + [dict(
        type='TestTimeAug',
        transforms=[[steps[first]], views,
                    *[[step] for step in steps[first + 1:-1]], [pack]])]


def apply_tta(cfg, flips, config_path):
    """Wrap the model in the config's ``tta_model`` (default:
    ``InstanceSegTTAModel`` with the model's own test NMS, or a hard NMS
    at 0.5 of the family where it has none, as MS R-CNN's soft-NMS on mask
    scores) and test on its ``tta_pipeline`` (default: flips)."""
    if 'tta_model' not in cfg:
        test_cfg = cfg.model.get('test_cfg') or {}
        head_cfg = test_cfg.get('rcnn') or test_cfg.get('rpn') or {}
        rotated = cfg.get('default_scope') == 'mmrotate'
        nms = head_cfg.get('nms') or dict(
            type='fast_nms_rotated' if rotated else 'nms',
            iou_threshold=0.5)
        cfg.tta_model = dict(type='InstanceSegTTAModel', tta_cfg=dict(
            nms=nms, max_per_img=head_cfg.get('max_per_img', 100)))
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:
        dataset = dataset.dataset
    if 'tta_pipeline' not in cfg:
        cfg.tta_pipeline = flip_tta_pipeline(dataset.pipeline, flips,
                                             config_path)
    dataset.pipeline = cfg.tta_pipeline
    cfg.model = dict(cfg.tta_model, module=cfg.model)


def build_cfg(args):
    """Config with the command line applied."""
    from mmdet.engine.hooks.utils import trigger_visualization_hook

    from mmrot_ext.engine import load_tool_config
    cfg = load_tool_config(args.config, args.cfg_options, args.work_dir,
                           args.launcher)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} not found')
    cfg.load_from = args.checkpoint
    if args.eval:
        apply_eval_shorthand(cfg, args.eval, args.config)
    if args.tta:
        apply_tta(cfg, args.tta_flips, args.config)
    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    return cfg


def check_weights_fit(runner, args):
    """Stop, naming the config, the checkpoint and the first differences,
    when the checkpoint's weights do not fit the model (mmengine would load
    what fits, warn, and evaluate the rest at random), unless
    ``--allow-partial``; an unreadable checkpoint stops either way."""
    from mmengine.model import BaseTTAModel, is_model_wrapper

    from mmrot_ext.engine import load_checkpoint_lazily
    model = runner.model
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module  # as mmengine's load_state_dict unwraps
    try:
        ckpt = load_checkpoint_lazily(args.checkpoint)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    theirs = {re.sub(r'^module\.', '', k): v
              for k, v in ckpt.get('state_dict', ckpt).items()}
    ours = model.state_dict()
    problems = [f'missing in the checkpoint: {k}'
                for k in sorted(set(ours) - set(theirs))]
    problems += [f'not in the model: {k}'
                 for k in sorted(set(theirs) - set(ours))]
    problems += [
        f'shape {tuple(theirs[k].shape)} in the checkpoint, '
        f'{tuple(v.shape)} in the model: {k}' for k, v in ours.items()
        if k in theirs and tuple(theirs[k].shape) != tuple(v.shape)
    ]
    if problems and not args.allow_partial:
        raise SystemExit(
            f'{args.checkpoint} does not fit the model of {args.config} '
            f'({len(problems)} difference(s)):\n  ' +
            '\n  '.join(problems[:8]) + '\nUse the config it was trained '
            'with, or --allow-partial to evaluate anyway.')


def main(argv=None):
    args = parse_args(argv)
    # the stack is imported after parsing: --help answers at once
    from mmdet.evaluation import DumpDetResults

    from mmrot_ext.engine import run_tool

    def test(runner):
        check_weights_fit(runner, args)
        if args.out:
            runner.test_evaluator.metrics.append(
                DumpDetResults(out_file_path=args.out))
        return runner.test()

    return run_cli(lambda: run_tool(build_cfg(args), args.launcher, test),
                   args.debug)


if __name__ == '__main__':
    main()
