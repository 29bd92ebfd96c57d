"""Convert a :class:`~spikemem.results.Recording` to a ``neo.Block`` (PyNN's layout).

The Block has one Segment covering the whole run, holding

* one ``neo.SpikeTrain`` per neuron of every recorded population (units ms, ``t_start`` 0,
  ``t_stop`` the run duration), annotated with ``source_population`` and ``source_index``
  (PyNN also writes ``source_id``; here it equals ``source_index``);
* one ``neo.AnalogSignal`` per population and state variable (columns = recorded neurons, units
  mV or nA, ``array_annotations["channel_index"]`` = neuron indices), or an
  ``IrregularlySampledSignal`` if the samples are not evenly spaced;
* one ``neo.Epoch`` named ``"phases"`` with the schedule's phases.

The Block's annotations carry the run ``meta`` (as JSON text), ``dt`` (ms), the population sizes
and the weight snapshots (``weights[phase][projection]``, float64 arrays).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .traces import STATE_UNITS

__all__ = ["population_spiketrains", "to_neo"]

_INSTALL_HINT = "to_neo() needs the optional packages neo and quantities: pip install spikemem[neo]"


def _import_neo() -> tuple[Any, Any]:
    try:
        import neo
        import quantities as pq
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return neo, pq


def _t_stop_ms(recording: Any) -> float:
    """Run duration; at least (last event step + 1) * dt, so that every spike lies before it."""
    last = [int(t.steps[-1]) for t in recording.spikes.values() if len(t)]
    last += [int(s.steps[-1]) for s in recording.state.values() if s.steps.size]
    end = (max(last, default=0) + 1) * recording.dt
    duration = recording.duration_ms
    return end if duration is None else max(duration, end)


def population_spiketrains(trains: Any, size: int, t_stop: float, population: str = "") -> list[Any]:
    """One ``neo.SpikeTrain`` per neuron of a population, in neuron order.

    Parameters
    ----------
    trains : SpikeTrains
        The population's spikes.
    size : int
        Number of neurons (neurons without spikes get empty trains).
    t_stop : float
        End of every train (ms); no spike may lie after it.
    population : str
        Name written into the trains' ``name`` and ``source_population``.
    """
    neo, pq = _import_neo()
    times = trains.times_ms
    order = np.argsort(trains.ids, kind="stable")
    bounds = np.searchsorted(trains.ids[order], np.arange(size + 1))
    sorted_times = times[order]
    return [
        neo.SpikeTrain(
            sorted_times[bounds[index] : bounds[index + 1]],
            units="ms",
            t_start=0.0 * pq.ms,
            t_stop=t_stop * pq.ms,
            sampling_rate=(1.0 / trains.dt) * pq.kHz,
            name=f"{population}[{index}]",
            source_population=population,
            source_index=index,
            source_id=index,
        )
        for index in range(size)
    ]


def to_neo(recording: Any) -> Any:
    """The recording as a ``neo.Block``; raises ImportError if neo is not installed."""
    neo, pq = _import_neo()
    t_stop = _t_stop_ms(recording)
    block = neo.Block(
        name="spikemem recording",
        meta=json.dumps(recording.meta),
        dt_ms=recording.dt,
        populations=dict(recording.populations),
        weights={ph: dict(projs) for ph, projs in recording.weights.items()},
    )
    segment = neo.Segment(name="run", index=0)
    block.segments.append(segment)
    segment.block = block

    for name, trains in recording.spikes.items():
        for train in population_spiketrains(trains, recording.populations[name], t_stop, name):
            train.segment = segment
            segment.spiketrains.append(train)

    for name, trace in recording.state.items():
        for variable, values in trace.values.items():
            signal = _signal(neo, pq, trace, variable, values, recording.dt)
            signal.annotate(source_population=name)
            signal.array_annotate(channel_index=np.asarray(trace.ids))
            signal.segment = segment
            if isinstance(signal, neo.AnalogSignal):
                segment.analogsignals.append(signal)
            else:
                segment.irregularlysampledsignals.append(signal)

    if recording.phases:
        epoch = neo.Epoch(
            times=np.array([p.start_step for p in recording.phases], dtype=np.float64) * recording.dt * pq.ms,
            durations=np.array([p.n_steps for p in recording.phases], dtype=np.float64)
            * recording.dt
            * pq.ms,
            labels=np.array([p.name for p in recording.phases]),
            name="phases",
        )
        epoch.segment = segment
        segment.epochs.append(epoch)
    return block


def _signal(neo: Any, pq: Any, trace: Any, variable: str, values: np.ndarray, dt: float) -> Any:
    units = STATE_UNITS.get(variable, "dimensionless")
    data = np.array(values)  # neo wants a writable array
    steps = trace.steps
    gaps = np.diff(steps)
    if steps.size >= 2 and np.all(gaps == gaps[0]):
        period = float(gaps[0]) * dt
    elif steps.size == 1:
        period = dt
    else:
        period = None
    if period is not None and steps.size:
        return neo.AnalogSignal(
            data,
            units=units,
            t_start=float(trace.times_ms[0]) * pq.ms,
            sampling_period=period * pq.ms,
            name=variable,
        )
    return neo.IrregularlySampledSignal(
        trace.times_ms * pq.ms, data, units=units, time_units="ms", name=variable
    )
