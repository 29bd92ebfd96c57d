"""Exchange formats between spikemem's IR and other tools: :mod:`spikemem.interop.nir` (NIR)."""
