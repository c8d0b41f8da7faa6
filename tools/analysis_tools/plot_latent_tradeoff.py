"""Plot Latent-MaskRCNN's confidence trade-off from a benchmark result.

    python tools/analysis_tools/plot_latent_tradeoff.py \
        benchmarks/results/latent_vs_mask_rcnn.json --out tradeoff.png

Left: double-pick rate vs pickable-area fraction, one point per confidence
requirement p (and Mask R-CNN's single point). Right: the share of
predicted masks with IoP >= the report's ``iop_thr`` (0.95; results
written before it was recorded used 0.9) against p.
"""
import argparse
import json

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('result', help='latent_vs_mask_rcnn.json')
    parser.add_argument('--out', default='latent_tradeoff.png')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with open(args.result) as f:
        report = json.load(f)
    sweep = report.get('sweep')
    if not sweep:
        raise ValueError(f'{args.result}: no "sweep" of p values')
    ps = sorted(sweep, key=float)
    rows = [sweep[p] for p in ps]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot([100 * r['double_pick_rate'] for r in rows],
              [r['pickable_area'] for r in rows], 'o-',
              label='p-confidence mask')
    for p, r in zip(ps, rows):
        left.annotate(f'{float(p):g}', (100 * r['double_pick_rate'],
                                        r['pickable_area']))
    base = report.get('rows', {}).get('Mask R-CNN')
    if base:
        left.plot([100 * base['double_pick_rate']], [base['pickable_area']],
                  's', label='Mask R-CNN')
    left.set_xlabel('double-pick rate % (lower better)')
    left.set_ylabel('pickable area fraction (higher better)')
    left.legend()
    right.plot([float(p) for p in ps], [r['iop_fraction'] for r in rows],
               'o-')
    right.set_xlabel('confidence requirement p')
    right.set_ylabel(f'predicted masks with IoP >= '
                     f'{report.get("iop_thr", 0.9):g}')
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
