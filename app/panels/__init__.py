"""Side panels (docks) that observe the Document."""
