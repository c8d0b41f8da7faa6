from .rotated_rpn_head import RotatedRPNHead

__all__ = ['RotatedRPNHead']
