"""Run a trained model on images with mmdet's DetInferencer and draw masks
(and keypoints with heading arrows, for keypoint models).

    python demo/image_demo.py IMAGE_OR_DIR CONFIG --weights CKPT \
        [--out-dir outputs/demo] [--device cpu] [--pred-score-thr 0.3]

Writes one PNG per image with boxes and masks drawn to OUT_DIR/vis/ and the
raw predictions (RLE masks; keypoints, keypoint scores and headings in
radians where the model gives them) to OUT_DIR/preds/, both named after the
input file (``a.png``; ``a_jpg.png`` and ``a_png.png`` when a folder holds
``a.jpg`` and ``a.png``). Images are read with
:func:`mmrot_ext.apis.load_image`: grayscale is used as three equal
channels, 16-bit and float images are scaled to 8 bits with a warning. In a
folder, an image that cannot be read is reported and the others still run;
the exit status is then 1.
"""
import argparse
import json
import os
import os.path as osp
import sys
from collections import Counter

import mmcv
from mmdet.apis import DetInferencer
from mmengine.config import Config

import mmrot_ext.modules  # noqa: F401  (registers our components)
from mmrot_ext.apis import IMAGE_EXTENSIONS, load_image
from mmrot_ext.engine import add_project_root


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('inputs', help='an image file or a folder of images')
    parser.add_argument('config', help='model config file')
    parser.add_argument('--weights', required=True, help='checkpoint file')
    parser.add_argument('--out-dir', default='outputs/demo')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--pred-score-thr', type=float, default=0.3)
    return parser.parse_args(argv)


def list_images(inputs):
    """Image paths of a file or folder; raises if there are none. Other
    files in a folder are counted in a message."""
    if osp.isdir(inputs):
        names = sorted(os.listdir(inputs))
        paths = [osp.join(inputs, f) for f in names
                 if f.lower().endswith(IMAGE_EXTENSIONS)]
        others = len([f for f in names
                      if osp.isfile(osp.join(inputs, f))]) - len(paths)
        if others:
            print(f'{inputs}: skipping {others} file(s) that are not images '
                  f'({", ".join(IMAGE_EXTENSIONS)})')
    elif osp.isfile(inputs):
        paths = [inputs]
    else:
        raise FileNotFoundError(f'{inputs} does not exist')
    if not paths:
        raise FileNotFoundError(f'no images ({", ".join(IMAGE_EXTENSIONS)}) '
                                f'in {inputs}')
    return paths


def output_names(paths):
    """A distinct output stem per input: the file's stem, or stem_ext when
    another input shares the stem."""
    stems = Counter(osp.splitext(osp.basename(p))[0] for p in paths)
    names = []
    for path in paths:
        stem, ext = osp.splitext(osp.basename(path))
        names.append(stem if stems[stem] == 1 else f'{stem}_{ext[1:]}')
    return names


def main(argv=None):
    args = parse_args(argv)
    images = list_images(args.inputs)
    add_project_root(args.config)
    scope = Config.fromfile(args.config).get('default_scope', 'mmdet')
    inferencer = DetInferencer(
        model=args.config, weights=args.weights, device=args.device,
        scope=scope, show_progress=False)
    classes = inferencer.model.dataset_meta['classes']
    for sub in ('vis', 'preds'):
        os.makedirs(osp.join(args.out_dir, sub), exist_ok=True)
    failed = []
    for path, name in zip(images, output_names(images)):
        try:
            image = load_image(path)
        except (OSError, ValueError) as e:
            failed.append(str(e))
            print(f'skipped {e}', file=sys.stderr)
            continue
        result = inferencer(image, return_vis=True, no_save_vis=True,
                            no_save_pred=True,
                            pred_score_thr=args.pred_score_thr)
        pred = result['predictions'][0]
        kept = [i for i, s in enumerate(pred['scores'])
                if s >= args.pred_score_thr]
        counts = Counter(classes[pred['labels'][i]] for i in kept)
        vis_path = osp.join(args.out_dir, 'vis', name + '.png')
        mmcv.imwrite(result['visualization'][0][..., ::-1], vis_path)
        with open(osp.join(args.out_dir, 'preds', name + '.json'), 'w') as f:
            json.dump(pred, f)
        print(f'{path}: {len(kept)} instances >= {args.pred_score_thr} '
              f'{dict(counts)}, masks: {"masks" in pred}, headings: '
              f'{"headings" in pred} -> {vis_path}')
    if failed:
        print(f'{len(failed)} of {len(images)} image(s) could not be read:\n  '
              + '\n  '.join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
