"""The casework register."""
