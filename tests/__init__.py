"""fastopt test suite (a regular package, so that no installed top-level ``tests`` package, such
as the one py_vollib ships, can shadow it)."""
