"""Running many notebooks: fresh kernels from a fork server, a runner, an optional Dask cluster.

:mod:`~iivkit.batch.runner` turns a job (notebook, parameters, name) into HTML in a fresh
kernel (:mod:`~iivkit.batch.kernels`, :mod:`~iivkit.batch.forkserver`), and
:mod:`~iivkit.batch.cluster` does the same on Dask workers. :mod:`~iivkit.batch.pipeline` is the
one loop over a batch of them (skip the unchanged, run, record, index, remember), of which
``iivkit report`` and ``iivkit course report`` are thin users.
"""
