from .frame_keypoint_head import FrameKeypointHead

__all__ = ['FrameKeypointHead']
