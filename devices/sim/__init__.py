"""Simulators that speak the real protocols on loopback, standing in for missing hardware."""
