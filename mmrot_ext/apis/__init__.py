from .image_input import IMAGE_EXTENSIONS, load_image, to_bgr_uint8

__all__ = ['IMAGE_EXTENSIONS', 'load_image', 'to_bgr_uint8']
