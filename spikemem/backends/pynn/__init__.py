"""Shared PyNN lowering: IR -> PyNN calls on an injectable simulator module.

Used by the ``spinnaker`` backend (``pyNN.spiNNaker``) and the ``nest`` backend (``pyNN.nest``):
:mod:`.lowering` (numpy only) makes a plan of PyNN calls, :mod:`.build` makes the calls on a
simulator module passed in, and :mod:`.backend` holds the compile and run steps both share.
"""
