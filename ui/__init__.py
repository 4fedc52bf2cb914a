"""Qt widgets only: the lecturer, studio and centre workspaces over the headless core."""

from ui.pyside_sources import keep_no_sources

keep_no_sources()  # before the widgets' modules are imported: each would leave its source text in memory
