"""Qt widgets only: the lecturer, studio and centre workspaces over the headless core."""
