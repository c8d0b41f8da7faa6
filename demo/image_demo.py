"""Run a trained model on images with mmdet's DetInferencer and draw masks.

    python demo/image_demo.py IMAGE_OR_DIR CONFIG --weights CKPT \
        [--out-dir outputs/demo] [--device cpu] [--pred-score-thr 0.3]

Writes one PNG per image with boxes and masks drawn to OUT_DIR/vis/ and the
raw predictions (RLE masks) to OUT_DIR/preds/.
"""
import argparse
import os
import os.path as osp

import mmcv
from mmdet.apis import DetInferencer
from mmengine.config import Config

import mmrot_ext  # noqa: F401  (applies upstream fixes, registers modules)

IMG_EXTS = ('.jpg', '.jpeg', '.png', '.bmp')


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
    """Image paths of a file or folder; raises if there are none."""
    if osp.isdir(inputs):
        paths = sorted(
            osp.join(inputs, f) for f in os.listdir(inputs)
            if f.lower().endswith(IMG_EXTS))
    elif osp.isfile(inputs):
        paths = [inputs]
    else:
        raise FileNotFoundError(f'{inputs} does not exist')
    if not paths:
        raise FileNotFoundError(f'no images ({", ".join(IMG_EXTS)}) in '
                                f'{inputs}')
    return paths


def main(argv=None):
    args = parse_args(argv)
    images = list_images(args.inputs)
    scope = Config.fromfile(args.config).get('default_scope', 'mmdet')
    inferencer = DetInferencer(
        model=args.config, weights=args.weights, device=args.device,
        scope=scope, show_progress=False)
    classes = inferencer.model.dataset_meta['classes']
    os.makedirs(osp.join(args.out_dir, 'vis'), exist_ok=True)
    for path in images:
        result = inferencer(
            path, out_dir=args.out_dir, return_vis=True, no_save_vis=True,
            no_save_pred=False,
            pred_score_thr=args.pred_score_thr)
        pred = result['predictions'][0]
        kept = [i for i, s in enumerate(pred['scores'])
                if s >= args.pred_score_thr]
        counts = {}
        for i in kept:
            name = classes[pred['labels'][i]]
            counts[name] = counts.get(name, 0) + 1
        stem = osp.splitext(osp.basename(path))[0]
        vis_path = osp.join(args.out_dir, 'vis', stem + '.png')
        mmcv.imwrite(result['visualization'][0][..., ::-1], vis_path)
        print(f'{path}: {len(kept)} instances >= {args.pred_score_thr} '
              f'{counts}, masks: {"masks" in pred} -> {vis_path}')


if __name__ == '__main__':
    main()
