"""Device families: protocol clients, discovery and simulators. Never imports Qt."""
