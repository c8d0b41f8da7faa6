"""Epoch-based training loop that resumes mid-epoch without replaying."""
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

from mmrot_ext.registry import ROOT_LOOPS


@ROOT_LOOPS.register_module()
class ExactResumeEpochBasedTrainLoop(EpochBasedTrainLoop):
    """mmengine's ``EpochBasedTrainLoop``, resuming exactly.

    mmengine restarts an epoch from its first batch when it resumes from an
    iteration-interval checkpoint, so the batches before the checkpoint are
    trained twice and the run ends past ``max_iters``. Here the epoch's
    batch order is rebuilt from the sampler (seeded by epoch, as in the
    uninterrupted run) and only the batches not yet trained are loaded and
    trained; indices (``batch_idx``) continue where the run stopped.
    ``tools/train.py`` uses it in place of ``EpochBasedTrainLoop``.
    """

    def run_epoch(self):
        done = self._iter - self._epoch * len(self.dataloader)
        if done <= 0:
            return super().run_epoch()
        self.runner.call_hook('before_train_epoch')  # sets the sampler epoch
        self.runner.model.train()
        self.runner.logger.info(
            f'Resuming epoch {self._epoch + 1} at batch {done + 1} of '
            f'{len(self.dataloader)}: skipping the {done} batches already '
            f'trained')
        for idx, data_batch in enumerate(self._remaining(done), start=done):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def _remaining(self, done):
        """A one-off loader over this epoch's batches after the first
        ``done`` (batch indices only are drawn for the skipped ones)."""
        loader = self.dataloader
        batches = list(loader.batch_sampler)[done:]
        return DataLoader(
            loader.dataset, batch_sampler=batches,
            num_workers=loader.num_workers, collate_fn=loader.collate_fn,
            pin_memory=loader.pin_memory, timeout=loader.timeout,
            worker_init_fn=loader.worker_init_fn,
            multiprocessing_context=loader.multiprocessing_context,
            prefetch_factor=loader.prefetch_factor if loader.num_workers
            else None)
