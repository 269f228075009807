"""Dialogs of the editor (each file one dialog)."""
