"""Developer tools for the editor (screenshots for the docs)."""
