"""Decode every image of a dataset once, before training meets it."""
import multiprocessing
import os
import tempfile

import cv2
import numpy as np
from mmengine.utils import ProgressBar

# libjpeg's warnings for data that decodes to garbage (cv2 returns an image)
_CORRUPT_JPEG = ('Corrupt JPEG data', 'Premature end of JPEG file')


def image_problem(path):
    """Why the image file at ``path`` cannot be used, or None.

    Decodes it as mmcv's ``LoadImageFromFile`` does (cv2) and catches
    libjpeg's corruption warnings, which cv2 prints to stderr without
    failing, by capturing file descriptor 2 while decoding.
    """
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        return f'cannot be read ({e.strerror})'
    if not data:
        return 'is empty (0 bytes)'
    saved = os.dup(2)
    with tempfile.TemporaryFile() as err:
        os.dup2(err.fileno(), 2)
        try:
            img = cv2.imdecode(np.frombuffer(data, np.uint8),
                               cv2.IMREAD_COLOR)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        err.seek(0)
        messages = err.read().decode(errors='replace').splitlines()
    if img is None:
        return 'cannot be decoded (truncated or not an image)'
    corrupt = [m for m in messages if m.startswith(_CORRUPT_JPEG)]
    if corrupt:
        return f'is corrupt ({corrupt[0].strip()})'
    return None


def find_unreadable_images(paths, nproc=None, min_per_process=64):
    """``[(path, problem)]`` for every unusable image among ``paths``,
    decoding them in ``nproc`` processes (default: up to 8 CPUs) with a
    progress bar."""
    nproc = nproc or min(8, os.cpu_count() or 1)
    nproc = max(1, min(nproc, len(paths) // min_per_process))
    bar = ProgressBar(len(paths))
    problems = []
    if nproc == 1:
        results = map(image_problem, paths)
    else:
        pool = multiprocessing.get_context('fork').Pool(nproc)
        results = pool.imap(image_problem, paths, chunksize=16)
    try:
        for path, problem in zip(paths, results):
            bar.update()
            if problem:
                problems.append((path, problem))
    finally:
        if nproc > 1:
            pool.close()
            pool.join()
    return problems
