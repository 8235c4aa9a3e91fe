"""One module per part of the console; each exposes `router`."""
