# Colour-only augmentations of the student view (geometry stays shared with
# the teacher's clean view). "strong" (1x schedules): ColorJitter(0.4, 0.4,
# 0.4, 0.1) with p = 0.8, then RandomGrayscale(0.2); "strongv2" (3x) adds a
# 3x3 Gaussian blur with p = 0.5.
student_colour = [
    dict(
        type='RandomApply',
        transforms=[
            dict(
                type='ColorJitter',
                brightness=0.4,
                contrast=0.4,
                saturation=0.4,
                hue=0.1)
        ],
        prob=0.8),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.114, 0.587, 0.299)),  # BGR luma
]
student_colour_v2 = [
    *student_colour,
    dict(type='RandomGaussianBlur', prob=0.5, kernel_size=3)
]
