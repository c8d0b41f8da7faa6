"""Faster R-CNN's 4-step alternating training (Ren et al. 2015, Sec. 3.2).

    python tools/alternating_train.py CONFIG [--work-dir DIR] [--resume]
        [--unshared] [--cfg-options k=v ...]

CONFIG is a two-stage detector config (axis-aligned or rotated). Each step
is an ordinary mmengine run of the config's schedule, data and optimiser in
``DIR/step<N>_<what>/``:

1. ``step1_rpn``: the RPN (backbone initialised as the config says);
2. ``step2_detector``: a fresh backbone and the RoI head, trained on the
   proposals of step 1's RPN (frozen, with its own backbone);
3. ``step3_rpn``: the RPN on step 2's backbone and neck, which stay frozen;
   its own layers start fresh (as in the paper's code) and are trained;
4. ``step4_detector``: the RoI head (from step 2) fine-tuned on step 3's
   proposals, backbone, neck and RPN frozen.

Proposals are computed online by the frozen RPN of the step before, with
the config's ``train_cfg.rpn_proposal`` (the paper's 2000 per image): they
follow each step's augmentation and need no proposal files (a precomputed
file would fix one flip per image). Steps run no validation.

``DIR/final.pth`` is an ordinary checkpoint of CONFIG's detector (shared
features): ``tools/test.py CONFIG DIR/final.pth`` and DetInferencer load
it. ``--unshared`` stops after step 2 (the paper's unshared variant): the
final model keeps the step-1 RPN with its own backbone, so ``final.pth``
goes with ``DIR/final_config.py`` (written in both modes).
``--resume`` skips finished steps and continues the step that stopped from
its last checkpoint. ``--cfg-options`` apply to every step (e.g.
``train_cfg.max_epochs=2`` per step).
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Faster R-CNN's 4-step alternating training")
    parser.add_argument('config', help='two-stage detector config')
    parser.add_argument('--work-dir', help='where the four steps go')
    parser.add_argument(
        '--resume', action='store_true',
        help='skip finished steps, continue the stopped one from its last '
        'checkpoint')
    parser.add_argument(
        '--unshared', action='store_true',
        help='stop after step 2: RPN and detector keep separate backbones')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries of every step, e.g. '
        'train_cfg.max_epochs=2')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    return parser.parse_args(argv)


STEPS = {1: 'step1_rpn', 2: 'step2_detector', 3: 'step3_rpn',
         4: 'step4_detector'}


def rpn_model(detector, scope):
    """RPN-only detector config from a two-stage one (mmdet's ``RPN`` keeps
    its head as ``bbox_head``; the other parts carry the same names)."""
    return dict(
        type='RotatedRPN' if scope == 'mmrotate' else 'mmdet.RPN',
        backbone=detector['backbone'], neck=detector.get('neck'),
        rpn_head=detector['rpn_head'],
        train_cfg=dict(rpn=detector['train_cfg']['rpn']),
        test_cfg=dict(rpn=detector['test_cfg']['rpn']))


def step_model(cfg, step):
    """Model config of ``step`` (see the module docstring)."""
    detector = cfg.model.copy()
    preprocessor = detector.pop('data_preprocessor')
    if 'rpn_head' not in detector or 'roi_head' not in detector:
        raise ValueError(
            f'{cfg.filename}: alternating training needs a two-stage '
            f'detector with rpn_head and roi_head, got {detector["type"]}')
    rpn = rpn_model(detector, cfg.get('default_scope'))
    shared = [name for name in ('backbone', 'neck') if detector.get(name)]
    model = dict(type='AlternatingTrainingStep',
                 data_preprocessor=preprocessor)
    if step == 1:
        model.update(model=rpn)
    elif step == 2:
        # the detector's own RPN head is not used until step 4
        model.update(model=detector, proposer=rpn, frozen=['rpn_head'])
    elif step == 3:
        model.update(model=rpn, frozen=shared)
    else:
        model.update(model=detector, frozen=shared + ['rpn_head'])
    return model


def select(state_dict, prefix, new_prefix='', parts=None):
    """Entries of ``state_dict`` under ``prefix`` renamed to
    ``new_prefix``; with ``parts`` ({name: new name}), only those parts
    after the prefix, renamed."""
    out = {}
    for key, value in state_dict.items():
        if not key.startswith(prefix):
            continue
        name, _, rest = key[len(prefix):].partition('.')
        if parts is None:
            out[f'{new_prefix}{name}.{rest}'] = value
        elif name in parts:
            out[f'{new_prefix}{parts[name]}.{rest}'] = value
    return out


def initial_weights(step, done):
    """The state dict step ``step`` starts from (its other weights are
    initialised as the config says)."""
    from mmrot_ext.engine import load_checkpoint_lazily

    def weights(n):
        return load_checkpoint_lazily(done[str(n)])['state_dict']

    if step == 2:
        return select(weights(1), 'model.', 'proposer.')
    shared = dict(backbone='backbone', neck='neck')
    if step == 3:
        return select(weights(2), 'model.', 'model.', shared)
    return {  # step 3 is an RPN detector: its head is bbox_head
        **select(weights(3), 'model.', 'model.',
                 dict(shared, bbox_head='rpn_head')),
        **select(weights(2), 'model.', 'model.', dict(roi_head='roi_head'))
    }


def step_config(cfg, step, work_dir, done, resume):
    """The mmengine config of one step, ready for the Runner."""
    from mmrot_ext.engine import find_resume_checkpoint, prepare_training
    import torch
    step_cfg = cfg.copy()
    step_cfg.model = step_model(cfg, step)
    step_cfg.work_dir = osp.join(work_dir, STEPS[step])
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator'):
        step_cfg[key] = None
    step_cfg.resume, step_cfg.load_from = False, None
    ckpt = find_resume_checkpoint(step_cfg.work_dir) if resume else None
    if ckpt is not None:
        step_cfg.resume, step_cfg.load_from = True, ckpt
    elif step > 1:
        init = osp.join(work_dir, f'{STEPS[step]}_init.pth')
        torch.save(dict(state_dict=initial_weights(step, done)), init)
        step_cfg.load_from = init
    return prepare_training(step_cfg)


def write_final(cfg, work_dir, done, unshared):
    """``final.pth`` (the last step's network) and ``final_config.py``."""
    import torch
    from mmrot_ext.engine import load_checkpoint_lazily
    last = load_checkpoint_lazily(done['2' if unshared else '4'])
    if unshared:
        final_cfg = cfg.copy()
        final_cfg.model = step_model(cfg, 2)
        state = last['state_dict']
    else:
        final_cfg = cfg
        state = select(last['state_dict'], 'model.')
    meta = dict(last['meta'], alternating_steps=2 if unshared else 4)
    torch.save(dict(state_dict=state, meta=meta),
               osp.join(work_dir, 'final.pth'))
    final_cfg.dump(osp.join(work_dir, 'final_config.py'))


def main(argv=None):
    args = parse_args(argv)
    from mmrot_ext.engine import (find_resume_checkpoint, load_tool_config,
                                  run_tool)
    cfg = load_tool_config(args.config, args.cfg_options, args.work_dir,
                           args.launcher)
    work_dir = cfg.work_dir
    os.makedirs(work_dir, exist_ok=True)
    state_file = osp.join(work_dir, 'alternating_state.json')
    done = {}
    if args.resume and osp.isfile(state_file):
        with open(state_file) as f:
            done = json.load(f)['done']
    last_step = 2 if args.unshared else 4
    for step in range(1, last_step + 1):
        if str(step) in done:
            print(f'alternating training: step {step} ({STEPS[step]}) '
                  f'done, skipped')
            continue
        print(f'alternating training: step {step} of {last_step} '
              f'({STEPS[step]})')
        step_cfg = step_config(cfg, step, work_dir, done, args.resume)
        run_tool(step_cfg, args.launcher, lambda runner: runner.train())
        done[str(step)] = find_resume_checkpoint(step_cfg.work_dir)
        with open(state_file, 'w') as f:
            json.dump(dict(config=args.config, done=done), f, indent=1)
    write_final(cfg, work_dir, done, args.unshared)
    print(f'alternating training: final checkpoint '
          f'{osp.join(work_dir, "final.pth")} (config '
          f'{osp.join(work_dir, "final_config.py")})')


if __name__ == '__main__':
    main()
