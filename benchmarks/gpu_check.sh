#!/usr/bin/env bash
# GPU check, one script, under 10 minutes on one GPU:
#   1. the tests that take a device (they run on the CPU in `make test`
#      and on CUDA here: rotated IoU, NMS and soft-NMS, CUDA vs CPU;
#      keypoint frames, heatmap targets and decoding; Latent-MaskRCNN's
#      confidence masks and Union-NMS),
#   2. a few training iterations of each R-50 config on generated data,
#   3. the Rotated MS R-CNN / MS R-CNN time ratios at R-50 size
#      (benchmarks/rotated_profile.py on CUDA, random weights).
#
#   bash benchmarks/gpu_check.sh [OUT_DIR]
#
# Needs an environment with CUDA torch and mmcv built with CUDA ops, plus
# this repository installed (`pip install --no-build-isolation -e .`, which
# also compiles the CPU kernel); PY selects the interpreter (default
# python). Writes logs and the profile (JSON + markdown) to OUT_DIR
# (default benchmarks/results/gpu_check).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/results/gpu_check}
PY=${PY:-python}
DATA=data/gpu_check_dense
mkdir -p "$OUT"

$PY - <<'EOF' | tee "$OUT/device.txt"
import mmcv, torch
from mmcv.ops import nms_rotated
assert torch.cuda.is_available(), 'gpu_check.sh needs a CUDA device'
boxes = torch.tensor([[10., 10., 20., 4., 0.]], device='cuda')
nms_rotated(boxes, torch.ones(1, device='cuda'), 0.5)  # mmcv has CUDA ops
print(torch.cuda.get_device_name(0), 'torch', torch.__version__, 'mmcv',
      mmcv.__version__)
EOF

# 1. device tests: the CUDA cases skip on the CPU and must run here
$PY -m pytest -q -rs tests/test_structures/test_rbox_exact_iou.py \
    tests/test_structures/test_frame_keypoints.py tests/test_ops \
    tests/test_latent/test_sample_fusion.py 2>&1 | tee "$OUT/device_tests.log"
if grep -q "SKIPPED.*needs CUDA" "$OUT/device_tests.log"; then
    echo "CUDA tests were skipped on a CUDA machine" >&2
    exit 1
fi

# 2. a few iterations of each R-50 config on generated dense scenes
$PY tools/dataset_converters/make_synthetic_dense.py "$DATA" \
    --num-train 32 --num-val 4 --num-test 8 --preset dense --seed 0
for cfg in configs/{rotated_ms_rcnn,rotated_mask_rcnn,keypoint_rcnn,rotated_faster_rcnn,rotated_rpn,ms_rcnn,mask_rcnn,faster_rcnn,rpn}/*_r50_fpn_1x_synthetic-dense.py; do
    name=$(basename "$cfg" .py)
    echo "== $name"
    $PY tools/train.py "$cfg" --work-dir "work_dirs/gpu_check/$name" \
        --cfg-options model.backbone.init_cfg=None \
        train_dataloader.dataset.data_root="$DATA/" \
        train_dataloader.dataset.indices=16 train_cfg.max_epochs=1 \
        train_cfg.val_interval=2 default_hooks.logger.interval=1 \
        > "$OUT/train_$name.log" 2>&1 ||
        { tail -30 "$OUT/train_$name.log"; exit 1; }
    grep -o "loss: [0-9.]*" "$OUT/train_$name.log" | sed -n '1p;$p' |
        paste -sd' ' | sed "s/^/$name first, last /"
done | tee "$OUT/r50_iterations.txt"

# 3. time ratios at R-50 size
$PY benchmarks/rotated_profile.py --device cuda --data-root "$DATA" \
    --steps 5 --images 5 \
    --configs configs/rotated_ms_rcnn/rotated-ms-rcnn_r50_fpn_1x_synthetic-dense.py \
    configs/ms_rcnn/ms-rcnn_r50_fpn_1x_synthetic-dense.py \
    --out "$OUT/rotated_profile_r50_cuda"
echo "gpu_check: done, results in $OUT"
