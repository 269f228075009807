"""The video canvas: frame pixmap + one graphics item per person, interaction in :mod:`.view`."""
