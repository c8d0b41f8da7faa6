# Rotated RPN anchors fitted to long thin objects (the dense pens / pencils /
# chopsticks scenes, aspect 5-18): one ratio h / w = 1/8 at 12 angles, every
# 15 degrees, instead of the paper's 0.5 / 1 / 2 at 3 angles. Best rotated
# IoU of a GT with any cpu-tiny anchor, 150 dense training scenes (pen /
# pencil / chopstick): >= 0.3 for 0.99 / 0.99 / 0.99 of GTs (paper anchors
# 0.90 / 0.97 / 0.06), >= 0.5 for 0.77 / 0.79 / 0.42 (0.03 / 0.05 / 0.00).
# Check a dataset with tools/analysis_tools/visualize_anchors.py. Use it as
# a base next to a model base, then in the config:
#   model = dict(rpn_head=dict(anchor_generator={{_base_.stick_anchors}}))
stick_anchors = dict(
    ratios=[0.125], angles=[-90.0 + 15.0 * i for i in range(12)])
