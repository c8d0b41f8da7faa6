"""ctypes binding of the compiled rotated-box kernel (csrc/rbox_geometry.cpp).

``pip install -e .`` (``make install``) compiles it as the extension
``mmrot_ext._rbox_geometry`` (a few seconds: it includes no torch headers).
CPU tensors only: each function takes float64 contiguous boxes (N, 5) with
sides > 0 and runs one call into C for the whole set.
"""
import ctypes

import torch

_KERNEL = None


def kernel():
    """The loaded library; a clear error if the extension was not built."""
    global _KERNEL
    if _KERNEL is None:
        try:
            from mmrot_ext import _rbox_geometry
        except ImportError as error:
            raise ImportError(
                'mmrot_ext\'s compiled rotated-box kernel is missing (a '
                'C++ compiler is needed at install): run `pip install '
                '--no-build-isolation -e .` or `python setup.py build_ext '
                '--inplace` in the repository') from error
        lib = ctypes.CDLL(_rbox_geometry.__file__)
        ptr, i64, f64, i32 = (ctypes.c_void_p, ctypes.c_int64,
                              ctypes.c_double, ctypes.c_int)
        lib.rbox_overlaps.argtypes = [ptr, i64, ptr, i64, i32, f64, i32, ptr]
        lib.rbox_overlaps.restype = None
        lib.rbox_overlaps_aligned.argtypes = [ptr, ptr, i64, i32, ptr]
        lib.rbox_overlaps_aligned.restype = None
        lib.rbox_nms.argtypes = [ptr, i64, f64, i64, ptr]
        lib.rbox_nms.restype = i64
        lib.rbox_soft_nms.argtypes = [ptr, ptr, i64, i32, f64, f64, f64, ptr,
                                      ptr]
        lib.rbox_soft_nms.restype = i64
        _KERNEL = lib
    return _KERNEL


def _p(tensor):
    return ctypes.c_void_p(tensor.data_ptr())


def _check(*tensors):
    for t in tensors:
        assert t.device.type == 'cpu' and t.dtype == torch.float64 and \
            t.is_contiguous(), 'rbox kernel: float64 contiguous CPU input'


def overlaps(boxes1, boxes2, iof, prune_below, exact_row_max):
    """(M, N) float32 IoU / IoF; see ``sparse_rbox_overlaps``."""
    _check(boxes1, boxes2)
    out = torch.empty((len(boxes1), len(boxes2)), dtype=torch.float32)
    kernel().rbox_overlaps(_p(boxes1), len(boxes1), _p(boxes2), len(boxes2),
                           int(iof), float(prune_below), int(exact_row_max),
                           _p(out))
    return out


def overlaps_aligned(boxes1, boxes2, iof):
    """(N, ) float32 IoU / IoF of the pairs boxes1[k], boxes2[k]."""
    _check(boxes1, boxes2)
    out = torch.empty(len(boxes1), dtype=torch.float32)
    kernel().rbox_overlaps_aligned(_p(boxes1), _p(boxes2), len(boxes1),
                                   int(iof), _p(out))
    return out


def nms(ranked_boxes, iou_threshold, max_num):
    """Positions (K, ) kept by greedy NMS of boxes in descending score."""
    _check(ranked_boxes)
    keep = torch.empty(len(ranked_boxes), dtype=torch.int64)
    count = kernel().rbox_nms(_p(ranked_boxes), len(ranked_boxes),
                              float(iou_threshold), int(max_num), _p(keep))
    return keep[:count]


SOFT_NMS_METHODS = dict(naive=0, linear=1, gaussian=2)


def soft_nms(boxes, scores, method, iou_threshold, sigma, min_score):
    """Kept indices (K, ) and decayed float64 scores (K, ) in keep order."""
    _check(boxes, scores)
    keep = torch.empty(len(boxes), dtype=torch.int64)
    kept = torch.empty(len(boxes), dtype=torch.float64)
    count = kernel().rbox_soft_nms(_p(boxes), _p(scores), len(boxes),
                                   SOFT_NMS_METHODS[method],
                                   float(iou_threshold), float(sigma),
                                   float(min_score), _p(keep), _p(kept))
    return keep[:count], kept[:count]
