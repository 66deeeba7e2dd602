"""Renderers: each reads only the document model and returns bytes."""
