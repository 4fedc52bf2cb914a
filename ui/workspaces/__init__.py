"""The three places a person works in: lecturer, studio, centre."""
