"""An example dg project: DDP's schema pairs as a component."""
