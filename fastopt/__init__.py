"""fastopt: fast, accurate options analytics."""
