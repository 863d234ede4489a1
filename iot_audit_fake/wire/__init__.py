"""The model-driven restJson1 layer between HTTP and the audit backend."""
