from .instance_seg_tta_model import InstanceSegTTAModel, flip_back

__all__ = ['InstanceSegTTAModel', 'flip_back']
