"""Confusion matrix of a results file, with the model family's overlap.

    python tools/analysis_tools/confusion_matrix.py CONFIG RESULTS.pkl \
        OUT_DIR [--overlap box|rbox|mask] [--score-thr 0.3] \
        [--tp-iou-thr 0.5] [--cfg-options ...]

``RESULTS.pkl`` is ``tools/test.py CONFIG CKPT --out RESULTS.pkl``. The
ground truth comes from the config's test set through its test pipeline.
Rotated predictions are matched by rotated IoU ('rbox', their default),
axis-aligned ones by box IoU ('box'), and ``--overlap mask`` matches masks.
mmdet's tool of the same name reads every box as corners, so on a rotated
model it scores (cx, cy, w, h) as (x1, y1, x2, y2). Writes
``confusion_matrix.png`` (mmdet's plot, rows normalised) and
``confusion_matrix.json`` (counts), and prints the counts.
"""
import json
import os
import os.path as osp

from mmrot_ext.cli import results_analysis_parser, run_cli


def parse_args(argv=None):
    parser = results_analysis_parser(__doc__.split('\n')[0],
                                     'where the plot and counts go')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='predictions below this score are not counted')
    parser.add_argument('--tp-iou-thr', type=float, default=0.5,
                        help='overlap at which a prediction meets a GT')
    parser.add_argument('--color-theme', default='plasma',
                        help='matplotlib colour map of the plot')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_cli(lambda: confusion_matrix(args), args.debug)


def confusion_matrix(args):
    import numpy as np

    from mmrot_ext.evaluation.per_image_analysis import (
        add_to_confusion_matrix, images_against_results)

    dataset, _, overlap, images = images_against_results(
        args.config, args.results, args.cfg_options, args.overlap)
    classes = tuple(dataset.metainfo['classes'])
    matrix = np.zeros((len(classes) + 1, len(classes) + 1), np.int64)
    for _, gt, pred, ious in images:
        add_to_confusion_matrix(matrix, gt['labels'], pred['labels'],
                                pred['scores'], ious, args.score_thr,
                                args.tp_iou_thr)
    os.makedirs(args.out_dir, exist_ok=True)
    labels = classes + ('background', )
    with open(osp.join(args.out_dir, 'confusion_matrix.json'), 'w') as f:
        json.dump(dict(labels=labels, overlap=overlap,
                       score_thr=args.score_thr, tp_iou_thr=args.tp_iou_thr,
                       counts=matrix.tolist()), f, indent=1)
    plot(matrix, labels, osp.join(args.out_dir, 'confusion_matrix.png'),
         f'{overlap} overlap >= {args.tp_iou_thr}, score >= '
         f'{args.score_thr}', args.color_theme)
    width = max(len(n) for n in labels)
    print(f'\nconfusion matrix ({overlap} overlap >= {args.tp_iou_thr}, '
          f'score >= {args.score_thr}); rows: ground truth, columns: '
          f'predicted')
    print(' ' * width + ''.join(f' {n:>{width}}' for n in labels))
    for name, row in zip(labels, matrix):
        print(f'{name:>{width}}' + ''.join(f' {v:>{width}}' for v in row))
    print(f'written to {args.out_dir}/confusion_matrix.{{png,json}}')
    return matrix


def plot(matrix, labels, path, subtitle, color_theme):
    """Rows normalised to percent, each cell also giving its count."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    totals = matrix.sum(axis=1, keepdims=True)
    percent = 100 * matrix / np.maximum(totals, 1)
    size = 1.2 + 0.9 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1.5, size), dpi=120)
    image = ax.imshow(percent, cmap=color_theme, vmin=0, vmax=100)
    fig.colorbar(image, ax=ax, label='% of the row')
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha='right')
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel('predicted')
    ax.set_ylabel('ground truth')
    ax.set_title(f'Confusion matrix\n{subtitle}', fontsize=10)
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, f'{percent[i, j]:.0f}%\n({count})', ha='center',
                va='center', fontsize=8,
                color='white' if percent[i, j] < 50 else 'black')
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == '__main__':
    main()
